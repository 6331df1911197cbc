"""README's first command, verbatim, run by an ordinary user in a copy of the checkout.

The command is read from README.md (the ``sh`` block after "Install and audit this machine"),
so the test runs what a newcomer pastes. It runs as ``nobody`` with an empty environment (only
HOME and a system PATH), so neither root's pyenv nor this test run's venv can stand in for the
one the command makes: the machine's own ``python3`` builds ``.venv``, pip installs the package
and its dependencies into it (from the machine's configured index), and the venv's
``hardening`` audits this machine and writes the JSON run document.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def readme_install_command() -> str:
    """The one-line sh block that follows 'Install and audit this machine' in README.md."""
    text = (REPO / "README.md").read_text("utf-8")
    after = text.split("Install and audit this machine", 1)[1]
    block = re.search(r"```sh\n(.*?)\n```", after, re.S)
    assert block, "README.md: no sh block after 'Install and audit this machine'"
    lines = [ln for ln in block.group(1).splitlines() if ln.strip()]
    assert len(lines) == 1, f"README's first command is not one line: {lines}"
    return lines[0]


@pytest.fixture
def user_dir() -> Iterator[Path]:
    """A directory under /tmp that ``nobody`` can reach (pytest's tmp_path is root's, 0700)."""
    path = Path(tempfile.mkdtemp(prefix="hardening-readme-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_readme_first_command_as_an_ordinary_user(user_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the command as another user")
    tmp_path = user_dir
    command = readme_install_command()
    assert "audit --local --json audit.json" in command
    src = tmp_path / "src"
    home = tmp_path / "home"
    home.mkdir()
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "hardening", src / "hardening", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    for path in (tmp_path, src, home, *src.rglob("*")):
        os.chown(path, 65534, 65534)
    proc = subprocess.run(
        ["runuser", "-u", "nobody", "--", "env", "-i", f"HOME={home}", f"PATH={SYSTEM_PATH}"]
        + ["sh", "-c", command],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{out[-3000:]}"
    assert "fleet score" in proc.stdout, out[-3000:]
    venv_python = src / ".venv" / "bin" / "python"
    assert venv_python.exists(), "the command made no .venv"
    where = subprocess.run(
        [str(venv_python), "-c", "import hardening; print(hardening.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PATH": SYSTEM_PATH, "HOME": str(home)},
    ).stdout.strip()
    assert where.startswith(str(src / ".venv")), f"hardening imported from {where}"
    doc = json.loads((src / "audit.json").read_text("utf-8"))
    assert doc["kind"] == "audit" and len(doc["hosts"]) == 1
    host = doc["hosts"][0]
    assert host["error"] is None and host["results"], host.get("error")
    assert (src / "audit.json").stat().st_uid == 65534
