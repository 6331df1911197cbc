from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _table() -> str:
    spec = importlib.util.spec_from_file_location(
        "corpus_table", REPO / "scripts" / "corpus_table.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return str(mod.table())


def test_docs_hold_the_generated_corpus_verdict_table() -> None:
    doc = (REPO / "docs" / "semantics.md").read_text(encoding="utf-8")
    inside = doc.split("<!-- corpus -->\n", 1)[1].split("<!-- /corpus -->", 1)[0]
    assert inside == _table()


def test_every_fail_in_the_corpus_says_why_the_component_earns_it() -> None:
    for path in sorted((REPO / "tests" / "corpus").glob("*/expected.yaml")):
        verdicts = yaml.safe_load(path.read_text(encoding="utf-8"))["verdicts"]
        for cid, v in verdicts.items():
            assert v.get("why"), (path.parent.name, cid)
            if v["status"] == "FAIL":
                assert v["why"].startswith("real:"), (path.parent.name, cid)
