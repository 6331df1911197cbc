from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hardening.catalogue.load import load_benchmark
from hardening.checks.components.registry import MODELS

REPO = Path(__file__).resolve().parents[3]


def _table() -> str:
    spec = importlib.util.spec_from_file_location(
        "defaults_table", REPO / "scripts" / "defaults_table.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return str(mod.table())


def test_docs_hold_the_generated_defaults_table() -> None:
    doc = (REPO / "docs" / "semantics.md").read_text(encoding="utf-8")
    inside = doc.split("<!-- defaults -->\n", 1)[1].split("<!-- /defaults -->", 1)[0]
    assert inside == _table()


def test_every_entry_names_its_upstream_source() -> None:
    for model in MODELS.values():
        assert model.source
        for e in model.entries:
            assert ".go: " in e.source, (model.component, e.flag)
            assert e.versions, (model.component, e.flag)
            assert e.flag.startswith("--")


@pytest.mark.parametrize("bench", ["cis-1.12", "ack-1.0"])
def test_every_setting_the_catalogue_reads_is_in_the_table(bench: str) -> None:
    controls = load_benchmark(bench).controls
    for c in controls:
        if c.check is None or c.check.kind not in ("component_setting", "component_settings"):
            continue
        p = c.check.params
        model = MODELS[p.component]
        flags = p.flags if c.check.kind == "component_settings" else (p.flag,)
        for flag in flags:
            key = getattr(p, "config_key", None)
            assert model.entry(flag, key, getattr(p, "flag_key", None)), (c.id, flag)
