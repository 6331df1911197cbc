"""Where kube-bench's reference cfg (Apache-2.0 profiles in ../shared) is, for the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CFG = Path(__file__).resolve().parents[2].parent / "shared" / "anchors" / "kube-bench" / "cfg"


def kubebench_cfg() -> Path:
    """The cfg directory; a missing one fails the run under CI and skips it elsewhere."""
    if not (CFG / "config.yaml").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"kube-bench reference cfg missing at {CFG}")
        pytest.skip(f"kube-bench reference cfg not present at {CFG} (shared/ is beside the repo)")
    return CFG
