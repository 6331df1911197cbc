"""RuntimeClasses: the cluster's RuntimeClass objects, when the audit was given them.

Answered by the cloud source from the exports (``kubectl get runtimeclass -o json``); not
given is Absent (the sandbox check then does not ask for a RuntimeClass), never empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.facts.cloudside import off_node
from hardening.model.facts import Absent, Request

NOT_GIVEN = "no RuntimeClass objects were given (export them into --cloud-facts)"


@dataclass(frozen=True)
class ClassList:
    """The RuntimeClass objects (each with its ``handler``)."""

    items: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class RuntimeClasses(Request[ClassList]):
    """Every RuntimeClass of the cluster."""


def answer(cloud: Mapping[str, Any]) -> ClassList | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = cloud.get("runtime_classes")
    return Absent(NOT_GIVEN) if got is None else ClassList(tuple(got))


def fragment(reqs: Sequence[RuntimeClasses]) -> list[Section]:
    """No shell: RuntimeClasses are cluster objects, not node state."""
    return []


def parse(
    reqs: Sequence[RuntimeClasses], frames: Mapping[str, Frame], host: str
) -> Answers[RuntimeClasses]:
    """A probe has no RuntimeClasses (the cloud source answers them after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[RuntimeClasses], root: Root) -> Answers[RuntimeClasses]:
    """A root filesystem has no RuntimeClasses."""
    return off_node(reqs)


def from_description(req: RuntimeClasses, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["runtime_classes"]`` (see facts/cloudside.py)."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(RuntimeClasses, fragment, parse, from_root, from_description)
