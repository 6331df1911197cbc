"""Unit tests of the image view: path resolution, systemd units, sshd_config, whiteouts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hardening.parsers import units
from hardening.sources import oci, sshd
from hardening.sources.rootfs import Entry, LinkLoopError, Tree
from tests.images.builders import Member, oci_layout


def _tree(files: dict[str, str], links: dict[str, str] | None = None) -> Tree:
    entries = {p: Entry(p, stat.S_IFREG | 0o644, loc=p, size=len(t)) for p, t in files.items()}
    for p, target in (links or {}).items():
        entries[p] = Entry(p, stat.S_IFLNK | 0o777, link=target)
    data = {p: t.encode() for p, t in files.items()}
    return Tree(entries, lambda locs, cap: {loc: data[str(loc)][:cap] for loc in locs})


def test_resolution_never_leaves_the_root() -> None:
    tree = _tree(
        {"/etc/passwd": "image"},
        {"/a/up": "../../../../etc/passwd", "/a/abs": "/etc/passwd", "/a/x": "y", "/a/y": "x"},
    )
    assert tree.text("/a/up") == "image" and tree.text("/a/abs") == "image"
    with pytest.raises(LinkLoopError):
        tree.resolve("/a/x")
    assert tree.resolve("/a/abs", follow=False).is_symlink


def test_kubelet_argv_follows_systemd_semantics() -> None:
    tree = _tree(
        {
            "/lib/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet --old\n",
            "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf": "[Service]\n"
            'Environment="A=--config=/k.yaml" "B=--x=1 --y=2"\n'
            "EnvironmentFile=-/etc/default/kubelet\nEnvironmentFile=-/missing\n"
            "ExecStart=\nExecStart=/usr/bin/kubelet $A ${B} $KUBELET_EXTRA_ARGS $UNSET\n",
            "/etc/default/kubelet": "KUBELET_EXTRA_ARGS=--anonymous-auth=true --v=2\n",
        }
    )
    argv, origin = units.component_argv(tree, "kubelet")
    assert argv == (
        "/usr/bin/kubelet",
        "--config=/k.yaml",
        "--x=1 --y=2",
        "--anonymous-auth=true",
        "--v=2",
    )
    assert origin.startswith("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf")


def test_static_pod_manifest_gives_command_and_args() -> None:
    tree = _tree(
        {
            "/etc/kubernetes/manifests/kube-apiserver.yaml": "spec:\n  containers:\n"
            "  - command: [kube-apiserver, --anonymous-auth=false]\n"
            "    args: [--profiling=false]\n"
        }
    )
    argv, origin = units.component_argv(tree, "kube-apiserver")
    assert argv == ("kube-apiserver", "--anonymous-auth=false", "--profiling=false")
    assert origin == "/etc/kubernetes/manifests/kube-apiserver.yaml"
    assert units.component_argv(tree, "etcd") is None


def test_sshd_dump_first_value_wins_with_include_and_match() -> None:
    tree = _tree(
        {
            "/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n"
            "Match User bob\n  PasswordAuthentication no\n",
            "/etc/ssh/sshd_config.d/10.conf": "PermitRootLogin no\n",
        }
    )
    out = sshd.dump(tree).decode()
    assert "permitrootlogin no\n" in out and "passwordauthentication yes\n" in out
    assert sshd.is_sshd_dump("sshd -T 2>/dev/null") and not sshd.is_sshd_dump("sshd -T; id")
    assert sshd.dump(_tree({})) is None


def test_opaque_and_plain_whiteouts_apply_to_lower_layers_only(tmp_path: Path) -> None:
    layers = [
        [
            Member("etc/app/a", data=b"1"),
            Member("etc/app/b", data=b"2"),
            Member("usr/bin/curl", data=b"x"),
        ],
        [
            Member("etc/app/.wh..wh..opq"),
            Member("etc/app/c", data=b"3"),
            Member("usr/bin/.wh.curl"),
        ],
    ]
    dest = tmp_path / "img"
    dest.mkdir()
    img = oci.open_container(oci_layout(dest, layers, {"User": "1"}))
    names = set(img.tree.entries)
    assert "/etc/app/c" in names and not {"/etc/app/a", "/etc/app/b", "/usr/bin/curl"} & names
    assert img.layers == 2 and img.tree.text("/etc/app/c") == "3"
