"""Small images made by the tests: node root filesystems from the lab's worker profiles,
and OCI / docker save container images (tarfile + json + hashlib; no registry, no docker).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.labkit.build import BASE_SSHD
from tests.labkit.profile import Profile, load_profile

VARIABLES = {"address": "127.0.0.10", "hostname": "img-node", "control_plane": "127.0.0.2"}
IDS = {"root": 0, "auditor": 1000}
PASSWD = "root:x:0:0:root:/root:/bin/sh\nauditor:x:1000:1000::/home/auditor:/bin/sh\n"
GROUP = "root:x:0:\nauditor:x:1000:\n"
KUBELET_UNIT = """[Unit]
Description=kubelet: The Kubernetes Node Agent
[Service]
ExecStart=/usr/bin/kubelet
Restart=always
[Install]
WantedBy=multi-user.target
"""
CONTAINERD_UNIT = "[Service]\nExecStart=/usr/bin/containerd\n"
KUBEADM_FLAGS = ("--container-runtime-endpoint", "--pod-infra-container-image")


@dataclass(frozen=True)
class Member:
    """One tar member: ``kind`` is file, dir, symlink or hardlink."""

    path: str
    kind: str = "file"
    data: bytes = b""
    mode: int = 0o644
    owner: str = "root:root"
    link: str = ""


@dataclass
class Layout:
    """A root filesystem being assembled, path -> member (later writes win)."""

    members: dict[str, Member] = field(default_factory=dict)

    def add(self, member: Member) -> None:
        """Add a member, creating its parent directories (0755 root) first."""
        parts = member.path.strip("/").split("/")
        for i in range(1, len(parts)):
            parent = "/" + "/".join(parts[:i])
            self.members.setdefault(parent, Member(parent, "dir", mode=0o755))
        self.members[member.path] = member

    def file(
        self, path: str, data: str | bytes, mode: int = 0o644, owner: str = "root:root"
    ) -> None:
        """Add a regular file."""
        self.add(
            Member(path, "file", data.encode() if isinstance(data, str) else data, mode, owner)
        )


def tarinfo(m: Member) -> tuple[tarfile.TarInfo, bytes | None]:
    """The tar header (and data) of a member."""
    ti = tarfile.TarInfo(m.path.lstrip("/") or ".")
    user, _, group = m.owner.partition(":")
    ti.uid, ti.gid = IDS.get(user, 1000), IDS.get(group, 1000)
    ti.uname, ti.gname = user, group
    ti.mode = m.mode
    ti.mtime = 1_700_000_000
    if m.kind == "dir":
        ti.type = tarfile.DIRTYPE
        return ti, None
    if m.kind in ("symlink", "hardlink"):
        ti.type = tarfile.SYMTYPE if m.kind == "symlink" else tarfile.LNKTYPE
        ti.linkname = m.link
        return ti, None
    ti.size = len(m.data)
    return ti, m.data


def write_tar(dest: Path | io.BytesIO, members: list[Member], compress: str = "") -> None:
    """Write members as a tar (``compress``: "", "gz" or "zst")."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            ti, data = tarinfo(m)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    if compress == "gz":
        raw = gzip.compress(raw, mtime=0)
    elif compress == "zst":
        import zstandard

        raw = zstandard.ZstdCompressor().compress(raw)
    if isinstance(dest, io.BytesIO):
        dest.write(raw)
    else:
        dest.write_bytes(raw)


def _flag(arg: str) -> str:
    return arg.split("=", 1)[0]


def node_layout(profile: Profile) -> Layout:
    """A worker's root filesystem as its lab profile describes it.

    The kubelet argv the profile runs is split the way kubeadm does: the drop-in's own
    variables, KUBELET_KUBEADM_ARGS in /var/lib/kubelet/kubeadm-flags.env, and anything
    else as KUBELET_EXTRA_ARGS in /etc/default/kubelet.
    """
    lay = Layout()
    lay.file("/etc/passwd", PASSWD)
    lay.file("/etc/group", GROUP)
    lay.file("/etc/os-release", 'PRETTY_NAME="Lab Linux 1 (image)"\nID=lab\n')
    for d in profile.dirs:
        lay.add(Member(d.path, "dir", mode=d.mode, owner=d.owner))
    for f in profile.files:
        lay.file(f.path, f.content, f.mode, f.owner)
    for k in profile.kubeconfigs:
        lay.file(
            k.path,
            f"apiVersion: v1\nkind: Config\nusers: [{{name: '{k.user}'}}]\n",
            k.mode,
            k.owner,
        )
    lay.file("/etc/kubernetes/pki/ca.crt", "-----BEGIN CERTIFICATE-----\n", profile.ca_mode)
    if profile.kubelet_pki:
        lay.file("/var/lib/kubelet/pki/kubelet.crt", "-----BEGIN CERTIFICATE-----\n", 0o644)
        lay.file("/var/lib/kubelet/pki/kubelet.key", "-----BEGIN PRIVATE KEY-----\n", 0o600)
    sshd = {**BASE_SSHD, **profile.sshd}  # as the lab writes it: base, then the profile
    lay.file(
        "/etc/ssh/sshd_config",
        "".join(f"{k} {v}\n" for k, v in sshd.items()) + "Include /etc/ssh/sshd_config.d/*.conf\n",
        0o644,
    )
    lay.file("/etc/ssh/sshd_config.d/50-cloud.conf", "PermitRootLogin yes\n", 0o644)
    lay.file("/usr/sbin/sshd", "#!/bin/sh\n", 0o755)
    dropin = next((f.content for f in profile.files if f.path.endswith("10-kubeadm.conf")), "")
    for proc in profile.processes:
        lay.file(proc.exe, "#!/bin/sh\n", 0o755)
        if proc.name == "containerd":
            lay.file("/lib/systemd/system/containerd.service", CONTAINERD_UNIT)
        if proc.name != "kubelet":
            continue
        lay.file("/lib/systemd/system/kubelet.service", KUBELET_UNIT)
        kubeadm = [a for a in proc.args if _flag(a) in KUBEADM_FLAGS]
        extra = [a for a in proc.args if a not in kubeadm and _flag(a) not in dropin]
        lay.file(
            "/var/lib/kubelet/kubeadm-flags.env", f'KUBELET_KUBEADM_ARGS="{" ".join(kubeadm)}"\n'
        )
        lay.file("/etc/default/kubelet", f"KUBELET_EXTRA_ARGS={' '.join(extra)}\n")
    return lay


def node_image(profile_name: str, dest: Path, compress: str = "") -> Path:
    """Write a node image tarball of a lab profile (e.g. ``worker``)."""
    lay = node_layout(load_profile(profile_name, VARIABLES))
    write_tar(dest, list(lay.members.values()), compress)
    return dest


def _blob(blobs: dict[str, bytes], data: bytes) -> dict[str, object]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"digest": digest, "size": len(data)}


def oci_blobs(
    layers: list[list[Member]],
    config: dict[str, object],
    gzip_layers: bool = True,
    history: list[str] | None = None,
) -> tuple[dict[str, bytes], dict[str, object], str]:
    """(blobs by digest, index.json, config digest) of an OCI image; ``history`` gives the
    config's build steps (``created_by``)."""
    blobs: dict[str, bytes] = {}
    descs = []
    diff_ids = []
    for members in layers:
        raw = io.BytesIO()
        write_tar(raw, members)
        diff_ids.append("sha256:" + hashlib.sha256(raw.getvalue()).hexdigest())
        data = gzip.compress(raw.getvalue(), mtime=0) if gzip_layers else raw.getvalue()
        kind = "tar+gzip" if gzip_layers else "tar"
        descs.append(
            {"mediaType": f"application/vnd.oci.image.layer.v1.{kind}", **_blob(blobs, data)}
        )
    cfg: dict[str, object] = {
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    if history is not None:
        cfg["history"] = [{"created_by": step} for step in history]
    cfg_desc = _blob(blobs, json.dumps(cfg).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **cfg_desc},
        "layers": descs,
    }
    man_desc = _blob(blobs, json.dumps(manifest).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **man_desc,
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    }
    return blobs, index, str(cfg_desc["digest"])


def oci_layout(
    dest: Path,
    layers: list[list[Member]],
    config: dict[str, object],
    history: list[str] | None = None,
) -> Path:
    """Write an OCI image layout directory."""
    blobs, index, _ = oci_blobs(layers, config, history=history)
    (dest / "blobs" / "sha256").mkdir(parents=True)
    (dest / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (dest / "index.json").write_text(json.dumps(index))
    for digest, data in blobs.items():
        (dest / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
    return dest


def oci_archive(
    dest: Path,
    layers: list[list[Member]],
    config: dict[str, object],
    history: list[str] | None = None,
) -> Path:
    """Write an OCI archive (the layout as one tar)."""
    blobs, index, _ = oci_blobs(layers, config, history=history)
    files = [
        Member("oci-layout", data=b'{"imageLayoutVersion": "1.0.0"}'),
        Member("index.json", data=json.dumps(index).encode()),
        Member("blobs", "dir", mode=0o755),
        Member("blobs/sha256", "dir", mode=0o755),
    ]
    files += [Member(f"blobs/sha256/{d.split(':')[1]}", data=b) for d, b in blobs.items()]
    write_tar(dest, files)
    return dest


def docker_save(
    dest: Path,
    layers: list[list[Member]],
    config: dict[str, object],
    history: list[str] | None = None,
    tag: str = "app:test",
) -> Path:
    """Write a ``docker save`` style archive (manifest.json, config, layer.tar each)."""
    blobs, _, cfg_digest = oci_blobs(layers, config, gzip_layers=False, history=history)
    files: list[Member] = []
    layer_paths = []
    cfg_name = cfg_digest.split(":")[1] + ".json"
    for digest, data in blobs.items():
        if digest == cfg_digest:
            files.append(Member(cfg_name, data=data))
        elif data[:1] != b"{":
            name = digest.split(":")[1]
            files += [Member(name, "dir", mode=0o755), Member(f"{name}/layer.tar", data=data)]
            layer_paths.append(f"{name}/layer.tar")
    manifest = [{"Config": cfg_name, "RepoTags": [tag], "Layers": layer_paths}]
    files.append(Member("manifest.json", data=json.dumps(manifest).encode()))
    write_tar(dest, files)
    return dest
