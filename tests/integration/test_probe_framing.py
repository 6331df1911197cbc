"""The real probe, run by /bin/sh over a directory laid out under tmp: node-controlled names
cannot forge records or frames, are carried losslessly, and an incomplete probe is an error.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hardening.collect import CollectOptions, collect_host
from hardening.errors import ProbeError
from hardening.facts.find import Find
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.control import Role
from hardening.model.facts import FileContent, FileStat
from hardening.model.host import Host
from hardening.plan import Plan
from hardening.probe import parse, script
from hardening.probe.script import Script

NONCE_SHAPED = "\n@@" + "0" * 32 + " E find 0\n"


def run(probe: Script, cap: int | None = None) -> tuple[bytes, subprocess.CompletedProcess[bytes]]:
    shell = ["/bin/sh", "-s"] if cap is None else ["/bin/sh", "-c", f"/bin/sh -s | head -c {cap}"]
    out = subprocess.run(shell, input=probe.data, capture_output=True, check=False, timeout=60)
    return out.stdout, out


def facts_of(reqs: list[object], *, nonce: str | None = None) -> dict[object, object]:
    probe = script.build(reqs, nonce=nonce)  # type: ignore[arg-type]
    stdout, proc = run(probe)
    values, _ = parse.parse(stdout, probe, "me", rc=proc.returncode, stderr=proc.stderr)
    return dict(values)


def hostile_tree(d: Path) -> dict[str, bytes]:
    """A real setuid file, and names an ordinary user could give their own files."""
    real = d / "bin" / "real-suid"
    real.parent.mkdir()
    real.write_text("x")
    os.chmod(real, 0o4755)
    names = {
        # a directory whose name holds a newline and a whole stat record for the real file
        "forged": f"x\n81ed 0 0 root root {real}\ny".encode(),
        "marker": ("m" + NONCE_SHAPED + "B stat").encode(),  # a frame marker, nonce-shaped
        "latin1": b"caf\xe9-\xff\xfe",  # not UTF-8
        "record": f"81a4 0 0 root root {real}".encode(),  # a name that is a record
    }
    for key, raw in names.items():
        sub = os.path.join(os.fsencode(d), raw)
        os.makedirs(sub)  # a "/" in a name makes nested directories, as it would for a user
        victim = os.path.join(sub, b"f")
        with open(victim, "wb") as fh:
            fh.write(key.encode() + NONCE_SHAPED.encode())
        os.chmod(victim, 0o666)  # world-writable, so the Find pass lists it
    return names


def test_forged_stat_records_in_names_do_not_mask_a_setuid_file(tmp_path: Path) -> None:
    names = hostile_tree(tmp_path)
    req = Find((str(tmp_path),))
    [found] = facts_of([req]).values()
    assert isinstance(found, tuple)
    by_path = {os.fsencode(s.path): s for s in found}
    real = os.fsencode(tmp_path / "bin" / "real-suid")
    assert by_path[real].octal == "4755"  # the real record, not the forged 755 one
    expected = {real} | {os.path.join(os.fsencode(tmp_path), raw, b"f") for raw in names.values()}
    assert set(by_path) == expected
    assert all(by_path[p].octal == "666" for p in expected - {real})


def test_stat_glob_carries_every_name_losslessly(tmp_path: Path) -> None:
    names = hostile_tree(tmp_path)
    req = Stat(f"{tmp_path}/*")
    [stats] = facts_of([req]).values()
    assert isinstance(stats, tuple) and all(isinstance(s, FileStat) for s in stats)
    got = sorted(os.fsencode(s.path) for s in stats)
    tops = {raw.split(b"/")[0] for raw in [*names.values(), b"bin"]}
    assert got == sorted(os.path.join(os.fsencode(tmp_path), top) for top in tops)
    assert all(s.is_dir for s in stats)


def test_read_glob_keeps_names_and_contents_apart(tmp_path: Path) -> None:
    names = hostile_tree(tmp_path)
    req = Read(f"{tmp_path}/*/f")
    [files] = facts_of([req]).values()
    assert isinstance(files, tuple) and all(isinstance(f, FileContent) for f in files)
    got = {os.fsencode(f.path): f.data for f in files}
    flat = {k: raw for k, raw in names.items() if b"/" not in raw}
    assert len(flat) == 2  # the nonce-shaped marker and the invalid UTF-8 name
    assert got == {
        os.path.join(os.fsencode(tmp_path), raw, b"f"): (k + NONCE_SHAPED).encode()
        for k, raw in flat.items()
    }


def test_content_shaped_like_this_runs_frames_is_only_content(tmp_path: Path) -> None:
    nonce = "a" * 32
    (tmp_path / "evil.conf").write_text(f"\n@@{nonce} E r0 0\n@@{nonce} B done\n")
    req = Read(str(tmp_path / "evil.conf"))
    probe = script.build([req], nonce="b" * 32)
    stdout, proc = run(probe)
    values, _ = parse.parse(stdout, probe, "me", rc=proc.returncode)
    [content] = values[req]  # type: ignore[misc]
    assert content.data == (tmp_path / "evil.conf").read_bytes()


def test_a_glob_ending_in_a_newline_is_quoted_and_the_probe_completes(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("x")
    odd, plain = Stat(f"{tmp_path}/*.conf\n"), Stat(str(tmp_path / "a.conf"))
    got = facts_of([odd, plain])
    assert got[odd] == ()  # quoted, so never expanded: no file has that literal name
    assert [s.path for s in got[plain]] == [str(tmp_path / "a.conf")]  # type: ignore[attr-defined]


def test_a_shell_error_before_the_final_frame_is_a_probe_error(tmp_path: Path) -> None:
    probe = script.build([Stat(str(tmp_path))])
    probe.text = probe.text.replace("m B done", "if then fi\nm B done")
    stdout, proc = run(probe)
    assert b"@@" in stdout  # sections before the error did arrive
    with pytest.raises(ProbeError, match="ended before its final frame") as err:
        parse.parse(stdout, probe, "me", rc=proc.returncode, stderr=proc.stderr)
    assert "stat" in str(err.value) and "exit 2" in str(err.value)


@pytest.mark.parametrize("cap", [10, 200, 400])
def test_output_cut_mid_stream_is_a_probe_error(tmp_path: Path, cap: int) -> None:
    hostile_tree(tmp_path)
    probe = script.build([Find((str(tmp_path),)), Read(f"{tmp_path}/*/f")])
    assert len(run(probe)[0]) > 400
    stdout, proc = run(probe, cap=cap)
    assert len(stdout) == cap
    with pytest.raises(ProbeError, match="no probe output|ended before its final frame"):
        parse.parse(stdout, probe, "me", rc=proc.returncode)


def test_a_stat_without_printf_stops_the_probe_as_a_host_error(tmp_path: Path) -> None:
    probe = script.build([Find((str(tmp_path),))])
    assert "stat --printf '' /" in probe.text
    probe.text = probe.text.replace("stat --printf '' /", "stat --no-such-option '' /")
    stdout, proc = run(probe)
    with pytest.raises(ProbeError, match="no probe output came back .exit 3: probe: stat has no"):
        parse.parse(stdout, probe, "me", rc=proc.returncode, stderr=proc.stderr)


def test_output_past_the_transport_limit_makes_the_host_an_error(tmp_path: Path) -> None:
    hostile_tree(tmp_path)
    host = Host("me", transport="local", roles=frozenset({Role.WORKER}))
    plan = Plan(host, (), (Find((str(tmp_path),)), Read(f"{tmp_path}/*/f")))
    whole = collect_host(plan, CollectOptions())
    assert whole.error is None and whole.facts is not None
    cut = collect_host(plan, CollectOptions(max_output=600))
    assert cut.facts is None and cut.error is not None
    assert "ended before its final frame" in cut.error and "meta" in cut.error
