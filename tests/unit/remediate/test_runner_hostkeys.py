"""The runner's ssh settings: host keys checked as the audit does, private control sockets,
and inventories that would replace either are refused before Ansible starts."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest

from hardening.errors import RemediationError
from hardening.remediate.runner import (
    OVERRIDES,
    RunnerOptions,
    ansible_env,
    host_key_args,
    refuse_overrides,
    run_batch,
)


def test_host_key_checking_is_never_disabled(tmp_path: Path) -> None:
    for accept, want in (
        (True, "StrictHostKeyChecking=accept-new"),
        (False, "StrictHostKeyChecking=yes"),
    ):
        opts = RunnerOptions(
            tmp_path / "inv.yml",
            tmp_path,
            accept_new_host_keys=accept,
            known_hosts="/k h/known_hosts",
        )
        env = ansible_env(opts, tmp_path / "cp")
        assert env["ANSIBLE_HOST_KEY_CHECKING"] == "1"
        words = shlex.split(env["ANSIBLE_SSH_ARGS"])
        assert want in words and "UserKnownHostsFile=/k h/known_hosts" in words
        assert "StrictHostKeyChecking=no" not in env["ANSIBLE_SSH_ARGS"]
        assert env["ANSIBLE_SSH_CONTROL_PATH_DIR"] == str(tmp_path / "cp")
        assert "ANSIBLE_SSH_EXTRA_ARGS" not in env
    assert host_key_args(RunnerOptions(tmp_path, tmp_path)).startswith("-C -o ControlMaster")


@pytest.mark.parametrize("var", OVERRIDES)
def test_an_inventory_replacing_ssh_args_or_the_control_path_is_refused(
    tmp_path: Path, var: str
) -> None:
    inv = tmp_path / "inv.yml"
    inv.write_text(
        "all:\n  hosts:\n    n1: {ansible_host: 127.0.0.9, "
        f"{var}: '-o StrictHostKeyChecking=no'}}\n    n2: {{}}\n",
        encoding="utf-8",
    )
    opts = RunnerOptions(inv, tmp_path / "work")
    with pytest.raises(RemediationError, match=f"host 'n1' sets {var}"):
        run_batch(tmp_path / "play.yml", ("n1",), ("t",), opts, io.StringIO())
    assert not (tmp_path / "work" / "runner").exists()  # Ansible never started
    refuse_overrides(inv, ("n2",))  # a host without them is fine
