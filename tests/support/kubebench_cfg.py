"""Where kube-bench's reference cfg is, for the tests: vendored in tests/vendor/kube-bench/cfg
(Apache-2.0 data, with its LICENSE and UPSTREAM_COMMIT.txt), so the suite reads nothing
outside the repository."""

from __future__ import annotations

from pathlib import Path

CFG = Path(__file__).resolve().parents[1] / "vendor" / "kube-bench" / "cfg"


def kubebench_cfg() -> Path:
    """The vendored cfg directory (config.yaml + the ack-1.0, cis-1.10, cis-1.12 profiles)."""
    assert (CFG / "config.yaml").is_file(), f"the vendored kube-bench cfg is missing at {CFG}"
    return CFG
