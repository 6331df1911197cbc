"""``a|b|c`` paths: the first candidate that exists is the file checked (kube-bench's svc)."""

from __future__ import annotations

from hardening.checks.registry import KINDS
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, Facts, FileStat
from hardening.model.result import Status

MODE = KINDS["file_mode"]
PATH = "/a/10-kubeadm.conf|/b/kubelet.service|/c/kubelet.service"


def stat(path: str, mode: int) -> tuple[FileStat]:
    return (FileStat(path, 0o100000 | mode, 0, 0, "root", "root"),)


def facts(**answers: object) -> Facts:
    paths = {"a": "/a/10-kubeadm.conf", "b": "/b/kubelet.service", "c": "/c/kubelet.service"}
    gone = {k: Absent(f"{p}: no such file") for k, p in paths.items()}
    merged = {**gone, **answers}
    return Facts("h", {Stat(paths[k]): v for k, v in merged.items()})


def run(f: Facts) -> object:
    p = MODE.params(path=PATH, max_mode="600")
    assert {r.path for r in MODE.needs(p)} == set(PATH.split("|"))  # type: ignore[attr-defined]
    return MODE.evaluate(p, f)


def test_the_first_existing_candidate_decides_and_a_later_one_is_not_consulted() -> None:
    out = run(facts(a=stat("/a/10-kubeadm.conf", 0o600), b=stat("/b/kubelet.service", 0o666)))
    assert out.status is Status.PASS  # type: ignore[attr-defined]
    assert "/a/10-kubeadm.conf" in out.source and "first of 3" in out.source  # type: ignore[attr-defined]


def test_a_later_candidate_is_used_when_the_earlier_are_absent() -> None:
    out = run(facts(b=stat("/b/kubelet.service", 0o644)))
    assert out.status is Status.FAIL  # type: ignore[attr-defined]
    assert "/a/10-kubeadm.conf absent" in out.source  # type: ignore[attr-defined]
    assert out.details == ("/b/kubelet.service: 644",)  # type: ignore[attr-defined]


def test_none_existing_is_absent_naming_every_candidate() -> None:
    out = run(facts())
    assert out.status is Status.SKIP  # type: ignore[attr-defined]
    assert all(p in out.observed + out.reason for p in PATH.split("|"))  # type: ignore[attr-defined]


def test_a_candidate_that_could_not_be_examined_is_an_error_not_a_fall_through() -> None:
    denied = Absent("/a/10-kubeadm.conf: permission denied", is_error=True, denied=True)
    out = run(facts(a=denied, b=stat("/b/kubelet.service", 0o600)))
    assert out.status is Status.ERROR  # type: ignore[attr-defined]
