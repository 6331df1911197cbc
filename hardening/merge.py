"""Join the run documents of shards (``--shard K/N``, AWX slices) into one run document.

The hosts of every part are kept as they are; the fleet score and section scores are
recomputed from all results with :mod:`hardening.score` (a fleet score is the pooled weight of
every host, never a mean of the parts' scores). Parts must come from the same benchmark, tool
version and kind of run; a host found in two parts is refused, never silently picked.
Parts that record their shard (``1/3``) must be every shard of one split: a missing shard is
refused unless ``allow_partial``, and then the document says so (``options.partial``) and
every report shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hardening.errors import UsageError
from hardening.model.result import HostRun, RunDocument
from hardening.score import by_section, score


def _same(parts: Sequence[tuple[str, RunDocument]], what: str, attr: str) -> None:
    first_name, first = parts[0]
    for name, doc in parts[1:]:
        if getattr(doc, attr) != getattr(first, attr):
            raise UsageError(
                f"{name}: {what} {getattr(doc, attr)!r} differs from {first_name}'s "
                f"{getattr(first, attr)!r}",
                f"merge only the shards of one run (same {what})",
            )


def _rescored(run: HostRun) -> HostRun:
    return HostRun(
        run.name,
        run.address,
        run.roles,
        run.results,
        score(run.results),
        run.error,
        dict(run.meta),
        by_section(run.results),
    )


def _shards(parts: Sequence[tuple[str, RunDocument]], allow_partial: bool) -> dict[str, Any]:
    """``{}`` for a complete split (or parts that record no shard), else ``options.partial``."""
    split: dict[int, str] = {}
    count: tuple[int, str] | None = None
    for label, doc in parts:
        text = doc.options.get("shard")
        if not text:
            continue
        try:
            index, total = (int(x) for x in str(text).split("/"))
        except ValueError:
            raise UsageError(
                f"{label}: shard {text!r} is not of the form K/N",
                "merge run documents written by 'hardening audit --shard K/N'",
            ) from None
        if count is not None and total != count[0]:
            raise UsageError(
                f"{label}: shard {text} is of a split into {total}, {count[1]} of one into "
                f"{count[0]}",
                "merge the shards of one split (the same N in --shard K/N)",
            )
        count = count or (total, label)
        if index in split:
            raise UsageError(
                f"{label}: shard {text} is also {split[index]}",
                "merge each shard of one run once",
            )
        split[index] = label
    if count is None:
        return {}
    missing = [f"{k}/{count[0]}" for k in range(1, count[0] + 1) if k not in split]
    if not missing:
        return {}
    if not allow_partial:
        raise UsageError(
            f"merge: shard {', '.join(missing)} missing ({len(split)} of {count[0]} given)",
            "pass every shard's run document, or --allow-partial to merge these as a "
            "partial fleet (marked partial in the document and every report)",
        )
    merged = [f"{k}/{count[0]}" for k in sorted(split)]
    return {"merged": merged, "missing": missing}


def merge(parts: Sequence[tuple[str, RunDocument]], *, allow_partial: bool = False) -> RunDocument:
    """Merge ``(label, document)`` pairs; the label (a file name) names the part at fault.

    Shards missing from a split are refused (UsageError) unless ``allow_partial``.
    """
    if not parts:
        raise UsageError("merge: no run documents given", "pass the shards' JSON files")
    _same(parts, "benchmark", "benchmark")
    _same(parts, "tool version", "tool_version")
    _same(parts, "run kind", "kind")
    _same(parts, "schema version", "schema_version")
    partial = _shards(parts, allow_partial)
    seen: dict[str, tuple[int, str]] = {}
    hosts: list[HostRun] = []
    for index, (label, doc) in enumerate(parts):
        for run in doc.hosts:
            if run.name in seen:
                where_index, where_label = seen[run.name]
                where = "twice in it" if where_index == index else f"also in {where_label}"
                raise UsageError(
                    f"{label}: host {run.name!r} is {where}",
                    "the shards overlap; merge each shard of one run once",
                )
            seen[run.name] = (index, label)
            hosts.append(_rescored(run))
    every = [r for h in hosts for r in h.results]
    options: dict[str, Any] = dict(parts[0][1].options)
    options.pop("shard", None)
    options.pop("interrupted", None)
    cut = [_part_label(label, doc) for label, doc in parts if doc.options.get("interrupted")]
    if cut:
        options["interrupted_parts"] = cut  # their cut hosts carry errors: exit 3, not 130
    options["merged_from"] = [_part_label(label, doc) for label, doc in parts]
    if partial:
        options["partial"] = partial
    return RunDocument(
        tool_version=parts[0][1].tool_version,
        benchmark=parts[0][1].benchmark,
        started=min(doc.started for _, doc in parts),
        finished=max(doc.finished for _, doc in parts),
        hosts=tuple(hosts),
        score=score(every),
        sections=by_section(every),
        options=options,
        kind=parts[0][1].kind,
    )


def _part_label(label: str, doc: RunDocument) -> str:
    shard = doc.options.get("shard")
    return f"{label} (shard {shard})" if shard else label
