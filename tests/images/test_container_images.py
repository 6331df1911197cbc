"""Small OCI / docker save images made by the tests, gated end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.images.builders import Member, docker_save, oci_archive, oci_layout
from tests.images.cli import gate

pytestmark = pytest.mark.slow

SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCY-do-not-print"
PASSWD = b"root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n"


GOOD_HISTORY = [
    "/bin/sh -c #(nop) ADD file:5d3d2a8f4c1b in / ",
    "COPY server /app/ # buildkit",
    "USER app",
]
BAD_HISTORY = [
    "ADD alpine-minirootfs.tar.gz / # buildkit",
    "ADD https://example.com/tools.tgz /usr/bin/ # buildkit",
]


def _good() -> tuple[list[list[Member]], dict[str, object]]:
    base = [
        Member("etc", "dir", mode=0o755),
        Member("etc/passwd", data=PASSWD),
        Member("usr/bin", "dir", mode=0o755),
        Member("usr/bin/curl", data=b"\x7fELF"),
        Member("app", "dir", mode=0o755),
    ]
    app = [
        Member("app/server", data=b"\x7fELF", mode=0o755),
        Member("usr/bin/.wh.curl"),
    ]  # the build stage's curl is deleted in the top layer
    config = {
        "User": "app",
        "Entrypoint": ["/app/server"],
        "Env": ["PATH=/usr/bin", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"],
        "Healthcheck": {"Test": ["CMD", "/app/server", "-healthcheck"]},
    }
    return [base, app], config


def _bad() -> tuple[list[list[Member]], dict[str, object]]:
    base = [
        Member("etc", "dir", mode=0o755),
        Member("etc/passwd", data=PASSWD),
        Member("bin", "dir", mode=0o755),
        Member("bin/busybox", data=b"\x7fELF", mode=0o755),
        Member("bin/sh", "symlink", link="busybox"),
        Member("usr/bin", "dir", mode=0o755),
        Member("usr/bin/passwd", data=b"\x7fELF", mode=0o4755),
    ]
    tools = [
        Member("usr/bin/nc", "symlink", link="/bin/busybox"),
        Member("usr/bin/wget", data=b"\x7fELF", mode=0o755),
    ]
    config = {
        "Entrypoint": ["/bin/sh"],
        "Env": ["PATH=/usr/bin", f"AWS_SECRET_ACCESS_KEY={SECRET}", "DB_PASSWORD="],
    }
    return [base, tools], config


@pytest.mark.parametrize("writer", [oci_layout, oci_archive, docker_save])
def test_compliant_container_image_passes(tmp_path: Path, writer) -> None:
    layers, config = _good()
    dest = tmp_path / ("good" if writer is oci_layout else "good.tar")
    if writer is oci_layout:
        dest.mkdir()
    image = writer(dest, layers, config, GOOD_HISTORY)
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 0, (run.stdout, run.stderr)
    assert run.failed == {}
    assert {f"IMG-{i}" for i in range(1, 9)} <= run.passed


@pytest.mark.parametrize("writer", [oci_archive, docker_save])
def test_noncompliant_container_image_fails_like_dockle(tmp_path: Path, writer) -> None:
    layers, config = _bad()
    image = writer(tmp_path / "bad.tar", layers, config, BAD_HISTORY)
    run = gate(image, tmp_path, "--fail-on", "high")
    assert run.rc == 1, (run.stdout, run.stderr)
    assert {f"IMG-{i}" for i in (1, 2, 3, 4, 5, 7, 8)} <= set(run.failed), run.failed
    assert "no HEALTHCHECK" in run.failed["IMG-7"]  # CIS-DI-0006
    assert "https://example.com/tools.tgz" in run.failed["IMG-8"]  # CIS-DI-0009
    assert "alpine-minirootfs" not in run.failed["IMG-8"]  # the base rootfs step
    assert "User not set" in run.failed["IMG-1"]  # CIS-DI-0001
    assert "/usr/bin/passwd" in run.failed["IMG-2"]  # CIS-DI-0008 lists the files
    assert "/usr/bin/nc" in run.failed["IMG-3"] and "/usr/bin/wget" in run.failed["IMG-3"]
    assert "AWS_SECRET_ACCESS_KEY" in run.failed["IMG-5"]  # CIS-DI-0010
    assert "DB_PASSWORD" not in run.failed["IMG-5"]  # empty: nothing stored

    report = (tmp_path / "report.json").read_text()
    for text in (run.junit, report, run.stdout, run.stderr):
        assert SECRET not in text


def test_image_size_and_layers_are_reported(tmp_path: Path) -> None:
    layers, config = _bad()
    image = docker_save(tmp_path / "bad.tar", layers, config)
    gate(image, tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    size = next(r for r in doc["hosts"][0]["results"] if r["id"] == "IMG-6")
    assert size["status"] == "PASS"
    assert size["evidence"]["observed"].startswith("2 layers, ")
    assert doc["hosts"][0]["meta"]["layers"] == "2"


def test_waived_tool_passes_the_gate(tmp_path: Path) -> None:
    layers, config = _bad()
    config = {**config, "User": "app", "Env": ["PATH=/usr/bin"]}
    layers = [[m for m in layers[0] if m.path != "usr/bin/passwd"], layers[1]]
    image = oci_archive(tmp_path / "tools.tar", layers, config)
    assert gate(image, tmp_path, "--fail-on", "high").rc == 1
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        'waivers:\n  - control: "IMG-3"\n    hosts: ["*"]\n'
        "    reason: health probe uses wget\n    expires: 2999-12-31\n"
        "    approved_by: platform\n"
    )
    run = gate(image, tmp_path, "--fail-on", "high", "--waivers", str(waivers))
    assert run.rc == 0, (run.stdout, run.stderr, run.failed)
    assert "IMG-3" in run.skipped


def test_a_container_image_is_named_by_its_repo_tag(tmp_path: Path) -> None:
    layers, config = _good()
    saved = docker_save(tmp_path / "app.tar", layers, config, tag="registry.example/team/app:1.4")
    gate(saved, tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["hosts"][0]["name"] == "registry.example/team/app:1.4"
    assert doc["hosts"][0]["address"] == str(saved)
    layout = oci_layout(tmp_path / "layout", layers, config)
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0]["annotations"] = {"org.opencontainers.image.ref.name": "2.0"}
    (layout / "index.json").write_text(json.dumps(index))
    gate(layout, tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["hosts"][0]["name"] == "layout:2.0"
    plain = oci_layout(tmp_path / "unnamed", layers, config)
    run = gate(plain, tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["hosts"][0]["name"] == "unnamed"
    assert 'name="unnamed"' in run.junit
