"""The fact request registry: every request type is listed once, with every part."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import hardening.facts
from hardening.facts.base import GLOB_SAFE, RequestSpec, word
from hardening.facts.registry import REQUESTS, SPECS, spec_of
from hardening.model.facts import Request

PARTS = ("fragment", "parse", "from_root", "from_description")


def request_types() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.iter_modules(hardening.facts.__path__):
        module = importlib.import_module(f"hardening.facts.{info.name}")
        found |= {
            obj
            for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Request) and obj is not Request and obj.__module__ == module.__name__
        }
    return found


def test_every_request_type_in_the_package_is_registered_once() -> None:
    assert {spec.request for spec in REQUESTS} == request_types()
    assert len(SPECS) == len(REQUESTS)


@pytest.mark.parametrize("spec", REQUESTS, ids=lambda s: s.request.__name__)
def test_each_spec_has_every_part(spec: RequestSpec[Request[object]]) -> None:
    assert dataclasses.is_dataclass(spec.request)
    assert spec.request.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for part in PARTS:
        fn = getattr(spec, part)
        assert callable(fn) and fn.__module__ == spec.request.__module__, part
        assert inspect.getdoc(fn), f"{spec.request.__name__}.{part} has no docstring"
    assert spec_of(spec.request(*_example_args(spec.request))) is spec


def _example_args(cls: type) -> list[object]:
    return [
        ("/",) if f.type == "tuple[str, ...]" else "/etc/x"
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def test_an_unregistered_request_type_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Stray(Request[int]):
        x: int = 0

    with pytest.raises(TypeError, match="not a registered fact request"):
        spec_of(Stray())


@pytest.mark.parametrize("path", ["/etc/*.conf\n", "/etc/*\nid", "/etc/*.conf\r"])
def test_a_glob_ending_in_a_newline_is_quoted(path: str) -> None:
    assert GLOB_SAFE.fullmatch(path) is None
    assert word(path).startswith("'")


def test_a_safe_glob_stays_bare() -> None:
    assert word("/etc/kubernetes/pki/*.key") == "/etc/kubernetes/pki/*.key"
