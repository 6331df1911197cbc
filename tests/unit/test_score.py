"""The documented score: severity-weighted, only automated PASS/FAIL count."""

from __future__ import annotations

from hardening.model.result import Evidence, Result, Status
from hardening.score import by_section, score


def r(status: Status, severity: str = "medium", section: str = "S", automated: bool = True):
    return Result("x", "t", section, 1, severity, status, Evidence(), automated=automated)


def test_weighted_by_severity() -> None:
    s = score([r(Status.PASS, "critical"), r(Status.FAIL, "low")])
    assert s.passed_weight == 5 and s.total_weight == 6 and s.percent == 83.3


def test_skip_warn_error_waived_do_not_inflate() -> None:
    base = score([r(Status.PASS), r(Status.FAIL)])
    noisy = score(
        [
            r(Status.PASS),
            r(Status.FAIL),
            r(Status.SKIP),
            r(Status.WARN),
            r(Status.ERROR),
            r(Status.WAIVED),
            r(Status.PASS, automated=False),
        ]
    )
    assert base.percent == noisy.percent == 50.0
    assert noisy.counts["ERROR"] == 1 and noisy.counts["WAIVED"] == 1


def test_nothing_scorable_is_none() -> None:
    assert score([r(Status.SKIP), r(Status.ERROR)]).percent is None


def test_sections_pool_weights() -> None:
    secs = by_section([r(Status.PASS, section="A"), r(Status.FAIL, section="B")])
    assert secs["A"].percent == 100.0 and secs["B"].percent == 0.0


def test_sections_in_natural_order() -> None:
    names = ["NODE-1 SSH", "4.2 Kubelet", "1.10 X", "1.2 API", "2 Etcd"]
    secs = by_section([r(Status.PASS, section=n) for n in names])
    assert list(secs) == ["1.2 API", "1.10 X", "2 Etcd", "4.2 Kubelet", "NODE-1 SSH"]
