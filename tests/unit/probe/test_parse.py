"""Probe output parsing: frames, hostile output, truncation, invalid UTF-8."""

from __future__ import annotations

import os

import pytest

from hardening.errors import ProbeError
from hardening.facts.base import glob_match
from hardening.facts.command import Command
from hardening.facts.component import ComponentReq
from hardening.facts.find import Find
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, CommandOutput
from hardening.probe import parse, script

NONCE = "0123456789abcdef0123456789abcdef"
REQS = [
    Stat("/etc/kubernetes/kubelet.conf"),
    Stat("/etc/kubernetes/pki/*.key"),
    Read("/etc/hostname"),
    ComponentReq("kubelet", (("--config", "/var/lib/kubelet/config.yaml"),)),
    Command("cat /proc/sys/kernel/panic"),
    Find(("/",)),
]


def m(tag: str, rest: str, nonce: str = NONCE) -> bytes:
    return f"\n@@{nonce} {tag} {rest}\n".encode()


@pytest.fixture
def probe() -> script.Script:
    return script.build(REQS, nonce=NONCE)


def sid_of(probe: script.Script, kind: type) -> str:
    return next(
        s for s, r in probe.sections.items() if r and isinstance(r[0], kind) and s != "procs"
    )


def full_output(
    probe: script.Script,
    command_out: bytes = b"10\n",
    stat_body: bytes | None = None,
    find_body: bytes | None = None,
) -> bytes:
    cmd_sid, comp_sid, read_sid = (sid_of(probe, k) for k in (Command, ComponentReq, Read))
    return b"".join(
        [
            m("B", "meta"),
            b"hostname=node1\0uid=0\0",
            m("E", "meta 0"),
            m("B", "stat"),
            b"8180 0 0 root root /etc/kubernetes/kubelet.conf\0"
            b"8180 0 0 root root /etc/kubernetes/pki/ca.key\0"
            b"81a4 0 0 root root /etc/kubernetes/pki/sa.key\0"
            if stat_body is None
            else stat_body,
            m("E", "stat 0"),
            m("B", "procs"),
            m("F", "proc ok 812"),
            b"/usr/bin/kubelet\0--config\0/etc/k.yaml\0",
            m("E", "procs 0"),
            m("B", comp_sid),
            m("F", "pid ok 812"),
            m("F", "stat ok flag:0"),
            b"/etc/k.yaml\08180 0 0 root root -\0",
            m("F", "file ok flag:0"),
            b"/etc/k.yaml\0readOnlyPort: 0\n",
            m("E", f"{comp_sid} 0"),
            m("B", read_sid),
            m("F", "file ok -"),
            b"/etc/hostname\0node1\n",
            m("E", f"{read_sid} 0"),
            m("B", cmd_sid),
            command_out,
            m("E", f"{cmd_sid} 0"),
            m("B", "find"),
            b"89ed 0 0 root root /usr/bin/sudo\0" if find_body is None else find_body,
            m("E", "find 0"),
            m("B", "done"),
            m("E", "done 0"),
        ]
    )


def test_full_output_parses(probe: script.Script) -> None:
    facts, meta = parse.parse(full_output(probe), probe, "node1")
    assert meta["hostname"] == "node1"
    [st] = facts[REQS[0]]
    assert st.octal == "600" and st.owner == "root:root"
    assert [s.path for s in facts[REQS[1]]] == [
        "/etc/kubernetes/pki/ca.key",
        "/etc/kubernetes/pki/sa.key",
    ]
    assert facts[REQS[2]][0].text == "node1\n"
    comp = facts[REQS[3]]
    assert comp.argv == ("/usr/bin/kubelet", "--config", "/etc/k.yaml")
    cfg = comp.files["--config"]
    assert cfg.from_flag and cfg.path == "/etc/k.yaml" and not isinstance(cfg.content, Absent)
    assert cfg.content.text == "readOnlyPort: 0\n"
    assert facts[REQS[4]] == CommandOutput(0, b"10\n")
    assert [f.path for f in facts[REQS[5]]] == ["/usr/bin/sudo"]


def test_missing_file_is_absent_not_empty(probe: script.Script) -> None:
    out = full_output(probe).replace(b"8180 0 0 root root /etc/kubernetes/kubelet.conf\0", b"")
    facts, _ = parse.parse(out, probe, "node1")
    assert isinstance(facts[REQS[0]], Absent) and not facts[REQS[0]].is_error


def test_fake_boundary_with_other_nonce_is_just_content(probe: script.Script) -> None:
    fake = m("E", "c0 0", nonce="f" * 32) + m("B", "find", nonce="f" * 32)
    facts, _ = parse.parse(full_output(probe, command_out=b"10" + fake), probe, "node1")
    assert facts[REQS[4]].stdout == b"10" + fake


def test_forged_repeated_section_is_probe_error(probe: script.Script) -> None:
    out = full_output(probe) + m("B", "stat") + m("E", "stat 0")
    with pytest.raises(ProbeError, match="forged or repeated frame"):
        parse.parse(out, probe, "node1")


def test_unknown_section_is_probe_error(probe: script.Script) -> None:
    with pytest.raises(ProbeError, match="node1"):
        parse.parse(m("B", "evil") + m("E", "evil 0"), probe, "node1")


@pytest.mark.parametrize("cut_at", [b"find 0", b"done 0", b"@@", b"k0 0", b"readOnly"])
def test_output_cut_before_the_final_frame_is_a_probe_error(
    probe: script.Script, cut_at: bytes
) -> None:
    out = full_output(probe)
    with pytest.raises(ProbeError, match="ended before its final frame") as err:
        parse.parse(out[: out.rindex(cut_at) - 1], probe, "node1", rc=-1, stderr=b"x\ncut\n")
    assert "node1" in str(err.value) and "meta" in str(err.value)  # what did arrive
    assert "exit -1: cut" in str(err.value)


def test_stat_record_needs_its_nul(probe: script.Script) -> None:
    # A name holding a newline and a whole forged record is one name, not two records.
    forged = b"81b6 1000 1000 u u /tmp/a\n81ed 0 0 root root /usr/bin/sudo\nb/f\0"
    out = full_output(probe, find_body=b"89ed 0 0 root root /usr/bin/sudo\0" + forged)
    facts, _ = parse.parse(out, probe, "node1")
    paths = {f.path: f.octal for f in facts[REQS[5]]}
    assert paths == {
        "/usr/bin/sudo": "4755",
        "/tmp/a\n81ed 0 0 root root /usr/bin/sudo\nb/f": "666",
    }


def test_malformed_stat_record_is_a_probe_error_not_skipped(probe: script.Script) -> None:
    out = full_output(probe, find_body=b"89ed 0 0 root root /usr/bin/sudo\0garbage\0")
    with pytest.raises(ProbeError, match="malformed stat record"):
        parse.parse(out, probe, "node1")


def test_names_are_lossless(probe: script.Script) -> None:
    out = full_output(probe, find_body=b"89ed 0 0 root root /usr/bin/\xff\xfesu\0")
    facts, _ = parse.parse(out, probe, "node1")
    [found] = facts[REQS[5]]
    assert os.fsencode(found.path) == b"/usr/bin/\xff\xfesu"


def test_entry_without_its_name_is_a_probe_error(probe: script.Script) -> None:
    out = full_output(probe).replace(b"/etc/hostname\0node1", b"/etc/hostname node1")
    with pytest.raises(ProbeError, match="has no name"):
        parse.parse(out, probe, "node1")


def test_invalid_utf8_survives(probe: script.Script) -> None:
    facts, _ = parse.parse(full_output(probe, command_out=b"\xff\xfe<script>\n"), probe, "n")
    assert facts[REQS[4]].stdout == b"\xff\xfe<script>\n"
    assert "<script>" in facts[REQS[4]].text


def test_junk_without_frames_is_no_probe_output(probe: script.Script) -> None:
    with pytest.raises(ProbeError, match="no probe output came back"):
        parse.parse(b"\0\xff" * 100000, probe, "n")


def test_component_not_running(probe: script.Script) -> None:
    out = full_output(probe)
    start = out.index(m("F", "pid ok 812"))
    end = out.index(m("E", "k0 0"))
    facts, _ = parse.parse(out[:start] + out[end:], probe, "n")
    assert isinstance(facts[REQS[3]], Absent) and "no process named" in facts[REQS[3]].reason


def test_glob_match_does_not_cross_slash() -> None:
    assert glob_match("/etc/*.conf", "/etc/a.conf")
    assert not glob_match("/etc/*.conf", "/etc/sub/a.conf")
