"""image_size: the image's size and layer count, reported and held to optional limits.

The observed value always carries the layer count, the stored (compressed) size of the
layers and the size of the files in the merged filesystem, so every report shows them.
It FAILs only past ``max_layers`` or ``max_size_mb`` (stored size); 0 means no limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.checks.base import CheckKind, Outcome, pass_fail
from hardening.facts.image_config import ImageConfig
from hardening.model.facts import Absent, FactRequest, Facts

MB = 1024 * 1024


@dataclass(frozen=True)
class Params:
    """YAML: ``max_layers`` and ``max_size_mb`` (0: no limit)."""

    max_layers: int = 0
    max_size_mb: int = 0


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The image config (which carries size and layer count)."""
    return (ImageConfig(),)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """PASS with the figures, FAIL past a limit."""
    cfg = facts.get(ImageConfig())
    source = "image manifest and layers"
    if isinstance(cfg, Absent):
        return Outcome.absent(cfg, source=source)
    layers, size, files = cfg.layers, cfg.size, cfg.files_size
    observed = f"{layers} layers, {size / MB:.1f} MiB stored, {files / MB:.1f} MiB of files"
    limits = []
    over = []
    if p.max_layers:
        limits.append(f"at most {p.max_layers} layers")
        if layers > p.max_layers:
            over.append(f"{layers} layers > {p.max_layers}")
    if p.max_size_mb:
        limits.append(f"at most {p.max_size_mb} MiB stored")
        if size > p.max_size_mb * MB:
            over.append(f"{size / MB:.1f} MiB > {p.max_size_mb} MiB")
    return Outcome(
        pass_fail(not over),
        observed,
        "; ".join(limits) or "no limit (reported)",
        source,
        details=tuple(over),
    )


KIND = CheckKind("image_size", Params, needs, evaluate, __doc__ or "")
