"""A file name that is not valid UTF-8, as headless Chromium shows it in the HTML report:
the bytes appear as visible ``\\xNN`` escapes, a valid UTF-8 name as itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from hardening.reports import html
from tests.browser.test_html_report import ARGS, CHROMIUM
from tests.unit.reports.test_non_utf8_names import NAME, PLAIN, SHOWN, run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install the Debian package chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize(("name", "shown"), [(NAME, SHOWN), (PLAIN, PLAIN)])
def test_the_name_is_shown_in_the_dom(
    chromium: Browser, tmp_path: Path, name: str, shown: str
) -> None:
    dest = tmp_path / "report.html"
    html.render(run(name), dest)
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(dest.as_uri())
    page.wait_for_selector("#results tbody tr.row")
    page.fill("#f-text", "NODE-2.1")
    page.click("#results tbody tr.row")
    text = page.locator("#results tr.detail").inner_text()
    page.close()
    assert shown in text
    assert "\ufffd" not in text and errors == []
