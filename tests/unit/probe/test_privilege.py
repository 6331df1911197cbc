"""A non-root probe's denied facts: found inside any answer, named in the ERROR's reason."""

from __future__ import annotations

from hardening.facts.certs import PkiTree
from hardening.facts.command import Command
from hardening.model.facts import Absent, CommandOutput, Component, ComponentFile
from hardening.probe.privilege import denied, needs_root, restrict, unprivileged

USER = {"uid": "1000"}
ROOT = {"uid": "0"}
DENIED = Absent("/var/lib/kubelet/config.yaml: not readable (permission denied)", True, True)


def test_a_denied_read_inside_a_component_is_found() -> None:
    file = ComponentFile("--config", "/var/lib/kubelet/config.yaml", True, DENIED, DENIED)
    kubelet = Component("kubelet", ("kubelet",), "process 1", {"--config": file})
    assert denied(kubelet)
    assert not denied(Component("kubelet", ("kubelet",), "process 1"))
    assert denied(PkiTree((), ("/etc/kubernetes/pki",)))
    assert not denied(Absent("no such file"))


def test_only_a_non_root_probe_needs_root() -> None:
    assert unprivileged(USER) and not unprivileged(ROOT) and not unprivileged({"uid": ""})
    assert needs_root("r", [DENIED], USER).startswith("needs root: set ansible_become")
    assert needs_root("r", [DENIED], ROOT) == "r"
    assert needs_root("r", [Absent("no such file", True)], USER) == "r"


def test_silent_failures_are_denied_but_own_exit_codes_and_output_are_kept() -> None:
    silent, found, missing, spoke = (Command(s) for s in ("sshd -T", "true", "nope", "grep"))
    values = {
        silent: CommandOutput(1, b""),
        found: CommandOutput(0, b""),
        missing: CommandOutput(127, b""),
        spoke: CommandOutput(1, b"x\n"),
    }
    as_user = restrict(values, USER)
    assert isinstance(as_user[silent], Absent) and as_user[silent].denied
    assert {k: as_user[k] for k in (found, missing, spoke)} == {
        k: values[k] for k in (found, missing, spoke)
    }
    assert restrict(values, ROOT) == values
