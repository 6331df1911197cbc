"""CloudInstance: the node's instance as the provider describes it (addresses, VPC, subnet).

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
class InstanceDoc:
    """One Alibaba ``DescribeInstances`` Instance item or AWS ``describe-instances`` one."""

    doc: Mapping[str, Any]


@dataclass(frozen=True)
class CloudInstance(Request[InstanceDoc]):
    """The description of the instance the node runs on."""


def answer(cloud: Mapping[str, Any]) -> InstanceDoc | Absent:
    """The fact from a joined cloud mapping (``cloud/inventory.py:join``)."""
    got = from_cloud(cloud, "instance_doc", "instance description")
    return got if isinstance(got, Absent) else InstanceDoc(got)


def fragment(reqs: Sequence[CloudInstance]) -> list[Section]:
    """No shell: the node's probe does not describe its instance."""
    return []


def parse(
    reqs: Sequence[CloudInstance], frames: Mapping[str, Frame], host: str
) -> Answers[CloudInstance]:
    """A probe has no instance description (the cloud source answers it after it)."""
    return off_node(reqs)


def from_root(reqs: Sequence[CloudInstance], root: Root) -> Answers[CloudInstance]:
    """A root filesystem has no instance description."""
    return off_node(reqs)


def from_description(req: CloudInstance, desc: Mapping[str, Any]) -> Any:
    """``desc["cloud"]["instance_doc"]`` (see facts/cloudside.py)."""
    return answer(desc.get("cloud") or {})


SPEC = RequestSpec(CloudInstance, fragment, parse, from_root, from_description)
