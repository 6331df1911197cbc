"""The lab itself: real sshd on namespaced nodes, seen through the real OpenSSH client."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import paramiko
import pytest
import yaml
from cryptography import x509

from tests.labkit import procfs
from tests.labkit.build import LAB_INIT
from tests.labkit.errors import LabError
from tests.labkit.fixtures import HostSnapshot, LabFactory
from tests.labkit.inventory import HostEntry, inventory_doc
from tests.labkit.inventory import known_hosts_line as known_line
from tests.labkit.lab import DEFAULT_NODES, Lab, Node, NodeSpec
from tests.labkit.profile import load_profile

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(180)]

REPO = Path(__file__).resolve().parents[2]


def ssh(
    lab: Lab,
    node: Node | str,
    command: str,
    user: str = "auditor",
    timeout: float = 60,
    extra: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run `command` on a node through the OpenSSH client with strict host key checking."""
    argv = lab.ssh_argv(node, user, command)
    return subprocess.run(
        [argv[0], *extra, *argv[1:]], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_default_nodes_come_up(lab: Lab) -> None:
    assert sorted(lab.nodes) == sorted(s.name for s in DEFAULT_NODES)
    for node in lab.nodes.values():
        assert node.is_running(), node.diagnostics()
        assert procfs.port_open(node.address, node.port)
        assert f"Server listening on {node.address} port 22." in node.log_path.read_text()


def test_each_node_has_its_own_hostname_and_pid1(lab: Lab) -> None:
    host_name = Path("/proc/sys/kernel/hostname").read_text().strip()
    for node in lab.nodes.values():
        result = ssh(
            lab,
            node,
            "hostname; cat /etc/hostname; tr '\\0' ' ' </proc/1/cmdline; echo; "
            "cat /proc/[0-9]*/comm",
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == node.name != host_name
        assert lines[1] == node.name
        assert lines[2].split() == [LAB_INIT, node.name]
        visible = set(lines[3:])
        assert {"lab-init", "sshd", "kubelet"} <= visible
        assert not {c for c in visible if "python" in c or "pytest" in c}  # host processes hidden


def test_components_run_with_exact_argv(lab: Lab) -> None:
    for node in lab.nodes.values():
        pids = node.pids
        assert set(pids) == {p.name for p in node.profile.processes}
        script = "; ".join(
            f"echo @{pid}; cat /proc/{pid}/comm; tr '\\0' '\\n' </proc/{pid}/cmdline"
            for pid in pids.values()
        )
        result = ssh(lab, node, script)
        assert result.returncode == 0, result.stderr
        blocks = [b.strip().splitlines() for b in result.stdout.split("@")[1:]]
        seen = {int(b[0]): (b[1], tuple(b[2:])) for b in blocks}
        for proc in node.profile.processes:
            comm, argv = seen[pids[proc.name]]
            assert argv == proc.argv
            assert comm == Path(proc.exe).name[:15]


def test_static_pod_manifests_match_running_processes(lab: Lab) -> None:
    cp1 = lab.node("cp1")
    for proc in cp1.profile.processes:
        if proc.manifest is None:
            continue
        result = ssh(
            lab, cp1, f"sudo -n stat -c '%a %U:%G' {proc.manifest} && sudo -n cat {proc.manifest}"
        )
        assert result.returncode == 0, result.stderr
        mode_line, manifest = result.stdout.split("\n", 1)
        assert mode_line == "600 root:root"
        pod = yaml.safe_load(manifest)
        assert pod["kind"] == "Pod"
        assert tuple(pod["spec"]["containers"][0]["command"]) == proc.argv
    etcd_dir = ssh(lab, cp1, "sudo -n stat -c '%a %U:%G' /var/lib/etcd")
    assert etcd_dir.stdout.strip() == "700 etcd:etcd"


def test_control_plane_pki_is_real(lab: Lab) -> None:
    cp1 = lab.node("cp1")
    result = ssh(
        lab, cp1, "sudo -n cat /etc/kubernetes/pki/ca.crt /etc/kubernetes/pki/apiserver.crt"
    )
    assert result.returncode == 0, result.stderr
    ca, server = x509.load_pem_x509_certificates(result.stdout.encode())
    server.verify_directly_issued_by(ca)
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kubernetes.default" in sans.get_values_for_type(x509.DNSName)
    assert cp1.address in {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    admin = yaml.safe_load(ssh(lab, cp1, "sudo -n cat /etc/kubernetes/admin.conf").stdout)
    assert admin["clusters"][0]["cluster"]["server"] == f"https://{cp1.address}:6443"


def test_compliant_and_noncompliant_workers_differ_as_documented(lab: Lab) -> None:
    probe = (
        "sudo -n stat -c '%a %U:%G %n' /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.conf "
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf; "
        "sudo -n /usr/sbin/sshd -T -f /etc/ssh/sshd_config -C user=root,host=x,addr=127.0.0.1 "
        "| grep -E '^(permitrootlogin|passwordauthentication) '; "
        "sudo -n find /usr/local/bin -perm -4000 -type f"
    )
    good, bad = ssh(lab, "worker1", probe).stdout, ssh(lab, "worker2", probe).stdout
    assert "600 root:root /var/lib/kubelet/config.yaml" in good
    assert "600 root:root /etc/kubernetes/kubelet.conf" in good
    assert "permitrootlogin without-password" in good and "passwordauthentication no" in good
    assert "evil-suid" not in good
    assert "666 auditor:auditor /var/lib/kubelet/config.yaml" in bad
    assert "644 root:root /etc/kubernetes/kubelet.conf" in bad
    assert "permitrootlogin yes" in bad and "passwordauthentication yes" in bad
    assert "/usr/local/bin/evil-suid" in bad
    assert "--anonymous-auth=true" in lab.node("worker2").profile.processes[1].argv
    assert lab.node("worker2").profile.deviations


def test_writes_inside_a_node_stay_inside(lab: Lab) -> None:
    tag = f"lab-{uuid.uuid4().hex[:8]}"
    paths = [
        f"/etc/{tag}",
        f"/usr/{tag}",
        f"/opt/{tag}",
        f"/root/{tag}",
        f"/tmp/{tag}",
        f"/var/lib/{tag}",
        f"/home/{tag}",
    ]
    node = lab.node("worker1")
    result = ssh(
        lab, node, "sudo -n touch " + " ".join(paths) + " && sudo -n ls -d " + " ".join(paths)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(paths)
    for path in paths:
        assert not Path(path).exists(), f"{path} leaked to the host"
    assert (node.dir / "upper" / "etc" / tag).exists()  # it went to the node's overlay


def test_host_files_unchanged_by_a_lab_run(
    host_snapshot: HostSnapshot, lab_factory: LabFactory
) -> None:
    fresh = lab_factory(["worker1", "worker2"])
    for node in fresh.nodes.values():
        result = ssh(
            fresh,
            node,
            "sudo -n sh -c 'echo x >/etc/motd.lab; touch /usr/local/bin/lab /opt/lab "
            "/root/lab /var/lib/lab; chmod 777 /etc/ssh'",
        )
        assert result.returncode == 0, result.stderr
    fresh.stop()
    host_snapshot.assert_unchanged()
    assert not Path("/etc/motd.lab").exists()


def test_sudo_is_passwordless_for_auditor(lab: Lab) -> None:
    result = ssh(lab, "cp1", "sudo -n id -u")
    assert (result.returncode, result.stdout.strip()) == (0, "0")


def test_sudo_asks_nopw_for_a_password(lab: Lab) -> None:
    result = ssh(lab, "cp1", "sudo -n true", user="nopw")
    assert result.returncode != 0
    assert "a password is required" in result.stderr


def test_root_logs_in_with_the_lab_key(lab: Lab) -> None:
    result = ssh(lab, "worker1", "id -u", user="root")
    assert (result.returncode, result.stdout.strip()) == (0, "0")


def test_paramiko_connects_strictly_with_lab_known_hosts(lab: Lab) -> None:
    node = lab.node("worker1")
    client = paramiko.SSHClient()
    client.load_host_keys(str(lab.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        node.address,
        node.port,
        username="auditor",
        key_filename=str(lab.key_path),
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    try:
        _, stdout, _ = client.exec_command("hostname")
        assert stdout.read().decode().strip() == "worker1"
    finally:
        client.close()


def test_teardown_leaves_no_process_and_no_mount(lab_factory: LabFactory) -> None:
    fresh = lab_factory(["worker1"])
    node = fresh.node("worker1")
    inside = [p.host_pid for p in node.processes()]
    assert len(inside) >= 4  # lab-init, containerd, kubelet, sshd
    fresh.stop()
    assert not any(procfs.is_alive(pid) for pid in inside)
    assert not procfs.is_alive(node.unshare_pid)
    assert procfs.mounts_under(fresh.root) == []
    assert not fresh.root.exists()
    fresh.stop()  # idempotent


def test_hang_node_hangs(lab: Lab, hang_node: Node) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        ssh(lab, hang_node, "echo never", timeout=3)
    assert any(p.argv == ("/bin/sleep", "3600") for p in hang_node.processes())


def test_junk_node_prints_junk(lab: Lab, junk_node: Node) -> None:
    result = subprocess.run(
        lab.ssh_argv(junk_node, "auditor", "id"), capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert len(result.stdout) > 4_000_000
    assert b"@@deadbeefdeadbeefdeadbeefdeadbeef BEGIN x\n" in result.stdout[-300:]
    assert b"uid=" not in result.stdout  # the forced command ran, not ours


def test_jump_node_forwards(lab: Lab, jump_node: Node) -> None:
    target = lab.node("worker1")
    result = ssh(lab, target, "hostname", extra=("-J", f"auditor@{jump_node.address}"))
    assert (result.returncode, result.stdout.strip()) == (0, "worker1"), result.stderr
    log = jump_node.log_path.read_text()
    assert f"target {target.address} port {target.port}" in log


def test_rotated_host_key_is_refused(lab_factory: LabFactory) -> None:
    fresh = lab_factory(["worker1"])
    node = fresh.node("worker1")
    assert ssh(fresh, node, "true").returncode == 0
    old = node.host_public_key
    assert node.rotate_host_key() != old
    result = ssh(fresh, node, "true")
    assert result.returncode == 255
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in result.stderr


def test_stopped_node_refuses_connections(lab_factory: LabFactory) -> None:
    fresh = lab_factory(["worker1", "worker2"])
    fresh.node("worker2").stop()
    assert not procfs.port_open(fresh.node("worker2").address, 22)
    assert "Connection refused" in ssh(fresh, "worker2", "true").stderr
    assert ssh(fresh, "worker1", "hostname").stdout.strip() == "worker1"


def test_cli_up_status_down(tmp_path: Path) -> None:
    root = tmp_path / "cli-lab"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tests.labkit", *args, "--dir", str(root)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    up = cli("up", "--nodes", "worker1", "--port", "2222")
    assert up.returncode == 0, up.stderr
    try:
        assert cli("status").returncode == 0
        probe = subprocess.run(
            ["ssh", "-F", str(root / "ssh_config"), "-p", "2222", "127.0.0.12", "hostname"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert probe.stdout.strip() == "worker1", probe.stderr
    finally:
        down = cli("down")
    assert down.returncode == 0, down.stderr
    assert not root.exists()
    assert cli("status").returncode == 1


def test_static_inventory_matches_the_default_lab() -> None:
    static = yaml.safe_load((REPO / "inventory" / "lab.yml").read_text())
    root = Path("/tmp/hardening-lab")
    entries = [
        HostEntry(s.name, s.address, 22, load_profile(s.profile, {}).roles, "ssh-ed25519 A")
        for s in DEFAULT_NODES
    ]
    assert static == inventory_doc(entries, root / "id_ed25519", root / "known_hosts")


def test_a_failed_start_tears_down_what_it_started(tmp_path: Path) -> None:
    root = tmp_path / "half-lab"
    specs = [NodeSpec("worker1", "127.0.150.12", "worker"), NodeSpec("bad", "127.0.150.13", "nope")]
    half = Lab(root, tie_to_parent=True)
    with pytest.raises(LabError, match="profile 'nope'"):
        half.start(specs)
    started = half.nodes["worker1"]
    assert started.pid1 and not procfs.is_alive(started.pid1)
    assert not procfs.port_open(started.address, 22)
    assert not root.exists()
    assert procfs.mounts_under(root) == []


def test_a_fresh_lab_object_stops_the_nodes_its_dir_lists(lab_factory: LabFactory) -> None:
    started = lab_factory(["worker1"])
    node = started.node("worker1")
    stranger = Lab(started.root)  # knows no node of its own
    stranger.stop()
    assert not procfs.is_alive(node.pid1) and not procfs.is_alive(node.unshare_pid)
    assert not started.root.exists()


def test_a_node_answers_on_its_alias_addresses(tmp_path: Path) -> None:
    """perf/fleet.py reaches one node under several inventory names: its sshd listens on
    every alias too, with the same host key, and stops with the node."""
    subnet = next(k for k in range(200, 250) if not procfs.port_open(f"127.0.{k}.1", 22))
    aliases = (f"127.{subnet}.1.1", f"127.{subnet}.2.1")
    assert not any(procfs.port_open(a, 22) for a in aliases)
    fresh = Lab(tmp_path / "lab", tie_to_parent=True)
    try:
        fresh.start([NodeSpec("worker1", f"127.0.{subnet}.1", "worker", aliases)])
        node = fresh.node("worker1")
        known = tmp_path / "known_hosts"
        known.write_text(
            "".join(
                known_line(HostEntry("w", a, 22, node.roles, node.host_public_key)) + "\n"
                for a in aliases
            ),
            encoding="ascii",
        )
        for address in aliases:
            done = subprocess.run(
                ["ssh", "-F", "/dev/null", "-i", str(fresh.key_path), "-o", "IdentitiesOnly=yes"]
                + ["-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={known}"]
                + ["-o", "StrictHostKeyChecking=yes", f"auditor@{address}", "hostname"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert (done.returncode, done.stdout.strip()) == (0, "worker1"), done.stderr
    finally:
        fresh.stop()
    assert not any(procfs.port_open(a, 22) for a in aliases)
