"""Run ``python -m hardening audit --image`` as CI would, and read its JUnit report."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Gate:
    """One gated run: exit code, output, and the JUnit cases by control id."""

    rc: int
    stdout: str
    stderr: str
    junit: str
    failed: dict[str, str]  # control id -> failure text
    skipped: dict[str, str]
    passed: set[str]


def gate(image: Path, out: Path, *extra: str) -> Gate:
    """Audit ``image`` through the CLI with JUnit and JSON reports and ``extra`` options."""
    xml, js = out / "report.xml", out / "report.json"
    env = {**os.environ, "NO_COLOR": "1", "TERM": "unknown"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hardening",
            "audit",
            "--image",
            str(image),
            "--junit",
            str(xml),
            "--json",
            str(js),
            "--no-progress",
            *extra,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    failed: dict[str, str] = {}
    skipped: dict[str, str] = {}
    passed: set[str] = set()
    text = xml.read_text() if xml.exists() else ""
    if text:
        for case in ET.fromstring(text).iter("testcase"):
            cid = case.get("name", "").split(" ", 1)[0]
            fail, skip = case.find("failure"), case.find("skipped")
            if fail is not None:
                failed[cid] = (fail.get("message") or "") + (fail.text or "")
            elif skip is not None:
                skipped[cid] = (skip.get("message") or "") + (skip.text or "")
            elif case.find("error") is None:
                passed.add(cid)
    return Gate(proc.returncode, proc.stdout, proc.stderr, text, failed, skipped, passed)
