"""hardening merge: scores recomputed from all results; overlaps and mismatches refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hardening.cli.main import main
from hardening.errors import UsageError
from hardening.merge import merge
from hardening.model.result import Evidence, HostRun, Result, RunDocument, Status
from hardening.reports import json_doc
from hardening.score import by_section, score


def result(cid: str, status: Status, severity: str = "medium") -> Result:
    return Result(
        cid,
        f"title {cid}",
        cid.split(".")[0],
        1,
        severity,
        status,
        Evidence(observed="x", source="/etc/x", expected="y"),
    )


def host(name: str, *results: Result) -> HostRun:
    return HostRun(
        name,
        f"10.0.0.{len(name)}",
        ("worker",),
        results,
        score(results),
        None,
        {},
        by_section(results),
    )


def doc(
    *hosts: HostRun, benchmark: str = "cis-1.12", version: str = "0.1.0", shard: str | None = None
) -> RunDocument:
    every = [r for h in hosts for r in h.results]
    return RunDocument(
        version,
        benchmark,
        "2025-01-01T00:00:00+00:00",
        "2025-01-01T00:01:00+00:00",
        hosts,
        score(every),
        by_section(every),
        {"forks": 10, **({"shard": shard} if shard else {})},
    )


A = host("a", result("4.1", Status.PASS, "high"), result("4.2", Status.FAIL))
B = host("b", result("4.1", Status.FAIL, "high"), result("5.1", Status.PASS, "low"))


def test_merge_recomputes_the_fleet_score_from_every_result() -> None:
    merged = merge([("s1.json", doc(A, shard="1/2")), ("s2.json", doc(B, shard="2/2"))])
    whole = doc(A, B)
    assert [h.name for h in merged.hosts] == ["a", "b"]
    assert merged.score == whole.score
    assert merged.score.percent == round(100 * (3 + 1) / (3 + 2 + 3 + 1), 1)
    assert merged.sections == whole.sections
    assert merged.options["merged_from"] == ["s1.json (shard 1/2)", "s2.json (shard 2/2)"]
    assert "shard" not in merged.options


def test_duplicate_host_across_parts_is_refused() -> None:
    with pytest.raises(UsageError, match=r"s2.json: host 'a' is also in s1.json; the shards"):
        merge([("s1.json", doc(A)), ("s2.json", doc(B, A))])


def test_duplicate_host_within_a_part_is_refused() -> None:
    with pytest.raises(UsageError, match="host 'a' is twice in it"):
        merge([("s1.json", doc(A, A))])


def test_different_benchmarks_are_refused() -> None:
    with pytest.raises(UsageError, match="s2.json: benchmark 'node-os' differs from s1.json's"):
        merge([("s1.json", doc(A)), ("s2.json", doc(B, benchmark="node-os"))])


def test_different_tool_versions_are_refused() -> None:
    with pytest.raises(UsageError, match="tool version '0.2.0' differs"):
        merge([("s1.json", doc(A)), ("s2.json", doc(B, version="0.2.0"))])


def test_nothing_to_merge_is_refused() -> None:
    with pytest.raises(UsageError, match="no run documents"):
        merge([])


def test_cli_merge_writes_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two, out = tmp_path / "1.json", tmp_path / "2.json", tmp_path / "all.json"
    json_doc.render(doc(A), one)
    json_doc.render(doc(B), two)
    code = main(["merge", str(one), str(two), "--json", str(out), "-q"])
    assert code == 1  # failures present
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [h["name"] for h in data["hosts"]] == ["a", "b"]
    assert data["score"]["counts"]["FAIL"] == 2


def test_cli_merge_overlap_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "1.json"
    json_doc.render(doc(A), one)
    code = main(["merge", str(one), str(one)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is also in" in err
