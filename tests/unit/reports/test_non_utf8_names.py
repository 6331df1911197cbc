"""A setuid file whose name is not valid UTF-8: carried losslessly, shown escaped everywhere.

The probe decodes names with surrogateescape, so ``b"evil\\xff\\xfe"`` arrives as
``"evil\\udcff\\udcfe"``. Before the fix the JSON, HTML, SARIF and terminal writers raised
UnicodeEncodeError (exit 70, no report).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from hardening.model.result import RunDocument, Status
from hardening.reports import gitlab_codequality, html, json_doc, junit, ocsf, sarif, terminal
from tests.unit.reports.sample import document, host, result

RAW = b"/usr/local/bin/evil\xff\xfe-setuid"
NAME = RAW.decode("utf-8", "surrogateescape")
SHOWN = "/usr/local/bin/evil\\xff\\xfe-setuid"
PLAIN = "/usr/local/bin/na\u00efve-setuid"  # valid UTF-8: written as it is everywhere


def run(name: str) -> RunDocument:
    return document(
        [
            host(
                "worker-1",
                [
                    result(
                        "NODE-2.1",
                        Status.FAIL,
                        name,
                        expected="only allow-listed setuid files",
                        source=f"find / -perm -4000: {name}",
                        reason=f"not allow-listed: {name}",
                    ),
                    result("4.1.1", Status.PASS, "600", expected="<= 600", source="/etc/kubelet"),
                ],
            )
        ]
    )


def test_the_json_document_keeps_the_bytes_as_escapes_and_reads_back(tmp_path: Path) -> None:
    dest = tmp_path / "run.json"
    json_doc.render(run(NAME), dest)
    text = dest.read_bytes().decode("utf-8")  # strict: the file is valid UTF-8
    assert "evil\\udcff\\udcfe-setuid" in text
    again = json_doc.read(dest)
    observed = again.targets[0].results[0].evidence.observed
    assert observed == NAME
    assert observed.encode("utf-8", "surrogateescape") == RAW  # lossless
    assert json_doc.dumps(again) == text


def test_valid_utf8_is_written_as_it_is(tmp_path: Path) -> None:
    dest = tmp_path / "run.json"
    json_doc.render(run(PLAIN), dest)
    assert PLAIN in dest.read_text(encoding="utf-8")
    assert "na\\u00efve" in html.dumps(run(PLAIN)) or PLAIN in html.dumps(run(PLAIN))
    assert PLAIN in junit.dumps(run(PLAIN))


def test_html_carries_the_bytes_escaped() -> None:
    """(What Chromium shows is tests/browser/test_html_non_utf8.py.)"""
    page = html.dumps(run(NAME))
    page.encode("utf-8")
    assert SHOWN.replace("\\", "\\\\") in page  # inside the page's JSON data block
    assert "\udcff" not in page


def test_junit_shows_the_bytes_escaped() -> None:
    text = junit.dumps(run(NAME))
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find(".//failure")
    assert failure is not None and SHOWN in (failure.text or "")


def test_the_terminal_shows_the_bytes_escaped() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    terminal.render_console(run(NAME), Console(file=out, width=200, color_system=None))
    out.flush()
    assert SHOWN in raw.getvalue().decode("utf-8")


@pytest.mark.parametrize("module", [sarif, gitlab_codequality, ocsf])
def test_the_other_machine_formats_stay_valid(module: object, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    module.render(run(NAME), dest)  # type: ignore[attr-defined]
    text = dest.read_bytes().decode("utf-8")
    docs = (
        [json.loads(line) for line in text.splitlines() if line.strip()]
        if module is ocsf
        else [json.loads(text)]
    )
    assert docs and "\udcff" not in text
