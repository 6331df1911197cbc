"""RolePolicies: the node's cloud role (IAM / RAM) and the policy documents attached to it.

Answered by the cloud source (``sources/cloud.py``), never by the node or an image.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.facts.cloudside import from_cloud, off_node
from hardening.model.facts import Absent, Request


@dataclass(frozen=True)
class RoleFact:
    """The role's name and its policies: ``{"name": ..., "document": ...}`` each."""

    name: str
    policies: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class RolePolicies(Request[RoleFact]):
    """The policies of the role the node's instance runs as."""


def answer(cloud: Mapping[str, Any]) -> RoleFact | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = from_cloud(cloud, "role", "role policy facts")
    if isinstance(got, Absent):
        return got
    return RoleFact(str(got.get("name", "?")), tuple(got.get("policies") or ()))


def fragment(reqs: Sequence[RolePolicies]) -> list[Section]:
    """No shell: credentials are never asked of the node."""
    return []


def parse(
    reqs: Sequence[RolePolicies], frames: Mapping[str, Frame], host: str
) -> Answers[RolePolicies]:
    """A probe has no role policies (the cloud source answers them after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[RolePolicies], root: Root) -> Answers[RolePolicies]:
    """A root filesystem has no role policies."""
    return off_node(reqs)


def from_description(req: RolePolicies, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["role"]`` (see facts/cloudside.py)."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(RolePolicies, fragment, parse, from_root, from_description)
