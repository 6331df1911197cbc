"""The HTML report in real headless Chromium: no console errors, filters change the
visible rows, hostile node strings render as inert text; saves docs/report-screenshot.png."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from playwright.sync_api import Browser, Page, sync_playwright

from hardening.reports import html
from tests.unit.reports.sample import IMG, SCRIPT, fleet

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; install the Debian package chromium")
        pytest.skip(f"{CHROMIUM} is missing; install the Debian package chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Opened:
    """A page with the report loaded and every console error and page error recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def visible_rows(self) -> int:
        return self.page.locator("#results tbody tr.row").count()


@pytest.fixture()
def report(browser: Browser, tmp_path: Path) -> Iterator[Opened]:
    dest = tmp_path / "report.html"
    html.render(fleet(), dest)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    opened = Opened(page)
    page.goto(dest.as_uri())
    page.wait_for_selector("#results tbody tr.row")
    yield opened
    page.close()


def test_loads_offline_without_console_errors(report: Opened) -> None:
    assert report.errors == []
    assert report.requests == [report.page.url]  # the file itself; nothing else fetched
    assert report.visible_rows() == sum(len(h.results) for h in fleet().hosts)
    assert report.page.locator("#matrix tbody tr").count() == len(fleet().hosts)
    assert (
        report.page.locator("#fleet-score").inner_text().count(f"{fleet().score.percent:.1f}%") == 1
    )


def test_status_filter_changes_visible_rows(report: Opened) -> None:
    total = report.visible_rows()
    for status in ("PASS", "SKIP", "WARN", "ERROR", "WAIVED"):
        report.page.locator(f"input[name=status][value={status}]").uncheck()
    fails = report.visible_rows()
    assert fails == fleet().score.counts["FAIL"]
    assert 0 < fails < total
    statuses = report.page.locator("#results tbody tr.row td:first-child").all_inner_texts()
    assert set(statuses) == {"FAIL"}
    assert report.page.locator("#matrix .cell:not(.dim)").count() == fails
    assert report.errors == []


def test_host_role_section_severity_and_search_filters(report: Opened) -> None:
    p, total = report.page, report.visible_rows()
    p.select_option("#f-host", "worker-2")
    assert report.visible_rows() == 10
    assert p.locator("#matrix tbody tr").count() == 1
    p.select_option("#f-host", "")
    p.select_option("#f-role", "control-plane")
    assert report.visible_rows() == 10
    p.select_option("#f-role", "")
    p.select_option("#f-section", "4.2 Kubelet")
    assert report.visible_rows() == 4 * len(fleet().hosts)
    p.select_option("#f-severity", "critical")
    assert report.visible_rows() == 2 * len(fleet().hosts)
    p.click("#f-reset")
    assert report.visible_rows() == total
    p.fill("#f-text", "10255")  # observed on worker-2 (FAIL) and worker-3 (WAIVED)
    assert report.visible_rows() == 2
    assert report.errors == []


def test_hostile_strings_render_as_text_and_do_not_run(report: Opened) -> None:
    p = report.page
    p.fill("#f-text", "onerror")
    assert report.visible_rows() == 1
    p.click("#results tbody tr.row")
    detail = p.locator("#results tr.detail")
    assert IMG in detail.inner_text()
    p.fill("#f-text", "__pwned=1</script")
    p.click("#results tbody tr.row")
    assert SCRIPT in p.locator("#results tr.detail").inner_text()
    assert p.evaluate("typeof window.__pwned") == "undefined"
    assert p.locator("img").count() == 0
    assert p.locator("script").count() == 2  # the data block and the report's own script
    assert report.errors == []


def test_control_characters_are_shown_as_escapes(report: Opened) -> None:
    p = report.page
    p.select_option("#f-host", "worker-2")
    p.fill("#f-text", "NODE-1.1")
    p.click("#results tbody tr.row")
    text = p.locator("#results tr.detail").inner_text()
    assert "nul\\x00 bell\\x07 esc\\x1b[31m vt\\x0b end ]]> & 'q' \"dq\"" in text
    assert report.errors == []


def test_result_detail_shows_evidence_expected_remediation_and_tag(report: Opened) -> None:
    p = report.page
    p.fill("#f-text", "config.yaml")
    p.select_option("#f-host", "worker-1")
    p.click("#results tbody tr.row")
    text = p.locator("#results tr.detail").inner_text()
    for part in ("<= 600", "644", "stat config.yaml", "fix 4.1.9", "cis-4.1.9"):
        assert part in text


def test_matrix_cell_click_focuses_the_result(report: Opened) -> None:
    p = report.page
    p.locator("#matrix .cell.c0").first.click()
    assert report.visible_rows() >= 1
    assert p.locator("#results tr.detail").count() == 1
    assert report.errors == []


def test_screenshot_for_the_docs(browser: Browser, tmp_path: Path) -> None:
    dest = tmp_path / "report.html"
    html.render(fleet(), dest)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    opened = Opened(page)
    page.goto(dest.as_uri())
    for status in ("PASS", "SKIP"):
        page.locator(f"input[name=status][value={status}]").uncheck()
    page.locator("#results tbody tr.row").nth(1).click()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()
    assert opened.errors == []
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_real_local_audit_renders_in_all_three_formats(browser: Browser, tmp_path: Path) -> None:
    out = {k: tmp_path / f"run.{k}" for k in ("json", "html", "xml")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hardening",
            "audit",
            "--local",
            "--quiet",
            "--json",
            str(out["json"]),
            "--html",
            str(out["html"]),
            "--junit",
            str(out["xml"]),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    schema = json.loads((ROOT / "hardening/reports/schema/run-v1.json").read_text("utf-8"))
    data = json.loads(out["json"].read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    xmlschema.XMLSchema(str(ROOT / "tests/fixtures/junit/junit.xsd")).validate(str(out["xml"]))
    page = browser.new_page()
    opened = Opened(page)
    page.goto(out["html"].as_uri())
    page.wait_for_selector("#results tbody tr.row")
    assert opened.visible_rows() == sum(len(h["results"]) for h in data["hosts"])
    page.close()
    assert opened.errors == []
