"""Network latency in user space: a TCP delay proxy per node, for the benchmark's --rtt-ms.

    sudo python3 perf/latency.py --rtt-ms 0,5,20      # verify: 1-byte echo and `ssh node true`

This kernel has no netem qdisc, so latency is emulated by an asyncio proxy listening on a
loopback address/port and forwarding to the node's sshd. Every chunk read from one side is
written to the other RTT/2 after it was read (one-way delay, in order, FIFO per direction),
and the upstream connect is held back by 1.5 RTT, which stands for the TCP handshake that
loopback completes at once: a server's first bytes then reach the client 2 RTT after its
connect(), as on a real link. Bandwidth is not modelled (loopback's), and each direction
buffers at most ``QUEUE_CHUNKS`` chunks of ``CHUNK`` bytes, so a fast sender is throttled by
ordinary TCP back-pressure rather than growing memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 65536
QUEUE_CHUNKS = 64
PORT_BASE = 22000  # the proxies of the i-th --rtt-ms value listen on PORT_BASE + i


@dataclass(frozen=True)
class Route:
    """One proxy: accept on ``listen``, forward to ``upstream``, with round-trip time ``rtt`` s."""

    listen: tuple[str, int]
    upstream: tuple[str, int]
    rtt: float


class Proxies:
    """Delay proxies on a private event-loop thread; ``with Proxies(routes) as p: ...``.

    ``bound[i]`` is the (address, port) route i actually listens on (port 0 picks a free one).
    Leaving the block closes the listeners and every open connection, then joins the thread.
    """

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)
        self.bound: list[tuple[str, int]] = []
        # select(2) takes microseconds; epoll rounds each timer up to the next millisecond
        self._loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
        self._thread = threading.Thread(target=self._loop.run_forever, name="latency", daemon=True)
        self._servers: list[asyncio.base_events.Server] = []
        self._conns: set[asyncio.Task[None]] = set()

    def __enter__(self) -> Proxies:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()

    async def _start(self) -> None:
        for route in self.routes:
            server = await asyncio.start_server(
                functools.partial(self._accept, route),
                route.listen[0],
                route.listen[1],
                reuse_address=True,
            )
            self._servers.append(server)
            self.bound.append(server.sockets[0].getsockname()[:2])

    def _accept(
        self, route: Route, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._track(self._serve(route, reader, writer))

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._conns):
            task.cancel()
        await asyncio.gather(*self._conns, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    def _track(self, coro: Coroutine[None, None, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._conns.add(task)
        task.add_done_callback(self._conns.discard)

    async def _serve(
        self, route: Route, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter
    ) -> None:
        """One client connection: connect upstream after 1.5 RTT, pump both ways, close."""
        loop = asyncio.get_running_loop()
        half = route.rtt / 2
        upstream: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.ensure_future(_connect_at(route.upstream, loop.time() + 3 * half))
        )
        up_writer = _writer_of(upstream)
        pumps = [
            asyncio.ensure_future(_pump(_const(creader), up_writer, half)),
            asyncio.ensure_future(_pump(_reader_of(upstream), _const(cwriter), half)),
        ]
        try:
            await asyncio.gather(*pumps)
        except (OSError, asyncio.IncompleteReadError):
            pass  # a reset on either side ends the connection, as it would on a real link
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            cwriter.close()
            if upstream.done() and not upstream.cancelled() and upstream.exception() is None:
                upstream.result()[1].close()
            else:
                upstream.cancel()
                await asyncio.gather(upstream, return_exceptions=True)


async def _connect_at(
    addr: tuple[str, int], due: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    await _sleep_until(due)
    return await asyncio.open_connection(addr[0], addr[1])


async def _sleep_until(due: float) -> None:
    wait = due - asyncio.get_running_loop().time()
    if wait > 0:
        await asyncio.sleep(wait)


async def _const(value: object) -> object:
    return value


async def _writer_of(
    fut: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
) -> asyncio.StreamWriter:
    return (await asyncio.shield(fut))[1]


async def _reader_of(
    fut: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
) -> asyncio.StreamReader:
    return (await asyncio.shield(fut))[0]


async def _pump(get_reader: object, get_writer: object, delay: float) -> None:
    """Copy one direction, each chunk written ``delay`` s after it was read; EOF forwarded."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)

    async def read() -> None:
        reader = await get_reader  # type: ignore[misc]
        loop = asyncio.get_running_loop()
        while True:
            data = await reader.read(CHUNK)
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def write() -> None:
        writer = await get_writer  # type: ignore[misc]
        while True:
            due, data = await queue.get()
            await _sleep_until(due)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    tasks = [asyncio.ensure_future(read()), asyncio.ensure_future(write())]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# --- verification ----------------------------------------------------------------------------


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    """A 1-byte echo server on 127.0.0.1, one thread per connection."""
    srv = socket.create_server(("127.0.0.1", 0))

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while data := conn.recv(CHUNK):
                conn.sendall(data)

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = srv.accept()
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return srv, thread


def echo_times(addr: tuple[str, int], count: int) -> tuple[float, float]:
    """(first echo on a fresh connection incl. connect, median 1-byte round trip) in s."""
    start = time.perf_counter()
    with socket.create_connection(addr) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(b"x")
        sock.recv(1)
        first = time.perf_counter() - start
        rtts = []
        for _ in range(count):
            t = time.perf_counter()
            sock.sendall(b"x")
            sock.recv(1)
            rtts.append(time.perf_counter() - t)
    return first, statistics.median(rtts)


def ssh_true_time(argv: list[str], count: int) -> float:
    """Median wall seconds of ``count`` runs of ``argv`` (which must exit 0)."""
    times = []
    for _ in range(count):
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def verify(rtts_ms: list[float], count: int) -> None:
    """Print measured against configured delay: echo through the proxy, then ``ssh node true``."""
    srv, _ = _echo_server()
    echo = srv.getsockname()[:2]
    routes = [Route(("127.0.0.1", 0), echo, ms / 1000) for ms in rtts_ms]
    print(
        f"1-byte echo, median of {count} round trips on one connection; 'first' is a fresh "
        "connection's connect + first echo (a real link: 2 RTT)"
    )
    print("  RTT ms   direct ms   proxy ms   added ms   first ms  first/RTT")
    d_first, direct = echo_times(echo, count)
    with Proxies(routes) as proxies:
        for ms, addr in zip(rtts_ms, proxies.bound, strict=True):
            first, rtt = echo_times(addr, count)
            ratio = f"{first * 1000 / ms:9.2f}" if ms else "        -"
            print(
                f"  {ms:6.1f} {direct * 1000:10.3f} {rtt * 1000:10.3f} "
                f"{(rtt - direct) * 1000:10.3f} {first * 1000:10.3f}  {ratio}"
            )
    srv.close()
    _verify_ssh(rtts_ms, max(5, count // 5))


def _verify_ssh(rtts_ms: list[float], count: int) -> None:
    sys.path.insert(0, str(ROOT))
    from perf.bench import free_subnet  # the benchmark's own lab setup
    from tests.labkit.lab import Lab, NodeSpec

    with tempfile.TemporaryDirectory(prefix="hardening-latency-") as tmp:
        lab = Lab(Path(tmp) / "lab", tie_to_parent=True)
        lab.start([NodeSpec("w001", f"127.0.{free_subnet(1)}.1", "worker")])
        try:
            node = next(iter(lab.nodes.values()))
            routes = [
                Route((node.address, PORT_BASE + i), (node.address, node.port), ms / 1000)
                for i, ms in enumerate(rtts_ms)
            ]
            with Proxies(routes) as proxies:
                print(f"\n`ssh node true` (OpenSSH, strict host keys), median of {count}")
                print("  RTT ms   direct s   proxy s   added s   added/RTT (round trips)")
                direct = ssh_true_time(lab.ssh_argv(node, "auditor", "true"), count)
                for i, (ms, (_a, port)) in enumerate(zip(rtts_ms, proxies.bound, strict=True)):
                    config, _kh = write_proxy_files(lab, port, Path(tmp) / f"px{i}")
                    argv = [
                        "ssh",
                        "-F",
                        str(config),
                        "-p",
                        str(port),
                        f"auditor@{node.address}",
                        "true",
                    ]
                    took = ssh_true_time(argv, count)
                    rounds = f"{(took - direct) * 1000 / ms:10.2f}" if ms else "         -"
                    print(f"  {ms:6.1f} {direct:10.3f} {took:9.3f} {took - direct:9.3f}   {rounds}")
        finally:
            lab.stop()


def write_proxy_files(lab: object, port: int, dest: Path) -> tuple[Path, Path]:
    """ssh_config and known_hosts for the lab's nodes reached on ``port`` of their address.

    The proxy is transparent, so each node's own host key is written for ``[address]:port``:
    strict host-key checking stays on for every tool that connects through it.
    """
    from tests.labkit import inventory
    from tests.labkit.lab import Lab

    assert isinstance(lab, Lab)
    dest.mkdir(parents=True, exist_ok=True)
    entries = [
        inventory.HostEntry(n.name, n.address, port, n.roles, n.host_public_key)
        for n in lab.nodes.values()
    ]
    known_hosts, config = dest / "known_hosts", dest / "ssh_config"
    inventory.write_known_hosts(known_hosts, entries)
    inventory.write_ssh_config(config, entries, lab.key_path, known_hosts)
    inventory.write_inventory(dest / "inventory.yml", entries, lab.key_path, known_hosts)
    return config, known_hosts


def parse_rtts(text: str) -> list[float]:
    """``"0,5,20"`` -> [0.0, 5.0, 20.0] (milliseconds, none negative)."""
    values = [float(x) for x in text.split(",") if x.strip()]
    if not values or any(v < 0 for v in values):
        raise ValueError(f"--rtt-ms: {text!r}: expected non-negative milliseconds, e.g. 0,5,20")
    return values


def main(argv: list[str] | None = None) -> int:
    """Verify the proxy: echo round trips, then `ssh node true` on a one-node lab."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rtt-ms", default="0,5,20", help="round-trip times to check (0,5,20)")
    p.add_argument("--count", type=int, default=50, help="echo round trips per RTT (50)")
    args = p.parse_args(argv)
    verify(parse_rtts(args.rtt_ms), args.count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
