"""The report excerpts in docs/reports.md are what a real audit writes today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_docs_reports_excerpts_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "doc_excerpts.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, (
        "docs/reports.md shows report excerpts that the reporters no longer write: run "
        f"`python scripts/doc_excerpts.py` and review the diff\n{proc.stderr}"
    )


def test_a_stale_excerpt_is_found(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import doc_excerpts
    finally:
        sys.path.pop(0)
    text = "a\n<!-- excerpt:gitlab -->\nold\n<!-- /excerpt -->\nb\n"
    out = doc_excerpts.render(text, {"gitlab": "new"})
    assert out == "a\n<!-- excerpt:gitlab -->\nnew\n<!-- /excerpt -->\nb\n"
    try:
        doc_excerpts.render(text, {"gitlab": "new", "sarif": "x"})
    except SystemExit as exc:
        assert "sarif" in str(exc)
    else:
        raise AssertionError("a missing marker was not reported")
