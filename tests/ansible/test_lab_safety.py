"""Lab inventories are safe by construction: remediation on them never reaches the host.

Lab nodes share this machine's kernel, so a `sysctl -p` run by `remediate --apply` inside a
node would set the real host's kernel parameters. Every lab inventory (inventory/lab.yml,
the lab kit's, the fleet lab's) carries LAB_SAFE_VARS; the lab test applies the kernel
fixes with the lab kit's inventory exactly as written and compares the host's /proc/sys.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hardening.inventory.ansible import load_inventory
from tests.ansible import cli
from tests.labkit.fixtures import HostSnapshot, LabFactory
from tests.labkit.inventory import LAB_SAFE_VARS, HostEntry, inventory_doc
from tests.labkit.lab import Lab

REPO = Path(__file__).resolve().parents[2]
KERNEL = {
    "NODE-3.1": ("vm.overcommit_memory", "1"),
    "NODE-3.3": ("kernel.panic", "10"),
    "NODE-3.4": ("kernel.panic_on_oops", "1"),
}


def test_every_lab_inventory_overrides_sysctl_and_the_handlers(tmp_path: Path) -> None:
    assert LAB_SAFE_VARS["hardening_sysctl_load"] == ["true"]
    for hosts in (load_inventory(REPO / "inventory" / "lab.yml"),):
        for h in hosts:
            assert {k: h.vars.get(k) for k in LAB_SAFE_VARS} == LAB_SAFE_VARS, h.name
    doc = inventory_doc(
        [HostEntry("n1", "127.0.0.9", 22, ("worker",), "ssh-ed25519 A")],
        tmp_path / "key",
        tmp_path / "known_hosts",
    )
    vars_ = doc["all"]["vars"]  # type: ignore[index]
    assert {k: vars_[k] for k in LAB_SAFE_VARS} == LAB_SAFE_VARS


def proc_sys() -> dict[str, str]:
    """Every readable /proc/sys value."""
    out: dict[str, str] = {}
    for path in Path("/proc/sys").rglob("*"):
        try:
            if path.is_file():
                out[str(path)] = path.read_text()
        except OSError:
            continue
    return out


# counters that move with every process, file or random draw, not with a setting
VOLATILE = (
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/kernel/random/",
    "/proc/sys/fs/",
    "/proc/sys/kernel/pty/nr",
    "/proc/sys/net/netfilter/nf_conntrack_count",
)


def stable_proc_sys() -> dict[str, str]:
    """The /proc/sys settings: values that read the same twice in a row, less VOLATILE."""
    first, second = proc_sys(), proc_sys()
    return {k: v for k, v in first.items() if second.get(k) == v and not k.startswith(VOLATILE)}


@pytest.mark.ansible
@pytest.mark.lab
@pytest.mark.slow
@pytest.mark.destructive
@pytest.mark.timeout(600)
def test_apply_on_the_lab_inventory_leaves_the_hosts_proc_sys_unchanged(
    host_snapshot: HostSnapshot,
    lab_factory: LabFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = {
        cid
        for cid, (key, want) in KERNEL.items()
        if Path("/proc/sys", key.replace(".", "/")).read_text().strip() != want
    }
    if not wrong:
        pytest.fail("this host already has every NODE-3 value the test fixes; pick others")
    lab: Lab = lab_factory(["worker2"])  # the non-compliant worker, with the kit's inventory
    before = stable_proc_sys()
    code, out = cli.remediate(
        capsys,
        lab.inventory_path,
        "--control",
        "NODE-3.*",
        "--apply",
        "--workdir",
        str(tmp_path / "work"),
    )
    after = proc_sys()
    assert code == 1, out  # the fixes ran, and the shared kernel's values cannot change
    changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert changed == {}
    for key, _want in KERNEL.values():  # the values the fixes would set, by name
        path = f"/proc/sys/{key.replace('.', '/')}"
        assert after[path] == before[path]
    for cid in wrong:  # the apply did run on the node: its sysctl.d file is there
        key = KERNEL[cid][0]
        proc = subprocess.run(
            lab.ssh_argv("worker2", "auditor", f"sudo cat /etc/sysctl.d/60-hardening-{key}.conf"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.stdout == f"{key} = {KERNEL[cid][1]}\n", proc.stderr
