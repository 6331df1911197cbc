"""Which profile of a kube-bench cfg to run: config.yaml's ``version_mapping``, read as kube-bench
reads it.

kube-bench (cmd/common.go ``getBenchmarkVersion``, ``mapToBenchmarkVersion``; cmd/util.go
``decrementVersion``) takes the Kubernetes version it detects on the node (or ``--version``),
looks it up in ``version_mapping``, and while there is no entry lowers the minor version by
one (1.35 -> 1.34 -> ...) down to x.1. A run here does not ask the node before the catalogue
is loaded, so the version comes from ``--kube-version``; without it the profile of the newest
Kubernetes version the mapping names, among the profiles the directory holds, is used and
the choice is said (``Choice.note``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hardening.catalogue.yamlload import LDict, YamlError, load
from hardening.errors import CatalogueError, UsageError
from hardening.safeload import LoadLimitError, read_text

_X_Y = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?")


@dataclass(frozen=True)
class Choice:
    """The profile picked and the sentence that says why."""

    profile: str
    note: str


def version_mapping(root: Path) -> dict[str, str]:
    """``version_mapping`` of ``root/config.yaml`` (Kubernetes version -> profile name)."""
    path = root / "config.yaml"
    try:
        doc = load(read_text(path))
    except (OSError, LoadLimitError) as exc:
        raise CatalogueError(str(path), f"cannot read: {exc}") from None
    except YamlError as exc:
        raise CatalogueError(str(path), f"invalid YAML: {exc}", line=exc.line or None) from None
    mapping = doc.get("version_mapping") if isinstance(doc, LDict) else None
    if not isinstance(mapping, dict):
        return {}
    return {str(k): str(v) for k, v in mapping.items() if v is not None}


def base_version(text: str) -> str:
    """``v1.32.3`` / ``1.32`` -> ``1.32`` (kube-bench's ``BaseVersion``); other text as is."""
    m = _X_Y.fullmatch(text.strip())
    return f"{m.group(1)}.{m.group(2)}" if m else text.strip()


def decrement(version: str) -> str:
    """``1.35`` -> ``1.34``; ``""`` once the minor version is 1 or the text is not x.y."""
    major, sep, minor = version.partition(".")
    if not sep or not minor.isdigit() or int(minor) <= 1:
        return ""
    return f"{major}.{int(minor) - 1}"


def map_version(mapping: dict[str, str], kube_version: str) -> str | None:
    """The profile for ``kube_version``: its own entry, else that of the nearest lower minor."""
    kv = base_version(kube_version)
    while kv:
        if kv in mapping:
            return mapping[kv]
        kv = decrement(kv)
    return None


def _numeric(key: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d+)\.(\d+)", key)
    return (int(m.group(1)), int(m.group(2))) if m else None


def choose(root: Path, profiles: list[str], kube_version: str | None) -> Choice:
    """The profile of the cfg at ``root`` for ``kube_version`` (None: the newest mapped).

    A UsageError names the profiles there are when the mapping leads to none of them.
    """
    mapping = version_mapping(root)
    here = ", ".join(profiles) or "none"
    if kube_version is not None:
        profile = map_version(mapping, kube_version)
        if profile is None:
            raise UsageError(
                f"{root}/config.yaml: version_mapping has no entry for Kubernetes "
                f"'{kube_version}' or an earlier minor version",
                f"pick a profile with -b NAME (profiles here: {here})",
            )
        if profile not in profiles:
            raise UsageError(
                f"{root}: version_mapping maps Kubernetes '{kube_version}' to profile "
                f"'{profile}', which this directory does not hold",
                f"pick a profile with -b NAME (profiles here: {here})",
            )
        return Choice(
            profile, f"kube-bench cfg {root}: Kubernetes {kube_version} -> profile '{profile}'"
        )
    ranked = sorted(
        ((v, k) for k, p in mapping.items() if p in profiles and (v := _numeric(k)) is not None),
        reverse=True,
    )
    if not ranked:
        raise UsageError(
            f"{root}: no -b given and version_mapping names none of this directory's profiles",
            f"pick a profile with -b NAME (profiles here: {here}), or give --kube-version X.Y",
        )
    (_, key), profile = ranked[0], mapping[ranked[0][1]]
    return Choice(
        profile,
        f"kube-bench cfg {root}: no -b or --kube-version given; using profile '{profile}', "
        f"which version_mapping gives the newest Kubernetes version it names ({key}); "
        f"profiles here: {here}",
    )
