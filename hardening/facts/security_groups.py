"""SecurityGroups: the security groups attached to the node, as the provider describes them.

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
class GroupList:
    """Every group attached to the node: AWS ``SecurityGroups`` items or rule rows, or
    Alibaba ``DescribeSecurityGroupAttribute`` documents (``cloud/securitygroups.py``)."""

    groups: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class SecurityGroups(Request[GroupList]):
    """The node's security groups (ids from inventory vars, metadata or the exports)."""


def answer(cloud: Mapping[str, Any]) -> GroupList | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = from_cloud(cloud, "security_groups", "security group facts")
    return got if isinstance(got, Absent) else GroupList(tuple(got))


def fragment(reqs: Sequence[SecurityGroups]) -> list[Section]:
    """No shell: the node's probe does not describe its security groups."""
    return []


def parse(
    reqs: Sequence[SecurityGroups], frames: Mapping[str, Frame], host: str
) -> Answers[SecurityGroups]:
    """A probe has no security groups (the cloud source answers them after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[SecurityGroups], root: Root) -> Answers[SecurityGroups]:
    """A root filesystem has no security groups."""
    return off_node(reqs)


def from_description(req: SecurityGroups, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["security_groups"]`` (see facts/cloudside.py)."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(SecurityGroups, fragment, parse, from_root, from_description)
