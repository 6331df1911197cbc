"""The offline source: ``kubectl get RESOURCE -A -o json`` exports in one directory.

Each resource is one file named after it (``pods.json``, ``clusterrolebindings.json``), as
the loop in docs/cluster.md writes them. A file that is missing makes that resource's
controls ERROR (an empty list and a missing export must not look alike).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hardening.cluster.source import ResourceUnreadable
from hardening.errors import ClusterError
from hardening.model.cluster import Resource
from hardening.safeload import LoadLimitError, load_json, read_bytes

MAX_BYTES = 1 << 30  # one export file; a bigger one is refused, not read into memory


class ExportSource:
    """Lists resources from the JSON files ``kubectl get -o json`` wrote into ``root``."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise ClusterError(
                f"{root}: not a directory of cluster exports",
                "pass the directory the kubectl loop in docs/cluster.md wrote",
            )
        self.root = root
        self.label = f"kubectl exports in {root}"

    def _load(self, resource: Resource) -> Mapping[str, Any]:
        path = self.root / f"{resource.plural}.json"
        cmd = f"kubectl get {resource.plural}{' -A' if resource.namespaced else ''} -o json"
        if not path.exists():
            raise ResourceUnreadable(f"{path}: not exported; write it with '{cmd} > {path}'")
        try:  # a regular file within the limit, nested no deeper than safeload allows
            doc = load_json(read_bytes(path, MAX_BYTES), str(path))
        except LoadLimitError as exc:
            raise ResourceUnreadable(str(exc)) from None
        except ValueError as exc:
            raise ResourceUnreadable(
                f"{path}: not a JSON export ({type(exc).__name__}); write it with '{cmd} > {path}'"
            ) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            raise ResourceUnreadable(f"{path}: expected a list with 'items' ({cmd})")
        return doc

    def pages(self, resource: Resource) -> Iterator[Sequence[Mapping[str, Any]]]:
        """The one page the export holds; every item must be of the resource's kind."""
        doc = self._load(resource)
        items = [i for i in doc["items"] if isinstance(i, dict)]
        wrong = [i.get("kind") for i in items if i.get("kind") not in (None, resource.kind)]
        if wrong:
            raise ResourceUnreadable(
                f"{self.root / (resource.plural + '.json')}: holds "
                f"{wrong[0]} objects, expected {resource.kind}"
            )
        yield items

    def close(self) -> None:
        """Nothing to release: each export is read and closed on its own."""
