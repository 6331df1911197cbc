"""InventoryFlag: a yes/no inventory variable of the host (``sandbox_required``).

Answered from the host's inventory variables (``Host.vars``, host or group vars) by the
source that joins off-node facts (``sources/cloud.py``); ``true``, ``yes``, ``on`` and ``1``
in any case are true, anything else (or unset) false.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.facts.cloudside import off_node
from hardening.model.facts import Request

NAMES = ("sandbox_required",)  # the flags a kind may ask for


@dataclass(frozen=True)
class InventoryFlag(Request[bool]):
    """The inventory variable ``name`` read as a boolean."""

    name: str = "sandbox_required"


def truthy(value: Any) -> bool:
    """An inventory value as Ansible users write a boolean."""
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def answer(req: InventoryFlag, host_vars: Mapping[str, Any]) -> bool:
    """The flag from the host's variables."""
    return truthy(host_vars.get(req.name))


def fragment(reqs: Sequence[InventoryFlag]) -> list[Section]:
    """No shell: the inventory is on the auditing machine."""
    return []


def parse(
    reqs: Sequence[InventoryFlag], frames: Mapping[str, Frame], host: str
) -> Answers[InventoryFlag]:
    """A probe does not know the inventory (the joining source answers after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[InventoryFlag], root: Root) -> Answers[InventoryFlag]:
    """A root filesystem does not know the inventory."""
    return off_node(reqs)


def from_description(req: InventoryFlag, desc: Mapping[str, Any]) -> Any:
    """``desc["vars"][name]`` (see facts/cloudside.py)."""
    return answer(req, desc.get("vars") or {})


SPEC = RequestSpec(InventoryFlag, fragment, parse, from_root, from_description)
