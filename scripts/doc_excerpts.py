"""Write the report excerpts in docs/reports.md from a real audit, or check they are current.

    python scripts/doc_excerpts.py          # rewrite the excerpts in docs/reports.md
    python scripts/doc_excerpts.py --check  # exit 1 when the doc differs from a fresh run

It lays out a small worker-node root filesystem under a temporary directory (a kubelet unit
that turns anonymous auth on, a config file that opens the read-only port, sshd allowing root
login, a world-readable /etc/shadow), runs ``hardening audit --image DIR --role worker`` with
every machine format, and copies one finding of each format, as the reporter wrote it, between
the ``<!-- excerpt:NAME -->`` and ``<!-- /excerpt -->`` markers. Only values that change
from run to run (times, and the run id hashed from the start time) are replaced by fixed
ones, so what the doc shows is what the tool writes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reports.md"
NAME = "node-image"
FIXED_MS = 1796169600000  # 2026-12-02T00:00:00Z
FIXED_ISO = "2026-12-02T00:00:00+00:00"
CONTROL = "4.2.1"

FILES = {
    "etc/ssh/sshd_config": "PermitRootLogin yes\n",
    "etc/shadow": "root:*:20000:0:99999:7:::\n",
    "etc/systemd/system/kubelet.service": (
        "[Service]\n"
        "ExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --anonymous-auth=true\n"
    ),
    "var/lib/kubelet/config.yaml": (
        "apiVersion: kubelet.config.k8s.io/v1beta1\n"
        "kind: KubeletConfiguration\n"
        "readOnlyPort: 10255\n"
    ),
}


def _layout(base: Path) -> Path:
    node = base / NAME
    for rel, text in FILES.items():
        path = node / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o644)
    return node


def _audit(node: Path, out: Path) -> dict[str, Path]:
    paths = {
        "json": out / "run.json",
        "sarif": out / "run.sarif",
        "gitlab-codequality": out / "codequality.json",
        "ocsf": out / "findings.ocsf.jsonl",
    }
    argv = [sys.executable, "-m", "hardening", "audit", "--image", str(node), "--role", "worker"]
    for fmt, path in paths.items():
        argv += [f"--{fmt}", str(path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=out, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return paths


def _fixed(value: Any, base: str) -> Any:
    """The value with the temporary directory and the run's times replaced."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in ("time", "created_time", "modified_time") and isinstance(v, int):
                out[k] = FIXED_MS
            elif k in ("started", "finished", "startTimeUtc", "endTimeUtc") and v:
                out[k] = FIXED_ISO
            elif k == "correlation_uid":  # the run's id: a hash of benchmark and start time
                out[k] = "<sha256 of the benchmark and the run's start time>"
            else:
                out[k] = _fixed(v, base)
        return out
    if isinstance(value, list):
        return [_fixed(v, base) for v in value]
    if isinstance(value, str):
        return value.replace(base, ".")
    return value


def _dump(value: Any, base: str) -> str:
    return json.dumps(_fixed(value, base), indent=2, ensure_ascii=False)


def excerpts() -> dict[str, str]:
    """NAME -> the fenced block the doc shows, from a fresh audit."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        node = _layout(base)
        paths = _audit(node, base)
        doc = json.loads(paths["json"].read_text())
        sarif = json.loads(paths["sarif"].read_text())
        quality = json.loads(paths["gitlab-codequality"].read_text())
        lines = paths["ocsf"].read_text().splitlines()
    run = sarif["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == CONTROL)
    result = next(r for r in run["results"] if r["ruleId"] == CONTROL)
    issue = next(i for i in quality if i["check_name"] == CONTROL)
    finding = next(
        f for f in map(json.loads, lines) if f.get("compliance", {}).get("control") == CONTROL
    )
    host = doc["hosts"][0]
    summary = {k: host[k] for k in ("name", "roles", "score", "counts") if k in host}
    b = str(base)
    return {
        "json-coverage": "```json\n"
        + _dump({"coverage": doc["coverage"], "hosts[0]": summary}, b)
        + "\n```",
        "sarif": "```json\n"
        + _dump({"rules[]": rule, "results[]": result, "properties": run["properties"]}, b)
        + "\n```",
        "gitlab": "```json\n" + _dump(issue, b) + "\n```",
        "ocsf": "```json\n" + _dump(finding, b) + "\n```",
    }


MARK = re.compile(r"(<!-- excerpt:([a-z-]+) -->\n)((?:(?!<!--).)*?)(<!-- /excerpt -->)", re.S)


def render(text: str, blocks: dict[str, str]) -> str:
    """The doc with each marked excerpt replaced; an unknown or missing name is an error."""
    seen: set[str] = set()

    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in blocks:
            raise SystemExit(f"{DOC}: unknown excerpt '{name}'")
        seen.add(name)
        return m.group(1) + blocks[name] + "\n" + m.group(4)

    out = MARK.sub(sub, text)
    missing = sorted(set(blocks) - seen)
    if missing:
        raise SystemExit(f"{DOC}: no marker for excerpt(s) {', '.join(missing)}")
    return out


def main() -> int:
    """Rewrite or check docs/reports.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when the doc is stale")
    args = ap.parse_args()
    text = DOC.read_text()
    new = render(text, excerpts())
    if args.check:
        if new != text:
            print(f"{DOC} is stale: run python scripts/doc_excerpts.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
