"""known_hosts policy: patterns, hashed names, strict, accept-new, changed and revoked keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import subprocess
from pathlib import Path

import pytest

from hardening.errors import HostKeyError
from hardening.transports.hostkeys import KnownHosts, hashed_name, host_entry, matches

KEY_A = "AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
KEY_B = "AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def hashed(name: str) -> str:
    salt = b"0123456789abcdefghij"
    mac = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(mac).decode()}"


def test_host_entry_brackets_non_default_ports() -> None:
    assert (host_entry("10.0.0.1", 22), host_entry("10.0.0.1", 2222)) == (
        "10.0.0.1",
        "[10.0.0.1]:2222",
    )


@pytest.mark.parametrize(
    ("patterns", "name", "hit"),
    [
        (("10.0.0.1",), "10.0.0.1", True),
        (("10.0.0.*", "!10.0.0.9"), "10.0.0.9", False),
        (("10.0.0.?",), "10.0.0.7", True),
        (("[10.0.0.1]:2222",), "10.0.0.1", False),
        ((hashed("node-1"),), "node-1", True),
        ((hashed("node-1"),), "node-2", False),
    ],
)
def test_patterns(patterns: tuple[str, ...], name: str, hit: bool) -> None:
    assert matches(patterns, name) is hit


def known(tmp_path: Path, text: str, accept_new: bool = False) -> KnownHosts:
    path = tmp_path / "known_hosts"
    path.write_text(text, encoding="ascii")
    return KnownHosts(path, accept_new=accept_new)


def test_known_key_is_accepted(tmp_path: Path) -> None:
    kh = known(tmp_path, f"# fleet\n10.0.0.1,n1 ssh-ed25519 {KEY_A}\n")
    kh.verify("n1", "10.0.0.1", 22, "ssh-ed25519", KEY_A)
    assert kh.preferred_types("10.0.0.1", 22) == ["ssh-ed25519"]


def test_changed_key_names_the_line_even_with_accept_new(tmp_path: Path) -> None:
    kh = known(
        tmp_path,
        f"# c\n\n10.0.0.2 ssh-ed25519 {KEY_B}\n10.0.0.1 ssh-ed25519 {KEY_A}\n",
        accept_new=True,
    )
    with pytest.raises(HostKeyError, match=r"host key differs from known_hosts line 4.*ssh-keygen"):
        kh.verify("n1 (10.0.0.1:22)", "10.0.0.1", 22, "ssh-ed25519", KEY_B)
    assert kh.path.read_text(encoding="ascii").count("\n") == 4


def test_unknown_key_refused_by_default(tmp_path: Path) -> None:
    kh = KnownHosts(tmp_path / "absent")
    with pytest.raises(HostKeyError, match="--accept-new-host-keys"):
        kh.verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_A)
    assert not kh.path.exists()


def test_unknown_key_recorded_hashed_with_accept_new(tmp_path: Path) -> None:
    kh = known(tmp_path, f"10.0.0.2 ssh-ed25519 {KEY_B}", accept_new=True)
    kh.verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_A)
    first, added = kh.path.read_text(encoding="ascii").splitlines()
    assert first == f"10.0.0.2 ssh-ed25519 {KEY_B}"
    name, key_type, blob = added.split()
    assert name.startswith("|1|") and "10.0.0.1" not in added  # the file does not list hosts
    assert (key_type, blob) == ("ssh-ed25519", KEY_A)
    KnownHosts(kh.path).verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_A)
    with pytest.raises(HostKeyError, match="line 2"):
        KnownHosts(kh.path).verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_B)
    with pytest.raises(HostKeyError, match="is not in"):  # another port is another entry
        KnownHosts(kh.path).verify("n1", "10.0.0.1", 22, "ssh-ed25519", KEY_A)


def test_hashed_name_is_the_openssh_format() -> None:
    assert hashed_name("[10.0.0.1]:2222", b"0123456789abcdefghij") == hashed("[10.0.0.1]:2222")
    assert hashed_name("a") != hashed_name("a")  # a fresh salt each time


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH's ssh-keygen")
def test_openssh_finds_the_hashed_entry(tmp_path: Path) -> None:
    kh = KnownHosts(tmp_path / "known_hosts", accept_new=True)
    kh.verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_A)
    found = subprocess.run(
        ["ssh-keygen", "-F", "[10.0.0.1]:2222", "-f", str(kh.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0 and KEY_A in found.stdout
    other = subprocess.run(
        ["ssh-keygen", "-F", "10.0.0.1", "-f", str(kh.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode == 1


def test_revoked_key_is_refused(tmp_path: Path) -> None:
    kh = known(tmp_path, f"@revoked * ssh-ed25519 {KEY_A}\n", accept_new=True)
    with pytest.raises(HostKeyError, match="revoked"):
        kh.verify("n1", "10.0.0.1", 22, "ssh-ed25519", KEY_A)


def test_hashed_entries_are_honoured(tmp_path: Path) -> None:
    kh = known(tmp_path, f"{hashed('[10.0.0.1]:2222')} ssh-ed25519 {KEY_A}\n")
    kh.verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_A)
    with pytest.raises(HostKeyError, match="line 1"):
        kh.verify("n1", "10.0.0.1", 2222, "ssh-ed25519", KEY_B)


def test_the_index_finds_what_matching_every_line_finds(tmp_path: Path) -> None:
    """The by-name index (a known_hosts parsed once per text) gives the same lines, in file
    order, as matching each line's patterns, for plain, wildcard, negated and hashed names."""
    from hardening.transports.hostkeys import parse

    lines = [
        "10.0.0.1 ssh-ed25519 AAAA1",
        "Node.Example,10.0.0.2 ssh-ed25519 AAAA2",
        "10.0.0.* ssh-ed25519 AAAA3",
        "*.example,!bad.example ssh-ed25519 AAAA4",
        f"{hashed_name('10.0.0.1')} ssh-ed25519 AAAA5",
        "[10.0.0.1]:2222 ssh-ed25519 AAAA6",
        "10.0.0.1 ssh-rsa AAAA7",
    ]
    path = tmp_path / "known_hosts"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    known = KnownHosts(path)
    names = [("10.0.0.1", 22), ("10.0.0.1", 2222), ("node.example", 22), ("bad.example", 22)]
    names += [("10.0.0.2", 22), ("10.0.0.9", 22), ("other", 22)]
    for address, port in names:
        name = address if port == 22 else f"[{address}]:{port}"
        want = [k for k in parse(path.read_text()) if matches(k.patterns, name)]
        assert known.entries_for(address, port) == want, name
    assert [k.blob for k in known.entries_for("10.0.0.1", 22)] == [
        "AAAA1",
        "AAAA3",
        "AAAA5",
        "AAAA7",
    ]
    path.write_text("10.0.0.1 ssh-ed25519 BBBB1\n", encoding="ascii")  # rewritten: re-read
    assert [k.blob for k in known.entries_for("10.0.0.1", 22)] == ["BBBB1"]
