"""Cluster object sources and the one gathering step every source shares.

A source yields the pages of one resource's list. ``ResourceUnreadable`` means that one
resource cannot be listed (403, not exported, not served): its controls become ERROR and
the rest go on. ``ClusterError`` means nothing can be read (401, unreachable).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from hardening.facts.cluster_list import ClusterList, project, sort_key
from hardening.model.cluster import RESOURCES, ClusterObjects, Resource
from hardening.model.facts import Absent, Facts, Request


class ResourceUnreadable(Exception):
    """One resource could not be listed; the message is the reason shown as evidence."""


class ListExpired(Exception):
    """The continue token went stale (410 Gone) mid-list: read the resource again."""


RETRIES = 3  # fresh lists after a 410 Gone before the resource counts as unreadable


class ObjectSource(Protocol):
    """Answers "list resource R in every namespace", one page at a time."""

    label: str  # where the objects come from, for evidence ("the API server at ...")

    def pages(self, resource: Resource) -> Iterator[Sequence[Mapping[str, Any]]]:
        """Every page of the resource's list, in order."""
        ...

    def close(self) -> None:
        """Release connections (nothing for files)."""
        ...


def read(source: ObjectSource, resource: Resource) -> ClusterObjects | Absent:
    """All objects of one resource, projected and sorted, or Absent with the reason."""
    for _attempt in range(RETRIES):
        try:
            items = [project(resource, o) for page in source.pages(resource) for o in page]
            break
        except ListExpired:
            continue  # the partial list is dropped: a fresh list from the first page
        except ResourceUnreadable as exc:
            return Absent(str(exc), is_error=True)
    else:
        return Absent(
            f"the list of {resource.plural} expired (410 Gone) {RETRIES} times "
            "in a row; audit again when the cluster is calmer",
            is_error=True,
        )
    items.sort(key=sort_key)
    return ClusterObjects(resource.plural, tuple(items), source.label)


def gather(source: ObjectSource, requests: Iterable[Request[Any]], name: str = "cluster") -> Facts:
    """The cluster's Facts: every ClusterList among ``requests`` answered from ``source``.

    ``ClusterError`` (nothing readable) propagates to the caller.
    """
    values: dict[Request[Any], Any] = {}
    for req in requests:
        if isinstance(req, ClusterList) and req not in values:
            values[req] = read(source, RESOURCES[req.resource])
    listed = [v for v in values.values() if isinstance(v, ClusterObjects)]
    meta = {"source": source.label, "objects": str(sum(len(v.items) for v in listed))}
    return Facts(name, values, meta)
