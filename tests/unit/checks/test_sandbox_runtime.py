"""sandbox_runtime: v2/v3 layouts, shims, RuntimeClasses, required pools, containerd 1.x."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hardening.checks.kinds import sandbox_runtime as sr
from hardening.model.facts import Facts
from hardening.model.result import Status
from tests.support.facts import build_facts

DATA = Path(__file__).resolve().parents[1] / "cloud" / "data"
V2 = (
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{h}]\n'
    '  runtime_type = "{t}"\n'
)
V3 = (
    "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.{h}]\n"
    "  runtime_type = '{t}'\n"
)
SHIM = "/usr/local/bin/containerd-shim-runsc-v1"


def facts(
    config: str | None,
    *,
    shims: dict[str, str] | None = None,
    version: str = "1.7.13",
    extra: dict[str, str] | None = None,
    cloud: dict[str, Any] | None = None,
    required: bool = False,
    params: sr.Params | None = None,
) -> tuple[sr.Params, Facts]:
    p = params or sr.Params()
    files: dict[str, Any] = {path: {"mode": mode} for path, mode in (shims or {}).items()}
    if config is not None:
        files[p.config] = {"content": config}
    for path, text in (extra or {}).items():
        files[path] = {"content": text}
    desc = {
        "files": files,
        "cloud": cloud or {},
        "vars": {"sandbox_required": required},
        "commands": {p.version_command: {"rc": 0, "stdout": f"containerd v{version}\n"}},
    }
    return p, build_facts(desc, sr.needs(p))


def run(config: str | None, **kw: Any) -> Any:
    p, f = facts(config, **kw)
    return sr.evaluate(p, f)


def test_shim_name_derivation() -> None:
    assert sr.shim_name("io.containerd.runsc.v1") == "containerd-shim-runsc-v1"
    assert sr.shim_name("io.containerd.kata-qemu.v2") == "containerd-shim-kata-qemu-v2"
    assert sr.shim_name("io.containerd.rund.v2") == "containerd-shim-rund-v2"
    assert sr.shim_name("weird") is None


def test_classification() -> None:
    assert sr.sandbox_kind("runsc", "io.containerd.runsc.v1") == "gVisor"
    assert sr.sandbox_kind("kata-clh", "io.containerd.kata-clh.v2") == "Kata"
    assert sr.sandbox_kind("runv", "io.containerd.rund.v2") == "ACK Sandboxed-Container"
    assert sr.sandbox_kind("runc", "io.containerd.runc.v2") is None


def test_v2_runsc_with_shim_passes_with_evidence() -> None:
    out = run(V2.format(h="runsc", t="io.containerd.runsc.v1"), shims={SHIM: "0755"})
    assert out.status is Status.PASS
    assert out.source == "/etc/containerd/config.toml"
    assert "handler runsc" in out.observed and SHIM in out.observed


def test_v3_kata_passes_on_containerd_2() -> None:
    out = run(
        V3.format(h="kata", t="io.containerd.kata.v2"),
        version="2.0.2",
        shims={"/opt/kata/bin/containerd-shim-kata-v2": "0755"},
    )
    assert out.status is Status.PASS and "Kata" in out.observed


def test_v3_file_with_containerd_1_is_a_finding() -> None:
    out = run(
        V3.format(h="runsc", t="io.containerd.runsc.v1"), version="1.7.20", shims={SHIM: "0755"}
    )
    assert out.status is Status.FAIL
    assert "ignores a version 3" in out.reason


def test_configured_but_shim_missing_fails() -> None:
    out = run(V2.format(h="runsc", t="io.containerd.runsc.v1"))
    assert out.status is Status.FAIL and "containerd-shim-runsc-v1 not found" in out.observed


def test_shim_not_executable_fails() -> None:
    out = run(V2.format(h="runsc", t="io.containerd.runsc.v1"), shims={SHIM: "0644"})
    assert out.status is Status.FAIL and "not an executable" in out.observed


def test_runtimeclass_must_point_at_handler() -> None:
    cfg = V2.format(h="runsc", t="io.containerd.runsc.v1")
    other = {"runtime_classes": [{"metadata": {"name": "kata"}, "handler": "kata"}]}
    assert run(cfg, shims={SHIM: "0755"}, cloud=other).status is Status.FAIL
    good = {"runtime_classes": [{"metadata": {"name": "gvisor"}, "handler": "runsc"}]}
    assert run(cfg, shims={SHIM: "0755"}, cloud=good).status is Status.PASS


def test_no_sandbox_on_required_pool_fails_else_skips() -> None:
    cfg = (DATA / "containerd-default.toml").read_text()
    assert run(cfg, required=True).status is Status.FAIL
    out = run(cfg)
    assert out.status is Status.SKIP and "does not require" in out.reason


def test_required_param_from_catalogue() -> None:
    cfg = (DATA / "containerd-default.toml").read_text()
    assert run(cfg, params=sr.Params(required=True)).status is Status.FAIL


def test_anchor_sandboxed_config_with_shims() -> None:
    cfg = (DATA / "containerd-sandboxed.toml").read_text()
    shims = {
        SHIM: "0755",
        "/usr/local/bin/containerd-shim-kata-v2": "0755",
        "/usr/local/bin/containerd-shim-kata-qemu-v2": "0755",
    }
    out = run(cfg, shims=shims)
    assert out.status is Status.PASS
    assert sum("handler" in d for d in out.details) == 3


def test_handler_in_imported_file() -> None:
    main = 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n'
    extra = {"/etc/containerd/conf.d/runsc.toml": V2.format(h="runsc", t="io.containerd.runsc.v1")}
    out = run(main, shims={SHIM: "0755"}, extra=extra)
    assert out.status is Status.PASS and "conf.d/runsc.toml" in out.observed


def test_file_not_imported_is_ignored() -> None:
    extra = {"/etc/containerd/conf.d/runsc.toml": V2.format(h="runsc", t="io.containerd.runsc.v1")}
    out = run("version = 2\n", shims={SHIM: "0755"}, extra=extra, required=True)
    assert out.status is Status.FAIL


def test_no_config_absent_or_fail_when_required() -> None:
    assert run(None).status is Status.SKIP
    assert run(None, required=True).status is Status.FAIL


def test_broken_toml_is_error() -> None:
    assert run("version = = 2").status is Status.ERROR
