"""Host-side preparation of a node: its upper layers, sshd config, keys and init script.

Everything a node needs is written here before its namespaces exist; the init script
then only mounts, sets the hostname and starts processes.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.labkit import pki
from tests.labkit.accounts import Accounts
from tests.labkit.errors import LabError
from tests.labkit.profile import ProcessSpec, Profile
from tests.labkit.tree import OVERLAID, UpperTree, layer_name

FAKEPROC_SOURCE = Path(__file__).resolve().parent / "fakeproc.c"
RESTART_KUBELET_SOURCE = Path(__file__).resolve().parent / "restart_kubelet.py"
# Stands in for `systemctl restart kubelet` (the nodes run no systemd): see restart_kubelet.py.
RESTART_KUBELET = "/usr/local/sbin/lab-restart-kubelet"
LAB_INIT = "/usr/lib/labkit/lab-init"
NODE_LOG_DIR = "/run/labkit/log"
HOST_KEY = "/etc/ssh/ssh_host_ed25519_key"

BASE_SSHD = {
    "HostKey": HOST_KEY,
    "PidFile": "/run/sshd.pid",
    "UsePAM": "no",
    "PermitRootLogin": "prohibit-password",
    "PasswordAuthentication": "no",
    "KbdInteractiveAuthentication": "no",
    "PermitEmptyPasswords": "no",
    "PubkeyAuthentication": "yes",
    "HostbasedAuthentication": "no",
    "IgnoreRhosts": "yes",
    "AuthorizedKeysFile": ".ssh/authorized_keys",
    "StrictModes": "yes",
    "X11Forwarding": "no",
    "AllowTcpForwarding": "no",
    "PermitUserEnvironment": "no",
    "MaxAuthTries": "4",
    "MaxSessions": "10",
    "MaxStartups": "10:30:60",
    "LoginGraceTime": "60",
    "ClientAliveInterval": "300",
    "ClientAliveCountMax": "3",
    "LogLevel": "INFO",
    "Subsystem": "sftp internal-sftp",
}


def compile_fakeproc(dest: Path) -> Path:
    """Compile fakeproc.c once per lab into `dest`; a missing compiler is a LabError."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise LabError(
            "cc: not found; the lab compiles its fake components: install gcc "
            "(apt-get install -y gcc)"
        )
    result = subprocess.run(
        [cc, "-O2", "-Wall", "-o", str(dest), str(FAKEPROC_SOURCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LabError(f"{FAKEPROC_SOURCE}: compile failed: {result.stderr.strip()}")
    return dest


def generate_ssh_key(path: Path, comment: str) -> str:
    """A fresh ed25519 key pair at `path` (+ .pub); returns the public key line."""
    if shutil.which("ssh-keygen") is None:
        raise LabError(
            "ssh-keygen: not found; install openssh-client (apt-get install -y openssh-server)"
        )
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".pub").unlink(missing_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path.with_name(path.name + ".pub").read_text(encoding="ascii").strip()


def sshd_config(
    address: str, port: int, options: dict[str, str], aliases: tuple[str, ...] = ()
) -> str:
    """sshd_config text: the compliant baseline, then the profile's overrides. ``aliases``
    are further addresses sshd also listens on (one node reached under many names, as
    perf/fleet.py's 1,000-host inventory does)."""
    merged = {"ListenAddress": address, "Port": str(port), **BASE_SSHD, **options}
    lines = ["# Written by tests.labkit for one lab node."]
    lines += [f"{key} {value}" for key, value in merged.items()]
    lines += [f"ListenAddress {alias}" for alias in aliases]
    return "\n".join(lines) + "\n"


def static_pod(proc: ProcessSpec) -> bytes:
    """A kubeadm-style static Pod manifest whose container command is the process argv."""
    mounts = [{"name": "k8s", "mountPath": "/etc/kubernetes", "readOnly": True}]
    volumes = [
        {"name": "k8s", "hostPath": {"path": "/etc/kubernetes", "type": "DirectoryOrCreate"}}
    ]
    if proc.name == "etcd":
        mounts.append({"name": "etcd-data", "mountPath": "/var/lib/etcd"})
        volumes.append(
            {
                "name": "etcd-data",
                "hostPath": {"path": "/var/lib/etcd", "type": "DirectoryOrCreate"},
            }
        )
    doc = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "labels": {"component": proc.name, "tier": "control-plane"},
            "name": proc.name,
            "namespace": "kube-system",
        },
        "spec": {
            "containers": [
                {
                    "name": proc.name,
                    "image": proc.image,
                    "command": list(proc.argv),
                    "volumeMounts": mounts,
                }
            ],
            "hostNetwork": True,
            "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": volumes,
        },
    }
    return yaml.safe_dump(doc, sort_keys=False).encode("utf-8")


def prepare_node(
    tree: UpperTree,
    profile: Profile,
    *,
    hostname: str,
    address: str,
    port: int,
    fakeproc: Path,
    cas: pki.ClusterCas,
    control_plane: str,
    client_pub: str,
    aliases: tuple[str, ...] = (),
) -> str:
    """Fill the node's upper layers from its profile; returns the node's host public key."""
    tree.create_layers()
    accounts = Accounts()
    accounts.install(tree, client_pub)
    tree.write("/etc/hostname", f"{hostname}\n".encode(), 0o644)
    hosts = f"127.0.0.1 localhost\n{address} {hostname}\n"
    tree.write("/etc/hosts", hosts.encode(), 0o644)
    tree.write(
        "/etc/ssh/sshd_config", sshd_config(address, port, profile.sshd, aliases).encode(), 0o600
    )
    host_pub = generate_ssh_key(tree.host_path(HOST_KEY), f"root@{hostname}")
    tree.copy(fakeproc, LAB_INIT)
    for proc in profile.processes:
        tree.copy(fakeproc, proc.exe)
        if proc.name == "kubelet":
            tree.copy(RESTART_KUBELET_SOURCE, RESTART_KUBELET)
    _install_profile_files(tree, profile, accounts, cas, hostname, address, control_plane)
    return host_pub


def _install_profile_files(
    tree: UpperTree,
    profile: Profile,
    accounts: Accounts,
    cas: pki.ClusterCas,
    hostname: str,
    address: str,
    control_plane: str,
) -> None:
    for d in profile.dirs:
        tree.mkdir(d.path, d.mode, *accounts.owner(d.owner))
    if profile.pki:
        for rel, data in pki.control_plane_pki(cas, hostname, address).items():
            tree.write(f"/etc/kubernetes/pki/{rel}", data, 0o600 if rel.endswith(".key") else 0o644)
    if profile.kubelet_pki:
        tree.write("/etc/kubernetes/pki/ca.crt", cas.kubernetes.cert_pem(), profile.ca_mode)
        serving = pki.kubelet_serving(cas, hostname, address)
        tree.write("/var/lib/kubelet/pki/kubelet.crt", serving.cert_pem(), 0o644)
        tree.write("/var/lib/kubelet/pki/kubelet.key", serving.key_pem(), 0o600)
    server = f"https://{control_plane}:6443"
    for kc in profile.kubeconfigs:
        tree.write(
            kc.path,
            pki.kubeconfig(cas, server, kc.user, kc.org),
            kc.mode,
            *accounts.owner(kc.owner),
        )
    for f in profile.files:
        tree.write(f.path, f.content.encode("utf-8"), f.mode, *accounts.owner(f.owner))
    for proc in profile.processes:
        if proc.manifest:
            tree.write(proc.manifest, static_pod(proc), 0o600)


def init_script(
    hostname: str, upper: Path, work: Path, log_dir: Path, profile: Profile, port: int
) -> str:
    """The POSIX sh run as the node's first process; it ends by exec'ing lab-init as PID 1."""
    q = shlex.quote
    lines = ["set -eu", "mount --make-rprivate /"]
    for mount_point in OVERLAID:
        name = layer_name(mount_point)
        opts = f"lowerdir={mount_point},upperdir={upper / name},workdir={work / name}"
        lines.append(f"mount -t overlay overlay -o {q(opts)} {q(mount_point)}")
    lines += [
        "mount -t tmpfs -o mode=0755,nosuid,nodev lab-run /run",
        f"mkdir -p /run/sshd {q(NODE_LOG_DIR)}",
        "chmod 0755 /run/sshd",
        f"mount --bind {q(str(log_dir))} {q(NODE_LOG_DIR)}",
        "mount -t tmpfs -o mode=1777,nosuid,nodev lab-tmp /tmp",
        f"hostname {q(hostname)}",
        "cd /",
    ]
    for proc in profile.processes:
        lines.append(_start_line(proc))
    sshd = [
        "/usr/sbin/sshd",
        "-D",
        "-e",
        "-f",
        "/etc/ssh/sshd_config",
        "-E",
        f"{NODE_LOG_DIR}/sshd.log",
    ]
    lines.append(" ".join(q(a) for a in sshd) + " </dev/null &")
    lines.append(f"exec {q(LAB_INIT)} {q(hostname)}")
    return "\n".join(lines) + "\n"


def _start_line(proc: ProcessSpec) -> str:
    q = shlex.quote
    args = " ".join(q(a) for a in proc.args)
    if proc.argv0 == proc.exe:
        return f"{q(proc.exe)} {args} </dev/null >/dev/null 2>&1 &"
    # argv0 is the basename: let the shell find it through PATH, as a container runtime does.
    directory = proc.exe.rsplit("/", 1)[0]
    run = f"PATH={q(directory)}; export PATH; exec {q(proc.argv0)} {args}"
    return f"({run}) </dev/null >/dev/null 2>&1 &"
