"""The rich terminal summary: tables, worst failures first, --quiet, NO_COLOR, non-TTY."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from hardening.cli.common import stdout_console
from hardening.model.result import Status
from hardening.reports.terminal import render_console, worst_failures
from tests.unit.reports.sample import document, fleet, host, result


def _render(doc=None, *, quiet: bool = False, **kw: object) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    render_console(doc or fleet(), Console(file=buf, width=160, **kw), quiet=quiet)  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _plain_term(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "unknown")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def test_non_tty_output_has_no_escape_codes_and_all_sections() -> None:
    out = _render()
    assert "\x1b[" not in out
    for part in (
        "worker-9",
        "cp-1",
        "4.2 Kubelet",
        "NODE-2 Files",
        "failures (9, worst first)",
        "fleet score 65.6%: 24 pass, 9 fail, 4 manual, 1 skipped, 11 error, 1 waived",
    ):
        assert part in out
    assert out.rstrip().splitlines()[-1].startswith("fleet score 65.6%")


def test_hosts_lowest_score_first_unreached_on_top() -> None:
    out = _render()
    order = [out.index(f"│ {n} ") for n in ("worker-9", "worker-2", "worker-3", "worker-1", "cp-1")]
    assert order == sorted(order)


def test_failures_are_worst_first() -> None:
    sev = [r.severity for _, r in worst_failures(fleet())]
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    assert sev == sorted(sev, key=ranks.__getitem__)
    assert sev[0] == "critical"
    out = _render()
    assert out.index("4.2.1 Ensure that the") < out.index("4.1.1 Ensure that the kubelet")


def test_quiet_prints_only_the_verdict_and_a_degraded_coverage() -> None:
    out = _render(quiet=True)
    assert out.splitlines() == [
        "coverage 75.6%: 4 of 5 host(s) reached, 34 of 45 check(s) evaluated (1 error, 10 on "
        "unreached hosts; 1 not applicable and 4 manual counted apart) DEGRADED",
        "fleet score 65.6%: 24 pass, 9 fail, 4 manual, 1 skipped, 11 error, 1 waived (the score "
        "leaves out 11 result(s) that could not be evaluated, 1 host(s) not audited)",
    ]


def test_colour_on_a_terminal_and_off_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" in _render(force_terminal=True, color_system="standard")
    plain = _render(force_terminal=True, color_system="standard", no_color=True)
    assert "\x1b[31m" not in plain and "\x1b[32m" not in plain  # styles stay, colours go
    monkeypatch.setenv("NO_COLOR", "1")
    console = stdout_console()
    assert console.no_color is True


def test_markup_in_node_strings_prints_literally() -> None:
    doc = document(
        [
            host(
                "[bold]evil[/]",
                [
                    result("4.2.1", Status.FAIL, "[red]x[/red] [/] [link=file:///etc]y"),
                    result("4.2.2", Status.ERROR, reason="[/bold] broken"),
                ],
            )
        ]
    )
    out = _render(doc)
    assert "[bold]evil[/]" in out
    assert "[red]x[/red] [/] [link=file:///etc]y" in out
    assert "could not evaluate: [/bold] broken" in out


def test_control_characters_cannot_drive_the_terminal() -> None:
    doc = document([host("w\x1b]0;title\x07", [result("4.2.1", Status.FAIL, "a\x1b[2Jb\rc\x00")])])
    styled = _render(doc, force_terminal=True, color_system="standard")
    assert "\x1b" not in re.sub("\x1b\\[[0-9;]*m", "", styled)  # only our colour codes
    assert "\r" not in styled and "\x00" not in styled and "\x07" not in styled
    out = _render(doc)
    assert "a\\x1b[2Jb\\x0dc\\x00" in out
    assert "w\\x1b]0;title\\x07" in out
