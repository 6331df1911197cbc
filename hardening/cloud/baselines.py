"""Reference least-privilege worker policies, shipped as data in
hardening/benchmarks/cis/cloud/baselines.

Read once, when the catalogue builds a control's Params (never during evaluation).
"""

from __future__ import annotations

import json
from functools import lru_cache

from hardening.content import shipped

BASELINE_DIR = shipped("benchmarks", "cis", "cloud", "baselines")
AUTO = {"ram": "ack-worker", "iam": "eks-worker"}


def names() -> list[str]:
    """The shipped baseline names."""
    return sorted(p.stem for p in BASELINE_DIR.glob("*.json"))


@lru_cache(maxsize=16)
def actions(name: str) -> tuple[str, ...]:
    """The action patterns of baseline ``name``; ValueError when it is unknown or broken."""
    path = BASELINE_DIR / f"{name}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"unknown baseline '{name}' (expected one of: {', '.join(names())})"
        ) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the baseline: {exc}") from None
    acts = doc.get("actions") if isinstance(doc, dict) else None
    if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
        raise ValueError(f"{path}: 'actions' must be a list of action names")
    return tuple(acts)
