"""Lay a corpus layout out as a root filesystem under tmp and audit it as CI would.

A layout is ``tests/corpus/<name>/``: ``root/`` (the files as the tool writes them),
``layout.yaml`` (where they come from, file modes and owners git cannot keep, the node's
roles and benchmark) and ``expected.yaml`` (every effective setting the catalogue reads and
every control's verdict, worked out by hand). The audit is the real one: ``python -m
hardening audit --image DIR`` over the laid-out tree (the image source reads component
command lines from systemd units and static pod manifests, as on a node image).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parent
REPO = CORPUS.parents[1]
LAYOUTS = sorted(p.name for p in CORPUS.iterdir() if (p / "layout.yaml").is_file())


@dataclass(frozen=True)
class Layout:
    """One corpus layout: its description and its expected answers."""

    name: str
    spec: dict[str, Any]
    expected: dict[str, Any]

    @property
    def roles(self) -> list[str]:
        """The node roles the layout is audited with (``--role``)."""
        return list(self.spec.get("roles") or [])

    @property
    def benchmark(self) -> str:
        """The benchmark the layout is audited against (``-b``)."""
        return str(self.spec["benchmark"])


def load(name: str) -> Layout:
    """The layout ``tests/corpus/<name>``."""
    base = CORPUS / name
    spec = yaml.safe_load((base / "layout.yaml").read_text())
    expected = yaml.safe_load((base / "expected.yaml").read_text())
    return Layout(name, spec, expected)


def _ids(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            out[parts[0]] = int(parts[2])
    return out


def lay_out(layout: Layout, dest: Path) -> Path:
    """Copy the layout's tree to ``dest`` and give every path its mode and owner.

    ``modes`` in layout.yaml maps a path or glob (matched against the path inside the
    root) to ``"MODE USER:GROUP"``; the first match wins; files default to 0644 and
    directories to 0755, both root:root. ``dirs`` lists directories to create (git keeps
    no empty directory). Owners are looked up in the layout's own /etc/passwd and
    /etc/group.
    """
    root = dest / "root"
    shutil.copytree(CORPUS / layout.name / "root", root, symlinks=True)
    for d in layout.spec.get("dirs") or []:
        (root / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
    users = _ids((root / "etc/passwd").read_text())
    groups = _ids((root / "etc/group").read_text())
    rules = list((layout.spec.get("modes") or {}).items())
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            continue
        rel = "/" + str(path.relative_to(root))
        spec = next((v for k, v in rules if fnmatch.fnmatchcase(rel, k)), None)
        mode_s, owner = spec.split() if spec else ("0755" if path.is_dir() else "0644", "root:root")
        user, _, group = owner.partition(":")
        os.chown(path, users[user], groups[group], follow_symlinks=False)
        os.chmod(path, int(mode_s, 8))
    return root


def audit(layout: Layout, root: Path, out: Path) -> tuple[int, dict[str, Any]]:
    """Run ``hardening audit --image ROOT`` with the layout's roles and benchmark; the exit
    code and the JSON report."""
    report = out / "report.json"
    cmd = [sys.executable, "-m", "hardening", "audit", "--image", str(root)]
    cmd += ["-b", layout.benchmark, "--json", str(report), "--no-progress", "-q"]
    for role in layout.roles:
        cmd += ["--role", role]
    env = {**os.environ, "NO_COLOR": "1", "TERM": "unknown", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if not report.exists():
        raise AssertionError(f"no report from {cmd}: rc {proc.returncode}\n{proc.stderr}")
    return proc.returncode, json.loads(report.read_text())


# --- effective settings, from the image source and from the real probe -------------------

FAKE_LOOP = "while :; do sleep 1; done"


def setting_params(entry: dict[str, Any]) -> Any:
    """A component_setting check that reads exactly the setting an expected entry names."""
    from hardening.checks.registry import KINDS

    return KINDS["component_setting"].params(
        component=entry["component"],
        flag=entry.get("flag"),
        flag_key=entry.get("flag_key"),
        config_key=entry.get("key"),
        type=entry.get("type", "string"),
        op="set",
    )


def resolved(entry: dict[str, Any], facts: Any) -> tuple[str, str, str]:
    """(value, origin, source) of one setting, through the evaluator's own layering."""
    from hardening.checks.component_view import component_layers, component_request
    from hardening.checks.layers import resolve
    from hardening.model.facts import Absent

    p = setting_params(entry)
    req = component_request(
        p.component, p.config_flag, p.config_path, reads_config=bool(p.config_key)
    )
    comp = facts.get(req)
    if isinstance(comp, Absent):
        return "", "absent", comp.reason
    view = component_layers(comp, p.config_flag, reads_config=bool(p.config_key), facts=facts)
    if not hasattr(view, "layers"):
        return "", "error", str(getattr(view, "source", view))
    s = resolve(
        view.layers, flag=p.flag, key=p.config_key, is_bool=p.type == "bool", flag_key=p.flag_key
    )
    return s.value, s.origin, s.source


def image_facts(root: Path, entries: list[dict[str, Any]]) -> Any:
    """The Facts the image source gives for every setting's requests."""
    from hardening.checks.registry import KINDS
    from hardening.model.facts import Facts
    from hardening.sources.image import answer, open_image

    reqs = {r: None for e in entries for r in KINDS["component_setting"].needs(setting_params(e))}
    return Facts("corpus", answer(open_image(root), list(reqs)))


def probe_facts(
    root: Path, entries: list[dict[str, Any]], work: Path, processes: dict[str, list[str]]
) -> Any:
    """The Facts the real /bin/sh probe gives for the same requests, with each component
    running as a stand-in process (a copy of /bin/sh named after it, in a fresh PID
    namespace) with the command line and environment its unit or manifest gives it (or,
    for a component no file on the node starts, such as kubeadm's kube-proxy DaemonSet,
    the command line ``processes`` gives). Only
    the flags naming the component's config file and drop-in directory are re-rooted under
    ``root`` (the probe reads those files); every other flag is passed as written."""
    import shlex

    from hardening.checks.components.registry import MODELS
    from hardening.checks.registry import KINDS
    from hardening.model.facts import Facts
    from hardening.parsers import units
    from hardening.probe import parse, script
    from hardening.sources.archive import dir_tree

    tree = dir_tree(root)
    reqs = list(
        {r: None for e in entries for r in KINDS["component_setting"].needs(setting_params(e))}
    )
    probe = script.build(reqs)
    (work / "probe.sh").write_bytes(probe.data)
    (work / "bin").mkdir(exist_ok=True)
    starts = []
    for name in sorted({e["component"] for e in entries}):
        found = units.component_argv(tree, name)
        if found is None and name in processes:
            found = (tuple(processes[name]), "layout.yaml processes")
        if found is None:
            continue
        model = MODELS.get(name)
        rooted = {f for f in (model.config_flag, model.dropin_flag) if f} if model else set()
        args = [_reroot(a, rooted, root) for a in found[0][1:]]
        env = units.component_env(tree, name)
        exe = work / "bin" / name
        shutil.copy("/bin/sh", exe)
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted((env or ({}, ""))[0].items()))
        line = " ".join(shlex.quote(a) for a in [str(exe), "-c", FAKE_LOOP, name, *args])
        starts.append(f"env {assigns} {line} &")
    # the stand-ins die with the namespace's first process when the probe is done
    driver = " ".join(starts) + " sleep 0.5; /bin/sh -s < probe.sh > probe.out"
    subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c", driver],
        cwd=work,
        check=False,
        timeout=120,
    )
    values, _ = parse.parse((work / "probe.out").read_bytes(), probe, "corpus", rc=0, stderr=b"")
    return Facts("corpus", dict(values))


def _reroot(arg: str, flags: set[str], root: Path) -> str:
    flag, sep, value = arg.partition("=")
    if sep and flag in flags and value.startswith("/"):
        return f"{flag}={root}{value}"
    return arg
