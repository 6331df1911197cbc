"""The HTML report without a browser: self-contained, escaped, CSP hashes match."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from lxml import html as lxml_html

from hardening.reports import html
from hardening.reports.registry import REPORTERS, reporter
from tests.unit.reports.sample import IMG, SCRIPT, fleet


def _page() -> str:
    return html.dumps(fleet())


def test_nothing_external_is_referenced() -> None:
    page = _page()
    start, end = page.index('<script type="application/json"'), page.index("</script>")
    markup = page[:start] + page[end:]  # the data block holds hostile node strings as JSON
    assert re.search(r"https?:|//[a-z]|src=|href=|@import|url\(", markup, re.I) is None
    assert re.search(r"https?://", page) is None
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//link | //img | //iframe | //object | //embed") == []


def test_hostile_strings_are_never_raw_markup() -> None:
    page = _page()
    assert SCRIPT not in page and IMG not in page
    assert "<img" not in page
    tree = lxml_html.fromstring(page)
    assert len(tree.xpath("//script")) == 2
    data = tree.xpath("//script[@id='run-data']")[0]
    assert data.get("type") == "application/json"
    assert "</" not in data.text_content()
    assert any(SCRIPT in s for s in json.loads(data.text_content())["strings"])


def test_csp_allows_exactly_the_inline_script_and_style() -> None:
    page = _page()
    tree = lxml_html.fromstring(page)
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    for tag in ("script", "style"):
        body = next(e.text for e in tree.xpath(f"//{tag}") if e.get("type") is None)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in csp
    assert "unsafe" not in csp


def test_host_names_in_the_summary_are_escaped() -> None:
    doc = fleet()
    evil = doc.hosts[0].__class__(**{**doc.hosts[0].__dict__, "name": IMG})
    page = html.dumps(doc.__class__(**{**doc.__dict__, "hosts": (evil, *doc.hosts[1:])}))
    assert IMG not in page
    assert "&#34;&gt;&lt;img src=x onerror=window.__pwned=1&gt;" in page


def test_payload_is_compact_and_worst_first() -> None:
    p = html.payload(fleet())
    assert p["strings"][0] == ""
    assert len(p["strings"]) == len(set(p["strings"]))
    statuses = [row[2] for row in p["results"]]
    assert statuses == sorted(statuses)
    assert p["statuses"][0] == "FAIL"
    assert len(p["results"]) == sum(len(h.results) for h in fleet().hosts)


def test_registered_and_writes_a_file(tmp_path: Path) -> None:
    assert REPORTERS["html"] == "hardening.reports.html"
    dest = tmp_path / "r.html"
    reporter("html").render(fleet(), dest)
    assert dest.read_text("utf-8").startswith("<!DOCTYPE html>")
