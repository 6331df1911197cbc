"""Hostile archives: each gives a clear error or a correct result, and never touches the host.

Every test hashes the host paths the archive aims at before and after the audit.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from hardening.errors import SourceError
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FileContent
from hardening.sources.image import answer, open_image
from tests.images.builders import Member, docker_save, oci_archive, oci_layout, write_tar
from tests.images.cli import gate

pytestmark = pytest.mark.slow

HOST_PATHS = [Path("/etc/passwd"), Path("/etc/hostname"), Path("/etc/hosts")]


def _digest(paths: list[Path]) -> dict[str, str]:
    out = {}
    for p in paths:
        out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent"
    return out


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A host file the archives aim at (it must stay as it is)."""
    victim = tmp_path / "host" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("host content\n")
    return victim


def _climb(target: Path) -> str:
    return "../" * 12 + str(target).lstrip("/")


def test_path_traversal_member_is_refused(tmp_path: Path, target: Path) -> None:
    before = _digest([target, *HOST_PATHS])
    image = tmp_path / "trav.tar"
    write_tar(
        image, [Member("etc/os-release", data=b"ID=x\n"), Member(_climb(target), data=b"pwned\n")]
    )
    with pytest.raises(SourceError, match="points outside the image root"):
        open_image(image)
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 3 and "points outside the image root" in run.junit
    assert _digest([target, *HOST_PATHS]) == before


def test_absolute_member_is_read_inside_the_image(tmp_path: Path, target: Path) -> None:
    before = _digest([target, *HOST_PATHS])
    image = tmp_path / "abs.tar"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo(str(target))  # an absolute name, kept as written
        ti.size = 7
        tf.addfile(ti, io.BytesIO(b"inside\n"))
    image.write_bytes(buf.getvalue())
    src = open_image(image)
    got = answer(src, [Read(str(target))])[Read(str(target))]
    assert isinstance(got, tuple) and got[0].data == b"inside\n"
    assert _digest([target, *HOST_PATHS]) == before


@pytest.mark.parametrize("link", ["/etc/passwd", "../../../../../../etc/passwd", "ABS"])
def test_symlinks_out_of_the_root_stay_inside(tmp_path: Path, target: Path, link: str) -> None:
    before = _digest([target, *HOST_PATHS])
    link = str(target) if link == "ABS" else link
    image = tmp_path / "links.tar"
    write_tar(image, [Member("etc/kubernetes/kubelet.conf", "symlink", link=link)])
    src = open_image(image)
    conf = "/etc/kubernetes/kubelet.conf"
    facts = answer(src, [Read(conf), Stat(conf)])
    for fact in facts.values():
        assert isinstance(fact, Absent) and "no such file" in fact.reason
    assert _digest([target, *HOST_PATHS]) == before


def test_link_loop_is_absent_not_a_hang(tmp_path: Path) -> None:
    image = tmp_path / "loop.tar"
    write_tar(
        image,
        [
            Member("etc/a", "symlink", link="b"),
            Member("etc/b", "symlink", link="a"),
            Member("etc/self", "symlink", link="/etc/self/x"),
        ],
    )
    src = open_image(image)
    facts = answer(src, [Stat("/etc/a"), Read("/etc/self")])
    assert all(isinstance(f, Absent) and "symbolic links" in f.reason for f in facts.values())
    run = gate(image, tmp_path)
    assert run.rc in (0, 1) and run.junit


def test_huge_member_claimed_by_a_truncated_header(tmp_path: Path) -> None:
    ti = tarfile.TarInfo("var/big.img")
    ti.size = 1 << 30  # the header claims 1 GiB; only 4 KiB follow
    data = ti.tobuf(format=tarfile.GNU_FORMAT) + b"\0" * 4096
    image = tmp_path / "big.tar"
    image.write_bytes(data)
    with pytest.raises(SourceError, match="truncated or corrupt archive"):
        open_image(image)


def test_real_sparse_1gib_member_is_read_capped(tmp_path: Path) -> None:
    root = tmp_path / "sparse"
    (root / "var").mkdir(parents=True)
    with open(root / "var" / "disk.img", "wb") as f:
        f.truncate(1 << 30)  # a hole: nothing is written
        f.seek((1 << 30) - 5)
        f.write(b"tail\n")
    image = tmp_path / "sparse.tar"
    subprocess.run(["tar", "--sparse", "-C", str(root), "-cf", str(image), "var"], check=True)
    assert image.stat().st_size < 1 << 20
    src = open_image(image)
    got = answer(src, [Read("/var/disk.img", limit=4096)])[Read("/var/disk.img", limit=4096)]
    assert isinstance(got[0], FileContent) and got[0].truncated and len(got[0].data) == 4096
    stat = answer(src, [Stat("/var/disk.img")])[Stat("/var/disk.img")]
    assert stat[0].is_file


@pytest.mark.parametrize("compress", ["", "gz", "zst"])
def test_truncated_archive_is_a_clear_error(tmp_path: Path, compress: str) -> None:
    members = [Member(f"etc/f{i}", data=bytes(range(256)) * 64) for i in range(20)]
    whole = tmp_path / "whole"
    write_tar(whole, members, compress)
    image = tmp_path / "cut.tar"
    image.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(SourceError, match="truncated or corrupt archive"):
        open_image(image)
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 3, (run.stdout, run.stderr)


def test_whiteout_aimed_outside_the_root_is_refused(tmp_path: Path, target: Path) -> None:
    before = _digest([target, *HOST_PATHS])
    layers = [
        [Member("etc/passwd", data=b"root:x:0:0::/:/bin/sh\n")],
        [Member("../../../../" + str(target.parent).lstrip("/") + "/.wh." + target.name)],
    ]
    image = oci_archive(tmp_path / "wh.tar", layers, {"User": "1000"})
    with pytest.raises(SourceError, match="points outside the image root"):
        open_image(image)
    assert _digest([target, *HOST_PATHS]) == before


def test_hardlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    image = tmp_path / "hl.tar"
    write_tar(image, [Member("etc/shadow", "hardlink", link="../../../etc/shadow")])
    with pytest.raises(SourceError, match="points outside the image root"):
        open_image(image)


def _tamper(blob: bytes) -> bytes:
    """The same layer with one file's content changed (a valid tar, a different hash)."""
    with tarfile.open(
        fileobj=io.BytesIO(gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob)
    ) as tf:
        members = [
            (ti, tf.extractfile(ti).read() if ti.isfile() else None)  # type: ignore[union-attr]
            for ti in tf.getmembers()
        ]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tf:
        for ti, data in members:
            if data is not None and ti.name.endswith("passwd"):
                data = data.replace(b"1000", b"0000")
                ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


LAYERS = [
    [
        Member("etc", "dir", mode=0o755),
        Member("etc/passwd", data=b"root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n"),
    ]
]


def test_an_altered_oci_layer_is_refused(tmp_path: Path) -> None:
    good = oci_layout(tmp_path / "good", LAYERS, {"User": "1000"})
    open_image(good)  # the untouched layout opens
    index = json.loads((good / "index.json").read_text())
    manifest_blob = good / "blobs" / "sha256" / index["manifests"][0]["digest"].split(":")[1]
    layer = json.loads(manifest_blob.read_text())["layers"][0]["digest"].split(":")[1]
    path = good / "blobs" / "sha256" / layer
    path.write_bytes(_tamper(path.read_bytes()))
    with pytest.raises(SourceError, match=f"blobs/sha256/{layer}' does not match its digest"):
        open_image(good)
    run = gate(good, tmp_path, "--fail-on", "high")
    assert run.rc == 3 and "does not match its digest" in run.junit


def test_an_altered_docker_save_layer_is_refused(tmp_path: Path) -> None:
    image = docker_save(tmp_path / "img.tar", LAYERS, {"User": "1000"})
    open_image(image)
    with tarfile.open(image) as tf:
        members = [
            (ti, tf.extractfile(ti).read() if ti.isfile() else None)  # type: ignore[union-attr]
            for ti in tf.getmembers()
        ]
    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w") as tf:
        for ti, data in members:
            if data is not None and ti.name.endswith("layer.tar"):
                data = _tamper(data)
                ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    with pytest.raises(SourceError, match="layer.tar' does not match its digest"):
        open_image(altered)
