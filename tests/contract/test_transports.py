"""One contract, every transport in TRANSPORTS: bytes exact, output capped, timeouts raised."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from hardening.errors import CommandTimeout
from hardening.model.host import Host
from hardening.transports.base import Transport
from hardening.transports.registry import TRANSPORTS, transport_for
from hardening.transports.settings import SshSettings, TransportSettings

Factory = Callable[[], Transport]


def _local(request: pytest.FixtureRequest) -> Factory:
    return lambda: transport_for(Host("localhost", transport="local"))


def _ssh(request: pytest.FixtureRequest) -> Factory:
    lab = request.getfixturevalue("fleet")
    node = lab.node("worker1")
    host = Host(
        "worker1",
        node.address,
        node.port,
        user="auditor",
        key_file=str(lab.key_path),
        known_hosts=str(lab.known_hosts),
    )
    return lambda: transport_for(host, TransportSettings(ssh=SshSettings(connect_timeout=10.0)))


FACTORIES: dict[str, Callable[[pytest.FixtureRequest], Factory]] = {"local": _local, "ssh": _ssh}
MARKS = {"ssh": [pytest.mark.lab, pytest.mark.slow]}


def test_every_registered_transport_is_under_contract() -> None:
    assert set(FACTORIES) == set(TRANSPORTS)


@pytest.fixture(params=[pytest.param(n, marks=MARKS.get(n, [])) for n in sorted(TRANSPORTS)])
def connect(request: pytest.FixtureRequest) -> Factory:
    """A factory of a fresh, unopened transport of each registered kind."""
    return FACTORIES[request.param](request)


def test_bytes_come_back_exactly(connect: Factory) -> None:
    script = b"printf 'a\\000b\\377\\376\\300\\n'; printf 'warn\\n' >&2; exit 7\n"
    with connect() as transport:
        out = transport.run(script, timeout=30, max_output=1 << 20)
    assert (out.rc, out.stdout, out.stderr, out.truncated) == (
        7,
        b"a\x00b\xff\xfe\xc0\n",
        b"warn\n",
        False,
    )


def test_large_script_goes_in_whole_on_stdin(connect: Factory) -> None:
    filler = b"".join(b": line %d of padding\n" % i for i in range(20000))
    with connect() as transport:
        out = transport.run(filler + b"echo end-of-script\n", timeout=60, max_output=1 << 20)
    assert (out.rc, out.stdout) == (0, b"end-of-script\n")


def test_output_is_capped_and_flagged(connect: Factory) -> None:
    with connect() as transport:
        out = transport.run(b"head -c 3000000 /dev/zero\n", timeout=60, max_output=100000)
    assert out.truncated
    assert out.stdout == b"\x00" * 100000


def test_a_hanging_script_times_out(connect: Factory) -> None:
    with connect() as transport, pytest.raises(CommandTimeout, match="did not finish within 1s"):
        transport.run(b"sleep 30\n", timeout=1, max_output=1 << 20)


@pytest.mark.lab
@pytest.mark.slow
def test_ssh_sockets_send_small_packets_at_once(request: pytest.FixtureRequest) -> None:
    """Nagle's algorithm would hold each channel open, exec and stdin packet ~40 ms."""
    with _ssh(request)() as transport:
        sockets = transport._sockets  # type: ignore[attr-defined]
        assert sockets
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets)
        assert transport.run(b"echo ok\n", timeout=30, max_output=100).stdout == b"ok\n"
