"""reports/jsontext.py: indented to a depth, one line below it, the same data."""

from __future__ import annotations

import json
from pathlib import Path

from hardening.reports.json_doc import dumps, read
from hardening.reports.jsontext import layered
from tests.unit.reports.test_finding_formats import fleet

DATA = {"a": [1, {"b": [True, None, "x\u00e9"]}], "empty": {}, "list": [], "n": 2.5}


def test_infinite_depth_is_json_dumps_indent_2() -> None:
    assert layered(DATA, 99) == json.dumps(DATA, indent=2)


def test_below_the_depth_a_value_is_one_line() -> None:
    text = layered(DATA, 2, ensure_ascii=False)
    assert json.loads(text) == DATA
    assert '    {"b": [true, null, "x\u00e9"]}' in text.splitlines()


def test_the_run_document_has_one_result_per_line_and_reads_back(tmp_path: Path) -> None:
    doc = fleet()
    text = dumps(doc)
    results = sum(len(h.results) for h in doc.hosts)
    assert sum(1 for line in text.splitlines() if line.startswith('        {"id": ')) == results
    path = tmp_path / "run.json"
    path.write_text(text, encoding="utf-8")
    assert read(path).to_dict() == doc.to_dict()
    assert text == layered(doc.to_dict(), 4, ensure_ascii=False) + "\n"  # chunked == whole
