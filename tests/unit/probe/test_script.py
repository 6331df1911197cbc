"""The probe script: one script, deduplicated requests, safe quoting, fresh nonce."""

from __future__ import annotations

from hardening.facts.command import Command
from hardening.facts.component import ComponentReq
from hardening.facts.find import prune_clause
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.probe import script


def test_requests_are_deduplicated() -> None:
    s = script.build([Stat("/etc/a"), Stat("/etc/a"), Command("id"), Command("id")])
    assert s.text.count("/etc/a") == 1
    assert len([k for k in s.sections if k.startswith("c")]) == 1


def test_nonce_is_fresh_and_never_passed_to_a_command() -> None:
    a, b = script.build([Stat("/etc/a")]), script.build([Stat("/etc/a")])
    assert a.nonce != b.nonce and len(a.nonce) == 32
    lines_with_nonce = [ln for ln in a.text.splitlines() if a.nonce in ln]
    assert lines_with_nonce == [f"N={a.nonce}"]


def test_hostile_paths_and_commands_are_quoted() -> None:
    evil = "/etc/x'; touch /tmp/pwned; echo '"
    s = script.build(
        [Stat(evil), Read(evil), ComponentReq("kube$(id)", (("--c", evil),)), Command("echo 'a b'")]
    )
    assert "touch /tmp/pwned; echo" in s.text  # present only inside quotes
    assert "'/etc/x'\"'\"'; touch /tmp/pwned; echo '\"'\"''" in s.text
    assert "'kube$(id)'" in s.text


def test_glob_left_bare_only_when_safe() -> None:
    s = script.build([Stat("/etc/kubernetes/pki/*.key"), Stat("/tmp/a b/*")])
    assert "for p in /etc/kubernetes/pki/*.key '/tmp/a b/*';" in s.text


def test_prune_clause_guards_the_patterns_with_their_common_directory() -> None:
    assert prune_clause([]) == ""
    clause = prune_clause(
        ["/var/lib/kubelet/pods", "/var/lib/containerd/io.containerd.snapshotter.v1.*"]
    )
    assert clause == (
        "-type d -path '/var/lib/*' \\( -path /var/lib/kubelet/pods -o -path "
        "'/var/lib/containerd/io.containerd.snapshotter.v1.*' \\) -prune -o "
    )
    # A pattern naming the guard's own level keeps a guard above it; unrelated trees, none.
    assert prune_clause(["/var/lib"]).startswith("-type d -path '/var/*' ")
    assert prune_clause(["/a/x", "/b/y"]).startswith("-type d \\( -path /a/x")
    assert prune_clause(["/srv/it's"]) == (
        "-type d -path '/srv/*' \\( -path '/srv/it'\"'\"'s' \\) -prune -o "
    )
