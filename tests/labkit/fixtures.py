"""pytest fixtures for the namespaced sshd lab (loaded by `pytest_plugins` in tests/conftest.py).

- `lab` (session): the default nodes cp1, worker1, worker2 in a per-session lab dir.
- `hang_node`, `junk_node`, `jump_node` (session): special nodes added to `lab` on request;
  they are in its known_hosts and ssh_config but not in its inventory.yml.
- `lab_factory` (function): `lab_factory(["worker1", ...])` -> a fresh, started Lab on its
  own addresses (127.0.<k>.N), stopped after the test. `fresh_lab` is the default set.
- `node_factory` (function): `node_factory("worker2")` -> one fresh Node.
- `host_snapshot` (function): fingerprints the real host before the test and fails the test
  if anything under /etc, /usr/local, /opt, /root or /var/lib changed after it.
"""

from __future__ import annotations

import itertools
import os
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from tests.labkit import hostsnap
from tests.labkit.lab import DEFAULT_NODES, KNOWN_NODES, Lab, Node, NodeSpec, resolve_specs

# Several pytest sessions may run at once on one machine (developers, CI, helpers): fresh
# labs take subnets 127.0.100-249.N starting at a per-process offset.
_subnets = (100 + (n % 150) for n in itertools.count((os.getpid() % 50) * 3))


def _port_free(address: str, port: int = 22) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def _session_subnet() -> int:
    """0 (the documented 127.0.0.N addresses) unless another lab already holds them."""
    if all(_port_free(s.address) for s in DEFAULT_NODES):
        return 0
    return 10 + os.getpid() % 80


def _relocate(spec: NodeSpec, subnet: int) -> NodeSpec:
    return NodeSpec(spec.name, f"127.0.{subnet}.{spec.address.rsplit('.', 1)[1]}", spec.profile)


LabFactory = Callable[[Iterable[str]], Lab]


def pytest_configure(config: pytest.Config) -> None:
    """Register the lab markers, so --strict-markers works even without pyproject's list."""
    config.addinivalue_line("markers", "lab: needs the namespaced sshd lab (root, unshare, sshd)")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "destructive: changes lab nodes; gets fresh nodes")


def _new_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="hardening-lab-"))
    root.rmdir()  # Lab.start creates it and refuses to reuse a directory
    return root


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The session lab: default nodes cp1 (.11), worker1 (.12), worker2 (.13) on 127.0.0.N."""
    subnet = _session_subnet()
    session_lab = Lab(_new_root(), tie_to_parent=True).start(
        [_relocate(s, subnet) for s in DEFAULT_NODES]
    )
    try:
        yield session_lab
    finally:
        session_lab.stop()


def _special(lab: Lab, name: str) -> Node:
    if name not in lab.nodes:
        subnet = int(lab.node("cp1").address.split(".")[2]) if "cp1" in lab.nodes else 0
        lab.add([_relocate(KNOWN_NODES[name], subnet)], in_inventory=False)
    return lab.node(name)


@pytest.fixture(scope="session")
def hang_node(lab: Lab) -> Node:
    """A node whose sshd runs `/bin/sleep 3600` for every command (127.0.0.21)."""
    return _special(lab, "hang")


@pytest.fixture(scope="session")
def junk_node(lab: Lab) -> Node:
    """A node whose sshd prints ~4 MiB of junk and forged frames for every command (127.0.0.22)."""
    return _special(lab, "junk")


@pytest.fixture(scope="session")
def jump_node(lab: Lab) -> Node:
    """A bastion (127.0.0.23) with TCP forwarding; its sshd log is `jump_node.log_path`."""
    return _special(lab, "jump")


@pytest.fixture
def lab_factory() -> Iterator[LabFactory]:
    """Start fresh labs on private addresses (127.0.<k>.N); all are stopped after the test."""
    labs: list[Lab] = []

    def make(names: Iterable[str]) -> Lab:
        wanted = resolve_specs(names)
        for _ in range(150):
            subnet = next(_subnets)
            specs = [_relocate(s, subnet) for s in wanted]
            if all(_port_free(s.address) for s in specs):
                break
        fresh = Lab(_new_root(), tie_to_parent=True)
        labs.append(fresh)
        return fresh.start(specs)

    try:
        yield make
    finally:
        errors = []
        for item in labs:
            try:
                item.stop()
            except Exception as exc:  # noqa: BLE001 - every lab must get its stop attempt
                errors.append(str(exc))
        if errors:
            pytest.fail("; ".join(errors))


@pytest.fixture
def fresh_lab(lab_factory: LabFactory) -> Lab:
    """A fresh default lab for a destructive test."""
    return lab_factory(s.name for s in DEFAULT_NODES)


@pytest.fixture
def node_factory(lab_factory: LabFactory) -> Callable[[str], Node]:
    """`node_factory("worker2")` -> one fresh node in its own lab."""

    def make(name: str) -> Node:
        return lab_factory([name]).node(name)

    return make


class HostSnapshot:
    """The host fingerprint taken before a test, and the check made after it."""

    def __init__(self) -> None:
        self.before = hostsnap.snapshot()

    def changes(self) -> list[str]:
        """What changed on the host since the fixture started."""
        return hostsnap.diff(self.before, hostsnap.snapshot())

    def assert_unchanged(self) -> None:
        """Fail the test, listing the paths, if the host's files changed."""
        changed = self.changes()
        assert not changed, "host files changed during the lab run:\n" + "\n".join(changed[:50])


@pytest.fixture
def host_snapshot() -> Iterator[HostSnapshot]:
    """Fingerprint the host before the test; assert after teardown of later fixtures."""
    snap = HostSnapshot()
    yield snap
    snap.assert_unchanged()
