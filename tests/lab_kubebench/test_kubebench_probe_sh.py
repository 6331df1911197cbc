"""The node-side substitution script of catalogue/kubebench_probe.py, run by the real /bin/sh.

kube-bench replaces ``$kubeletconf`` & co. textually before running a script; these cases
are the ones where shell-variable expansion would differ (single quotes, a longer name,
``\\$``, multi-word values) plus detection: first existing file, default, component name,
running binary, a mandatory binary missing (then no ``$...bin`` is replaced at all).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardening.catalogue.kubebench_probe import (
    DEFAULT_ENV_AUDIT,
    ComponentConfig,
    SectionConfig,
    wrap,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

MARK = "91237.5"  # an argument no other process on the machine carries


@pytest.fixture(scope="module")
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["sleep", MARK])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def run(script: str) -> tuple[int, str]:
    proc = subprocess.run(["/bin/sh", "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.stderr == b""  # the prologue itself is silent; the audit's stderr is merged
    return proc.returncode, proc.stdout.decode()


def section(tmp_path: Path, *, mandatory_missing: bool = False) -> SectionConfig:
    present = tmp_path / "present.yaml"
    present.write_text("x")
    comps = [
        ComponentConfig(
            "kubelet",
            optional=True,
            bins=("no-such-bin-x", f"sleep {MARK}"),
            files=(
                ("conf", (str(tmp_path / "absent.yaml"), str(present)), "/d"),
                ("svc", (str(tmp_path / "absent.svc"),), "/def/svc"),
                ("kubeconfig", (), None),
            ),
        ),
        ComponentConfig("proxy", optional=True, bins=("no-such-proxy",)),
    ]
    if mandatory_missing:
        comps.append(ComponentConfig("apiserver", bins=("no-such-apiserver",)))
    return SectionConfig("node", tuple(comps))


def test_first_existing_candidate_default_and_component_name(tmp_path: Path) -> None:
    sec = section(tmp_path)
    rc, out = run(wrap("echo $kubeletconf; echo $kubeletsvc; echo $kubeletkubeconfig", sec))
    assert (rc, out.splitlines()) == (0, [str(tmp_path / "present.yaml"), "/def/svc", "kubelet"])


def test_textual_replacement_where_shell_expansion_would_differ(tmp_path: Path) -> None:
    sec = section(tmp_path)
    conf = str(tmp_path / "present.yaml")
    assert run(wrap("/bin/sh -c 'echo $kubeletconf'", sec))[1] == conf + "\n"  # single quotes
    assert run(wrap("echo $kubeletconfx", sec))[1] == conf + "x\n"  # longer name
    assert run(wrap("echo '$kubeletconf'", sec))[1] == conf + "\n"
    assert run(wrap("echo $adminconf.", sec))[1] == ".\n"  # not a variable: left to the shell


def test_running_binary_is_detected_and_multi_word_values_are_quoted(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    sec = section(tmp_path)
    rc, out = run(wrap("printf '[%s]\\n' $kubeletbin $proxybin", sec))
    assert (rc, out) == (0, f"[sleep {MARK}]\n[proxy]\n")  # optional, not running: own name


def test_missing_mandatory_binary_leaves_every_bin_variable(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    sec = section(tmp_path, mandatory_missing=True)
    rc, out = run(wrap("printf '[%s]' \"$kubeletbin\"; echo $kubeletconf", sec))
    assert (rc, out) == (0, f"[]{tmp_path / 'present.yaml'}\n")


def test_stderr_is_merged_and_exit_status_kept(tmp_path: Path) -> None:
    rc, out = run(wrap("echo out; echo err >&2; exit 3", section(tmp_path)))
    assert (rc, out) == (3, "out\nerr\n")


def test_script_runs_on_stdin_like_kube_bench(tmp_path: Path) -> None:
    text = 'f() {\n  echo "in-function $1"\n}\nf a\nif true; then\n  f b\nfi'
    assert run(wrap(text, section(tmp_path)))[1] == "in-function a\nin-function b\n"


def test_generated_env_audit_fills_the_detected_binary(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    assert "-C @@KBENVBIN@@ -o pid=" in DEFAULT_ENV_AUDIT
    probe = "printf '[%s]' @@KBENVBIN@@"  # the slot is filled unquoted, as kube-bench does
    assert run(wrap(probe, section(tmp_path), env_bin="kubelet"))[1] == f"[sleep][{MARK}]"
    assert run(wrap(probe, section(tmp_path), env_bin="proxy"))[1] == "[proxy]"
    assert run(wrap(probe, section(tmp_path), env_bin=""))[1] == "[]"
    missing = section(tmp_path, mandatory_missing=True)
    assert run(wrap(probe, missing, env_bin="kubelet"))[1] == "[]"


def test_empty_text_is_not_run(tmp_path: Path) -> None:
    assert wrap("  \n", section(tmp_path)) == ""
