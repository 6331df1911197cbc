"""Waivers: matching FAIL/WARN results become WAIVED with the waiver recorded; expiry uses
the date passed in; bad files are WaiverErrors naming file:line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hardening.errors import WaiverError
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.score import score
from hardening.waivers import apply_waivers, load_waivers, parse_waivers
from tests.unit.reports.sample import result

KNOWN = ["4.1.1", "4.2.1", "4.2.2", "4.2.4", "5.1.1", "NODE-1.1"]
TODAY = date(2026, 3, 1)
GOOD = """\
waivers:
  - control: "4.2.4"
    hosts: ["worker-*"]
    reason: metrics scraper reads the read-only port
    expires: 2026-06-30
    approved_by: security-team
  - control: "4.2.*"
    hosts: legacy
    reason: legacy pool, replaced in Q2
    expires: 2026-03-01
    approved_by: cto
  - control: "NODE-1.1"
    hosts: "*"
    reason: break-glass root login
    expires: 2026-01-31
    approved_by: ops
  - control: "5.1.1"
    hosts: ["cp-*"]
    reason: reviewed in the quarterly RBAC audit
    expires: 2027-01-01
    approved_by: security-team
"""


def _w(text: str = GOOD, today: date = TODAY):  # type: ignore[no-untyped-def]
    return parse_waivers(text, "waivers.yaml", KNOWN, today)


def test_expiry_is_decided_by_the_date_passed_in() -> None:
    ws = _w()
    assert [w.control for w in ws.active] == ["4.2.4", "4.2.*", "5.1.1"]  # 03-01 holds all day
    assert [w.control for w in ws.expired] == ["NODE-1.1"]
    later = _w(today=date(2026, 3, 2))
    assert [w.control for w in later.expired] == ["4.2.*", "NODE-1.1"]


def test_expired_waiver_is_reported_with_its_line_and_ignored() -> None:
    ws = _w()
    assert ws.notices() == [
        "waivers.yaml:12: waiver for 'NODE-1.1' on * expired on 2026-01-31 (approved by ops); "
        "it is ignored: renew or remove it"
    ]
    post = apply_waivers(ws)
    out = post(Host("worker-1"), [result("NODE-1.1", Status.FAIL, "yes")])
    assert out[0].status is Status.FAIL


def test_fail_and_warn_are_waived_with_the_waiver_recorded() -> None:
    post = apply_waivers(_w())
    worker = Host("worker-7", groups=("workers",))
    out = post(worker, [result("4.2.4", Status.FAIL, "10255"), result("4.2.1", Status.FAIL)])
    assert [r.status for r in out] == [Status.WAIVED, Status.FAIL]
    assert out[0].waiver == {
        "control": "4.2.4",
        "hosts": "worker-*",
        "reason": "metrics scraper reads the read-only port",
        "expires": "2026-06-30",
        "approved_by": "security-team",
        "source": "waivers.yaml:2",
    }
    assert out[0].reason == "waived (FAIL): metrics scraper reads the read-only port"
    assert out[0].evidence == result("4.2.4", Status.FAIL, "10255").evidence
    cp = post(Host("cp-1"), [result("5.1.1", Status.WARN)])
    assert cp[0].status is Status.WAIVED


def test_groups_and_globs_select_hosts() -> None:
    post = apply_waivers(_w())
    legacy = Host("node-17", groups=("legacy", "workers"))
    out = post(
        legacy,
        [result("4.2.1", Status.FAIL), result("4.2.2", Status.FAIL), result("4.1.1", Status.FAIL)],
    )
    assert [r.status for r in out] == [Status.WAIVED, Status.WAIVED, Status.FAIL]
    assert post(Host("node-18"), [result("4.2.1", Status.FAIL)])[0].status is Status.FAIL


def test_pass_skip_and_error_are_never_waived() -> None:
    post = apply_waivers(_w())
    results = [result("4.2.4", s) for s in (Status.PASS, Status.SKIP, Status.ERROR)]
    assert post(Host("worker-1"), results) == results


def test_waived_results_leave_the_score_and_the_failure_count() -> None:
    post = apply_waivers(_w())
    before = [result("4.2.4", Status.FAIL), result("4.1.1", Status.PASS)]
    after = post(Host("worker-1"), before)
    assert score(before).percent == 50.0
    assert score(after).percent == 100.0
    assert score(after).counts["FAIL"] == 0 and score(after).counts["WAIVED"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "waivers:\n  - control: '9.9.9'\n    hosts: '*'\n"
            "    reason: r\n    expires: 2026-01-01\n"
            "    approved_by: a\n",
            "waivers.yaml:2: waiver.control: unknown control '9.9.9'; list ids with "
            "'hardening controls list'",
        ),
        (
            "waivers:\n  - control: '7.*'\n    hosts: '*'\n    reason: r\n    expires: 2026-01-01\n"
            "    approved_by: a\n",
            "waivers.yaml:2: waiver.control: '7.*' matches no known control; list ids with "
            "'hardening controls list'",
        ),
        (
            "waivers:\n  - control: '4.2.1'\n    hosts: '*'\n    reason: r\n    expires: soon\n"
            "    approved_by: a\n",
            "waivers.yaml:2: waiver.expires: 'soon' is not a date; write it as YYYY-MM-DD",
        ),
        (
            "waivers:\n  - control: '4.2.1'\n    hosts: '*'\n"
            "    reason: r\n    expires: 2026-01-01\n",
            "waivers.yaml:2: waiver.approved_by: missing or empty; give every waiver control, "
            "hosts, "
            "reason, expires, approved_by",
        ),
        (
            "waivers:\n  - control: '4.2.1'\n    hosts: []\n"
            "    reason: r\n    expires: 2026-01-01\n"
            "    approved_by: a\n",
            "waivers.yaml:2: waiver.hosts: expected a host pattern",
        ),
        (
            "waivers:\n  - control: '4.2.1'\n    host: '*'\n",
            "waivers.yaml:2: waiver: unknown key 'host'",
        ),
        ("waivers: {}\n", "waivers.yaml: expected a top-level 'waivers:' list"),
        ("waivers:\n  - [a\n", "waivers.yaml:"),
    ],
)
def test_invalid_files_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(WaiverError) as exc:
        _w(text)
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)


def test_load_reads_the_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(load_waivers(path, KNOWN, TODAY).active) == 3
    with pytest.raises(WaiverError, match=r"waiver file .*missing.yaml: cannot read"):
        load_waivers(tmp_path / "missing.yaml", KNOWN, TODAY)
