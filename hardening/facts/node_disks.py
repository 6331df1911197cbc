"""NodeDisks: the cloud disks attached to the node's instance.

Answered by the cloud source (``sources/cloud.py``): Alibaba ``DescribeDisks`` Disk items or
AWS ``describe-volumes`` Volumes, as the API gives them; never by the node or an image.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.facts.base import Answers, Frame, RequestSpec, Root, Section
from hardening.facts.cloudside import from_cloud, off_node
from hardening.model.facts import Absent, Request


@dataclass(frozen=True)
class DiskList:
    """Every disk (volume) attached to the instance, raw."""

    disks: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class NodeDisks(Request[DiskList]):
    """The node's cloud disks."""


def answer(cloud: Mapping[str, Any]) -> DiskList | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = from_cloud(cloud, "disks", "disks")
    return got if isinstance(got, Absent) else DiskList(tuple(got))


def fragment(reqs: Sequence[NodeDisks]) -> list[Section]:
    """No shell: whether a cloud disk is encrypted is the provider's to say."""
    return []


def parse(reqs: Sequence[NodeDisks], frames: Mapping[str, Frame], host: str) -> Answers[NodeDisks]:
    """A probe has no cloud disk facts (the cloud source answers them after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[NodeDisks], root: Root) -> Answers[NodeDisks]:
    """A root filesystem has no cloud disk facts."""
    return off_node(reqs)


def from_description(req: NodeDisks, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["disks"]`` (see facts/cloudside.py)."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(NodeDisks, fragment, parse, from_root, from_description)
