"""Every automated control proven both ways: each fixture case gives exactly its status."""

from __future__ import annotations

from functools import cache

import pytest

from hardening.catalogue.load import Catalogue, load_benchmark
from hardening.checks.registry import KINDS
from hardening.evaluate import evaluate_control
from hardening.model.host import Host
from hardening.model.result import Status
from hardening.plan import bind_control
from tests.catalogue.two_sided import Case, load_cases
from tests.support.facts import build_facts

CASES = load_cases()
NATIVE = ("cis-1.12", "cis-1.12-extras", "ack-1.0", "node-os")


@cache
def catalogue(name: str) -> Catalogue:
    """Each benchmark loaded once per session."""
    return load_benchmark(name)


IDS = [f"{c.benchmark}/{c.control}/{c.expect}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fixture_case_gives_its_status(case: Case) -> None:
    control = catalogue(case.benchmark).get(case.control)
    assert control is not None, f"{case.source}: no control {case.control} in {case.benchmark}"
    assert control.check is not None, f"{case.source}: {case.control} is manual"
    bound = bind_control(control, Host("fixture-node"))
    assert bound.check is not None
    facts = build_facts(case.node, KINDS[bound.check.kind].needs(bound.check.params))
    result = evaluate_control(bound, facts)
    assert result.status is Status(case.expect), (
        f"{case.source} ({case.name}): got {result.status.value}, reason {result.reason!r}, "
        f"observed {result.evidence.observed!r}, expected {result.evidence.expected!r}"
    )


@pytest.mark.parametrize("bench", NATIVE)
def test_every_automated_control_has_a_pass_and_a_fail_fixture(bench: str) -> None:
    seen: dict[str, set[str]] = {}
    for case in CASES:
        if case.benchmark == bench:
            seen.setdefault(case.control, set()).add(case.expect)
    missing = [
        c.id
        for c in catalogue(bench).controls
        if c.automated and not {"PASS", "FAIL"} <= seen.get(c.id, set())
    ]
    assert missing == []
