"""Deep paths in images: bounded depth and memory, a named error (exit 3) past the limit.

The deep cases run the CLI in a child limited to 1.5 GiB of address space, so the
behaviour before the fix (3.4 GB of index keys from a 298-byte gzip; RecursionError on a
directory 1,500 levels deep) fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hardening.sources.image import open_image
from hardening.sources.rootfs import MAX_DEPTH
from tests.images.builders import Member, node_image, oci_layout, write_tar

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))


def audit(image: Path, out: Path) -> tuple[int, str]:
    """Exit code and stderr + JUnit text of ``hardening audit --image``."""
    xml = out / "report.xml"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hardening",
            "audit",
            "--image",
            str(image),
            "--junit",
            str(xml),
            "--no-progress",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=_limit,
    )  # noqa: PLW1509 - rlimit only
    return proc.returncode, proc.stderr + (xml.read_text() if xml.exists() else "")


def test_a_member_60000_levels_deep_is_a_named_error(tmp_path: Path) -> None:
    image = tmp_path / "deep.tar.gz"
    write_tar(
        image,
        [Member("etc/os-release", data=b"ID=x\n"), Member("a/" * 60_000 + "f", data=b"x")],
        "gz",
    )
    assert image.stat().st_size < 2_000  # the was 298 bytes
    rc, text = audit(image, tmp_path)
    assert rc == 3, text[-600:]
    assert f"nested more than {MAX_DEPTH} levels deep" in text
    assert "MemoryError" not in text and "Traceback" not in text


def test_a_deep_member_in_an_oci_layer_is_a_named_error(tmp_path: Path) -> None:
    layout = oci_layout(
        tmp_path / "oci",
        [[Member("etc/os-release", data=b"ID=x\n")], [Member("d/" * 5_000 + "f", data=b"x")]],
        {},
    )
    rc, text = audit(layout, tmp_path)
    assert rc == 3, text[-600:]
    assert "nested more than" in text or "longer than 4096 bytes" in text


def test_a_rootfs_directory_1500_levels_deep_is_a_named_error(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text("ID=x\n")
    fd = os.open(root, os.O_RDONLY)
    try:  # relative mkdirat: the whole path is longer than PATH_MAX
        for _ in range(1_500):
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
    finally:
        os.close(fd)
    try:
        rc, text = audit(root, tmp_path)
    finally:  # pytest's own rmtree recurses, and would fail on this tree; rm uses fts
        subprocess.run(["rm", "-rf", str(root / "d")], check=True)
    assert rc == 3, text[-600:]
    assert f"nested more than {MAX_DEPTH} levels deep" in text
    assert "RecursionError" not in text


def test_paths_within_the_limit_are_indexed_and_audited(tmp_path: Path) -> None:
    base = node_image("worker", tmp_path / "worker.tar")
    deep = "/".join(["d"] * (MAX_DEPTH - 2)) + "/kubelet.conf"
    image = tmp_path / "deep-ok.tar"
    with tarfile.open(base) as tf:
        members = [
            Member(
                ti.name,
                "dir" if ti.isdir() else "file",
                (tf.extractfile(ti).read() if ti.isfile() else b""),  # type: ignore[union-attr]
                ti.mode,
            )
            for ti in tf.getmembers()
            if ti.isdir() or ti.isfile()
        ]
    write_tar(image, [*members, Member(deep, data=b"ok\n")])
    tree = open_image(image).tree
    entry = tree.resolve("/" + deep)
    assert entry is not None and tree.text("/" + deep) == "ok\n"
    rc, text = audit(image, tmp_path)
    assert rc in (0, 1), text[-600:]
