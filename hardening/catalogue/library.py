"""Where benchmarks come from: the shipped tree first, then each ``--benchmark-dir`` in order.

A later directory adds benchmarks or overrides one of the same name (the override is said in
the catalogue's notes, which the CLI prints and the run document records). A directory is
either native (``<dir>/<benchmark>/*.yaml``) or a kube-bench cfg (config.yaml + profile
directories), whose profiles are benchmarks like any other. Without ``-b`` the defaults are
``cis-1.12`` + ``node-os``, or, when a kube-bench cfg is given, the profile its
``version_mapping`` gives (``kubebench_versions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hardening.catalogue import kubebench, kubebench_versions
from hardening.catalogue.load import (
    Catalogue,
    available,
    default_root,
    load_benchmark,
    unique_across,
)
from hardening.errors import UsageError
from hardening.model.control import Control

DEFAULT_BENCHMARKS = ("cis-1.12", "node-os")


@dataclass(frozen=True)
class Shelf:
    """One benchmark directory: its root, whether it is a kube-bench cfg, its benchmarks."""

    root: Path
    kubebench: bool
    names: tuple[str, ...]
    shipped: bool = False

    @property
    def label(self) -> str:
        """How notes name it."""
        if self.shipped:
            return "the shipped benchmarks"
        return f"{self.root} (kube-bench cfg)" if self.kubebench else str(self.root)

    def load(self, name: str) -> tuple[str, tuple[Control, ...]]:
        """(title, controls) of one benchmark of this directory."""
        if self.kubebench:
            return f"kube-bench {name}", tuple(kubebench.load_profile(self.root, name)[1])
        cat = load_benchmark(name, self.root)
        return cat.title, cat.controls


def shelf(root: Path, shipped: bool = False) -> Shelf:
    """The benchmarks of ``root``; a UsageError when it holds none."""
    if not root.is_dir():
        raise UsageError(
            f"--benchmark-dir {root}: not a directory",
            "give a directory of benchmarks (DIR/<benchmark>/*.yaml) or a kube-bench cfg",
        )
    if kubebench.is_kubebench_dir(root):
        return Shelf(root, True, tuple(kubebench.available(root)), shipped)
    names = tuple(available(root))
    if not names:
        hint = "give a directory of benchmarks (DIR/<benchmark>/*.yaml) or a kube-bench cfg"
        if any(root.glob("*.yaml")):
            hint = (
                f"it holds control files itself: give its parent, --benchmark-dir {root.parent}, "
                f"and pick it with -b {root.name}"
            )
        raise UsageError(f"--benchmark-dir {root}: no benchmark in it", hint)
    return Shelf(root, False, names, shipped)


@dataclass(frozen=True)
class Library:
    """The shelves in search order: shipped first, later ones winning by name."""

    shelves: tuple[Shelf, ...]

    @classmethod
    def of(cls, dirs: Sequence[Path] | None) -> Library:
        """The shipped benchmarks plus ``dirs`` (``--benchmark-dir``, in the order given)."""
        return cls((shelf(default_root(), shipped=True), *(shelf(Path(d)) for d in dirs or ())))

    def names(self) -> list[str]:
        """Every benchmark name, sorted."""
        return sorted({n for s in self.shelves for n in s.names})

    def find(self, name: str) -> tuple[Shelf, list[Shelf]]:
        """The shelf that provides ``name`` (the last holding it) and those it overrides."""
        holders = [s for s in self.shelves if name in s.names]
        if not holders:
            raise UsageError(
                f"benchmark '{name}' not found in {self._where()}",
                f"available: {', '.join(self.names()) or 'none'}",
            )
        return holders[-1], holders[:-1]

    def _where(self) -> str:
        return ", ".join(s.label for s in self.shelves)

    def defaults(self, kube_version: str | None) -> tuple[list[str], list[str]]:
        """(benchmark names, notes) when no ``-b`` is given."""
        cfgs = [s for s in self.shelves if s.kubebench and not s.shipped]
        if cfgs:
            choice = kubebench_versions.choose(cfgs[-1].root, list(cfgs[-1].names), kube_version)
            return [choice.profile], [choice.note]
        if kube_version is not None:
            raise UsageError(
                f"--kube-version {kube_version}: it picks a profile of a kube-bench cfg, "
                "and no --benchmark-dir is one",
                "give --benchmark-dir KUBE_BENCH_CFG, or pick benchmarks with -b NAME",
            )
        return list(DEFAULT_BENCHMARKS), []

    def load(self, names: Sequence[str] | None, kube_version: str | None = None) -> Catalogue:
        """The catalogue of ``names`` (None: the defaults); ids must stay unique across them."""
        if names and kube_version is not None:
            raise UsageError(
                "-b and --kube-version: give one (kube-bench refuses both as well)",
                "-b NAME names the profile; --kube-version X.Y picks it from version_mapping",
            )
        chosen, notes = (list(names), []) if names else self.defaults(kube_version)
        titles: list[str] = []
        controls: list[Control] = []
        for name in chosen:
            where, hidden = self.find(name)
            if hidden:
                notes.append(
                    f"benchmark '{name}': {where.label} overrides "
                    f"{', '.join(s.label for s in hidden)}"
                )
            title, items = where.load(name)
            titles.append(title)
            controls.extend(items)
        unique_across(controls)
        return Catalogue("+".join(chosen), " + ".join(titles), tuple(controls), tuple(notes))


def matches(cid: str, pattern: str) -> bool:
    """``pattern`` names ``cid`` or a section above it (``1.2`` covers ``1.2.1`` and ``1.2.10``,
    not ``1.20``); a trailing ``*`` is a plain prefix (``1.2*`` covers ``1.20`` too)."""
    if pattern.endswith("*"):
        return cid.startswith(pattern[:-1])
    return cid == pattern or cid.startswith(pattern + ".")


def narrow(
    cat: Catalogue,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    level: int | None = None,
) -> Catalogue:
    """``cat`` cut to ``--control`` (``only``: an id, or a prefix ending in ``*``), without
    ``--skip`` (see ``matches``) and above ``--level``.

    CIS profiles nest: Level 2 holds every Level 1 control, so ``level=1`` keeps level 1
    and ``level=2`` keeps both. A selection that leaves nothing is a UsageError.
    """
    keep = [
        c
        for c in cat.controls
        if (not only or any(c.id == p or (p.endswith("*") and matches(c.id, p)) for p in only))
        and not any(matches(c.id, p) for p in skip)
        and (level is None or c.level <= level)
    ]
    if not keep:
        asked = [*(f"--control {p}" for p in only), *(f"--skip {p}" for p in skip)]
        if level is not None:
            asked.append(f"--level {level}")
        raise UsageError(
            f"no control of {cat.benchmark} is left by {' '.join(asked)}",
            "list ids and levels with 'hardening controls list'",
        )
    return Catalogue(cat.benchmark, cat.title, tuple(keep), cat.notes)
