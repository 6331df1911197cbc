"""Find and load benchmark files under ``hardening/benchmarks/cis/<benchmark>/``; reject duplicate
ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hardening.catalogue.schema import DEFAULT_KEYS, build_control
from hardening.catalogue.yamlload import LDict, YamlError, load
from hardening.content import shipped
from hardening.errors import CatalogueError, UsageError
from hardening.model.control import Control
from hardening.safeload import LoadLimitError, read_text


@dataclass(frozen=True)
class Catalogue:
    """The controls of one benchmark (or several), in file order; ``notes`` says how the
    benchmarks were chosen (a kube-bench profile picked, a directory overriding another)."""

    benchmark: str
    title: str
    controls: tuple[Control, ...]
    notes: tuple[str, ...] = ()

    def get(self, control_id: str) -> Control | None:
        """The control with this id, or None."""
        return next((c for c in self.controls if c.id == control_id), None)


def default_root() -> Path:
    """The shipped ``benchmarks/cis`` directory, package data of ``hardening``."""
    return shipped("benchmarks", "cis")


def available(root: Path) -> list[str]:
    """Benchmark names (directories) under ``root``."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.yaml")))


def load_file(path: Path, benchmark: str) -> tuple[str, list[Control]]:
    """Load one YAML file of controls; returns (file title, controls)."""
    shown = str(path)
    try:
        doc = load(read_text(path))
    except (OSError, LoadLimitError) as exc:
        raise CatalogueError(shown, f"cannot read: {exc}") from None
    except YamlError as exc:
        raise CatalogueError(shown, f"invalid YAML: {exc}", line=exc.line or None) from None
    if not isinstance(doc, LDict) or not isinstance(doc.get("controls"), list):
        raise CatalogueError(
            shown, "expected a mapping with a 'controls' list", line=1, field="controls"
        )
    allowed = {"title", "controls", "defaults", "benchmark"}
    for key in doc:
        if key not in allowed:
            raise CatalogueError(
                shown,
                f"unknown top-level key (expected one of: {', '.join(sorted(allowed))})",
                line=doc.line_of(key),
                field=key,
            )
    defaults = doc.get("defaults") or LDict()
    if not isinstance(defaults, LDict):
        raise CatalogueError(
            shown, "defaults must be a mapping", line=doc.line_of("defaults"), field="defaults"
        )
    defaults.key_lines = getattr(defaults, "key_lines", {})
    for key in defaults:
        if key not in DEFAULT_KEYS:
            raise CatalogueError(
                shown,
                f"key cannot be defaulted (allowed: {', '.join(sorted(DEFAULT_KEYS))})",
                line=defaults.line_of(key),
                field=f"defaults.{key}",
            )
    return str(doc.get("title") or ""), [
        build_control(shown, c, defaults, benchmark) for c in doc["controls"]
    ]


def load_benchmark(name: str, root: Path | None = None) -> Catalogue:
    """Load every ``*.yaml`` of one benchmark directory, in name order."""
    root = root or default_root()
    directory = root / name
    if not directory.is_dir():
        raise UsageError(
            f"benchmark '{name}' not found under {root}",
            f"available: {', '.join(available(root)) or 'none'}",
        )
    controls: list[Control] = []
    seen: dict[str, str] = {}
    title = name
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "benchmark.yaml":
            try:
                meta = load(read_text(path))
            except (OSError, LoadLimitError, YamlError) as exc:
                raise CatalogueError(str(path), f"cannot read: {exc}") from None
            title = str(meta.get("title", name)) if isinstance(meta, LDict) else name
            continue
        _, items = load_file(path, name)
        for c in items:
            if c.id in seen:
                raise CatalogueError(
                    str(path),
                    f"duplicate control id (first defined at {seen[c.id]})",
                    line=int(c.source.rsplit(":", 1)[1]),
                    control_id=c.id,
                    field="id",
                )
            seen[c.id] = c.source
            controls.append(c)
    return Catalogue(name, title, tuple(controls))


def unique_across(controls: Iterable[Control]) -> None:
    """Raise CatalogueError at the first control id that two benchmarks both define."""
    seen: dict[str, str] = {}
    for c in controls:
        if c.id in seen:
            raise CatalogueError(
                c.source, f"control id also defined in {seen[c.id]}", control_id=c.id, field="id"
            )
        seen[c.id] = c.source


def load_many(names: list[str], root: Path | None = None) -> Catalogue:
    """Several benchmarks as one catalogue (ids must stay unique across them)."""
    if root is not None and root.is_dir() and (root / "config.yaml").is_file():
        from hardening.catalogue import kubebench  # kube-bench cfg dir: compatibility mode

        if kubebench.is_kubebench_dir(root):
            return Catalogue(*kubebench.load_many(names, root))
    cats = [load_benchmark(n, root) for n in names]
    if len(cats) == 1:
        return cats[0]
    unique_across(c for cat in cats for c in cat.controls)
    return Catalogue(
        "+".join(names),
        " + ".join(c.title for c in cats),
        tuple(c for cat in cats for c in cat.controls),
    )
