"""Loading kube-bench's cfg (vendored in tests/vendor/kube-bench/cfg) as kubebench controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.catalogue import kubebench
from hardening.catalogue.kubebench_probe import DEFAULT_ENV_AUDIT
from hardening.catalogue.load import default_root, load_many
from hardening.checks.kinds.kubebench import Params
from hardening.errors import CatalogueError, UsageError
from hardening.model.control import Control, Role
from hardening.model.host import Host
from hardening.plan import plan_host
from tests.support.kubebench_cfg import kubebench_cfg


@pytest.fixture(scope="module")
def cfg() -> Path:
    return kubebench_cfg()


def by_id(controls: tuple[Control, ...]) -> dict[str, Control]:
    return {c.id: c for c in controls}


def params(c: Control) -> Params:
    assert c.check is not None and c.check.kind == "kubebench"
    p = c.check.params
    assert isinstance(p, Params)
    return p


def test_cfg_dir_is_detected(cfg: Path) -> None:
    assert kubebench.is_kubebench_dir(cfg)
    assert not kubebench.is_kubebench_dir(default_root())
    assert {"ack-1.0", "cis-1.10", "cis-1.12"} <= set(kubebench.available(cfg))


def test_ack_counts_match_reference(cfg: Path) -> None:
    cat = load_many(["ack-1.0"], cfg)
    assert len(cat.controls) == 134
    manual = [c for c in cat.controls if c.check is None]
    assert len(manual) == 46 and all(not c.automated for c in manual)
    ids = [c.id for c in cat.controls]
    assert ids[0] == "1.1.1" and ids[-1] == "6.6.5"  # sections in numeric id order


def test_cis_1_12_counts(cfg: Path) -> None:
    cat = load_many(["cis-1.12"], cfg)
    assert len(cat.controls) == 131
    assert sum(c.check is None for c in cat.controls) == 28


def test_roles_and_sections_from_file_type_and_group(cfg: Path) -> None:
    c = by_id(load_many(["ack-1.0"], cfg).controls)
    assert c["1.1.1"].roles == frozenset({Role.CONTROL_PLANE})
    assert c["2.1"].roles == frozenset({Role.ETCD})
    assert c["4.2.1"].roles == frozenset({Role.WORKER})
    assert c["5.1.1"].roles == frozenset({Role.CONTROL_PLANE})
    assert c["6.1.1"].roles == frozenset({Role.CONTROL_PLANE}) and c["6.1.1"].check is None
    assert c["4.2.1"].section == "4.2 Kubelet"
    assert c["1.2.24"].check is None  # type: manual although scored


def test_scalars_keep_their_text(cfg: Path) -> None:
    c = by_id(load_many(["cis-1.12"], cfg).controls)
    p = params(c["4.2.1"])
    assert p.tests is not None and p.tests[0].value == "false"  # not "False"
    assert params(c["4.1.1"]).tests[0].value == "600"  # type: ignore[index]
    assert "1.1.10" in c and c["1.1.10"].id == "1.1.10"


def test_scored_bin_op_and_multiple_values(cfg: Path) -> None:
    c = by_id(load_many(["cis-1.12"], cfg).controls)
    assert params(c["4.1.1"]).scored and not params(c["4.1.3"]).scored
    assert params(c["4.1.2"]).bin_op == "or"
    assert params(c["1.1.19"]).use_multiple_values


def test_audit_scripts_are_wrapped_for_node_side_substitution(cfg: Path) -> None:
    p = params(by_id(load_many(["cis-1.12"], cfg).controls)["4.2.1"])
    assert p.scripts.audit == "/bin/ps -fC $kubeletbin"
    assert "|| v0=/var/lib/kubelet/config.yaml" in p.scripts.config_cmd  # the default
    assert "KB_TEXT='/bin/cat $kubeletconf'" in p.scripts.config_cmd
    assert 'case "$c" in hyperkube|kubelet|kube-proxy|' in p.scripts.audit_cmd
    assert "/proc/[0-9]*" not in p.scripts.config_cmd  # no bin variable, no process scan


def test_default_env_audit_for_etcd(cfg: Path) -> None:
    p = params(by_id(load_many(["cis-1.12"], cfg).controls)["2.1"])
    assert p.scripts.audit_env == DEFAULT_ENV_AUDIT
    assert "KB_ENVBIN=etcd KB_GEN=1" in p.scripts.env_cmd


def test_same_audit_text_is_one_command(cfg: Path) -> None:
    controls = load_many(["cis-1.12"], cfg).controls
    host = Host(name="w", address="127.0.0.12", roles=frozenset({Role.WORKER}))
    plan = plan_host(host, controls)
    scripts = [getattr(r, "script", "") for r in plan.requests]
    assert len([s for s in scripts if "KB_TEXT='/bin/ps -fC $kubeletbin'" in s]) == 1
    # every node role is planned; the roles the node does not hold are SKIP after the probe
    assert {r for c in plan.controls for r in c.roles} >= {Role.WORKER, Role.CONTROL_PLANE}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


CONFIG = """node:
  components: [kubelet]
  kubelet:
    bins: [kubelet]
    confs: [/a/one.yaml]
    defaultconf: /a/default.yaml
"""
NODE = """controls:
id: 4
text: "Worker"
type: "node"
groups:
  - id: 4.9
    text: "Skipped group"
    type: skip
    checks:
      - id: 4.9.1
        text: "t"
        audit: "cat $kubeletconf"
        tests: {test_items: [{flag: "x"}]}
        scored: true
"""


def test_group_type_skip_and_benchmark_config_merge(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "config.yaml": CONFIG,
            "p/node.yaml": NODE,
            "p/config.yaml": "node:\n  kubelet:\n    confs: [/b/two.yaml]\n",
        },
    )
    (control,) = load_many(["p"], root).controls
    p = params(control)
    assert p.type == "skip"
    assert "v0=$(kbf /b/two.yaml) || v0=/a/default.yaml" in p.scripts.audit_cmd
    assert "/a/one.yaml" not in p.scripts.audit_cmd  # lists are replaced, maps merged


def test_wrong_file_type_is_rejected(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {"config.yaml": CONFIG, "p/node.yaml": NODE.replace('type: "node"', 'type: "master"')},
    )
    with pytest.raises(CatalogueError, match="non-node controls file specified"):
        load_many(["p"], root)


def test_bad_boolean_is_rejected(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {"config.yaml": CONFIG, "p/node.yaml": NODE.replace("scored: true", "scored: maybe")},
    )
    with pytest.raises(CatalogueError, match="expected true or false"):
        load_many(["p"], root)


def test_unknown_profile(tmp_path: Path) -> None:
    root = _write(tmp_path, {"config.yaml": CONFIG, "p/node.yaml": NODE})
    with pytest.raises(UsageError, match="benchmark 'nope' not found"):
        load_many(["nope"], root)


def test_unknown_op_is_a_load_error_naming_file_control_and_field(tmp_path: Path) -> None:
    """kube-bench fails 'noteqx' silently at run time; here the typo stops the load."""
    cfg = tmp_path / "cfg"
    (cfg / "p").mkdir(parents=True)
    (cfg / "config.yaml").write_text(
        "node:\n  components: [kubelet]\n  kubelet:\n    bins: [kubelet]\n"
    )
    (cfg / "p" / "node.yaml").write_text(
        "controls:\nversion: p\nid: 4\ntext: Worker\ntype: node\ngroups:\n"
        "  - id: 4.2\n    text: Kubelet\n    checks:\n      - id: 4.2.5\n"
        "        text: t\n        audit: echo x\n        tests:\n          test_items:\n"
        "            - flag: --x\n              compare:\n                op: noteqx\n"
        "                value: 1\n        scored: true\n"
    )
    with pytest.raises(CatalogueError) as err:
        load_many(["p"], cfg)
    text = str(err.value)
    assert "node.yaml:10: control 4.2.5" in text and "compare.op" in text
    assert "unknown op 'noteqx'" in text


def test_targets_of_components_not_running_are_not_applicable(cfg: Path) -> None:
    """kube-bench cfg mode: on a node running only a kubelet, the master and etcd targets
    are SKIP (not applicable, as kube-bench's detection leaves them out), never a FAIL
    with a failed audit command's text."""
    from hardening.audit import host_run
    from hardening.collect import HostOutcome
    from hardening.model.result import Status
    from tests.support.facts import build_facts

    controls = load_many(["cis-1.12"], cfg).controls
    plan = plan_host(Host(name="w", roles=frozenset({Role.WORKER})), controls)
    facts = build_facts({"components": {"kubelet": {"argv": ["kubelet"]}}}, plan.requests)
    got = {r.control_id: r for r in host_run(HostOutcome(plan, facts)).results}
    for cid in ("1.1.1", "1.2.1", "2.1"):
        assert got[cid].status is Status.SKIP, got[cid]
        assert "no process named" in got[cid].reason
