"""--benchmark-dir is repeatable and additive; --skip, --level and controls list --format json
(issue 18.6), run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.run import hardening

CONTROL = """  - id: '{id}'
    title: {title}
    section: S
    level: {level}
    check: {{kind: file_mode, path: /etc/{id}, max_mode: '0644'}}
"""


def bench(root: Path, name: str, ids: list[tuple[str, int]], title: str = "t") -> Path:
    d = root / name
    d.mkdir(parents=True)
    body = "".join(CONTROL.format(id=i, level=lvl, title=title) for i, lvl in ids)
    (d / "controls.yaml").write_text(f"title: {name} from {root.name}\ncontrols:\n{body}")
    return root


def listed(*args: str) -> tuple[int, dict | None, str]:
    proc = hardening("controls", "list", "--format", "json", *args)
    return proc.returncode, json.loads(proc.stdout) if proc.returncode == 0 else None, proc.stderr


def ids(doc: dict | None) -> list[str]:
    assert doc is not None
    return [c["id"] for c in doc["controls"]]


def test_shipped_benchmarks_stay_available_beside_a_directory(tmp_path: Path) -> None:
    a = bench(tmp_path / "a", "site", [("SITE-1", 1)])
    rc, doc, err = listed("--benchmark-dir", str(a), "-b", "site", "-b", "node-os")
    assert rc == 0, err
    assert doc is not None and doc["benchmark"] == "site+node-os"
    assert "SITE-1" in ids(doc) and "NODE-1.1" in ids(doc)
    assert err == ""  # nothing overridden, nothing to say


def test_later_directories_override_by_name_and_say_so(tmp_path: Path) -> None:
    a = bench(tmp_path / "a", "site", [("A-1", 1)])
    b = bench(tmp_path / "b", "site", [("B-1", 1)])
    rc, doc, err = listed("--benchmark-dir", str(a), "--benchmark-dir", str(b), "-b", "site")
    assert rc == 0, err
    assert ids(doc) == ["B-1"]
    assert f"benchmark 'site': {b} overrides {a}" in err
    assert doc is not None and doc["notes"] == [f"benchmark 'site': {b} overrides {a}"]
    # A directory holding its own node-os replaces the shipped one, and says it.
    c = bench(tmp_path / "c", "node-os", [("MY-1", 1)])
    rc, doc, err = listed("--benchmark-dir", str(c), "-b", "node-os")
    assert rc == 0 and ids(doc) == ["MY-1"]
    assert f"benchmark 'node-os': {c} overrides the shipped benchmarks" in err


def test_override_is_recorded_in_the_run_document(tmp_path: Path) -> None:
    c = bench(tmp_path / "c", "node-os", [("MY-1", 1)])
    image = tmp_path / "rootfs"
    (image / "etc").mkdir(parents=True)
    (image / "etc" / "MY-1").write_text("x")
    out = tmp_path / "run.json"
    proc = hardening(
        "audit",
        "--image",
        str(image),
        "--benchmark-dir",
        str(c),
        "-b",
        "node-os",
        "--json",
        str(out),
        "--no-progress",
    )
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(out.read_text())
    assert doc["options"]["benchmark_dir"] == [str(c)]
    assert doc["options"]["benchmark_notes"] == [
        f"benchmark 'node-os': {c} overrides the shipped benchmarks"
    ]
    assert [r["id"] for r in doc["hosts"][0]["results"]] == ["MY-1"]


def test_skip_is_a_section_prefix_and_repeatable(tmp_path: Path) -> None:
    a = bench(
        tmp_path / "a", "t", [("1.1", 1), ("1.1.1", 1), ("1.1.2", 1), ("1.10", 1), ("2.1", 1)]
    )
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--skip", "1.1")
    assert rc == 0 and ids(doc) == ["1.10", "2.1"]
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--skip", "1.1*")
    assert rc == 0 and ids(doc) == ["2.1"]
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--skip", "1.1.1", "--skip", "2.1")
    assert rc == 0 and ids(doc) == ["1.1", "1.1.2", "1.10"]
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--skip", "1.1.1,2.1")
    assert rc == 0 and ids(doc) == ["1.1", "1.1.2", "1.10"]
    rc, _, err = listed("--benchmark-dir", str(a), "-b", "t", "--skip", "1", "--skip", "2")
    assert rc == 2 and "no control of t is left by --skip 1 --skip 2" in err


def test_level_one_keeps_level_one_and_two_keeps_both(tmp_path: Path) -> None:
    a = bench(tmp_path / "a", "t", [("L1-a", 1), ("L2-a", 2), ("L1-b", 1)])
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--level", "1")
    assert rc == 0 and ids(doc) == ["L1-a", "L1-b"]
    rc, doc, _ = listed("--benchmark-dir", str(a), "-b", "t", "--level", "2")
    assert rc == 0 and ids(doc) == ["L1-a", "L2-a", "L1-b"]
    proc = hardening("controls", "list", "--level", "3")
    assert proc.returncode == 2 and "invalid choice: 3" in proc.stderr


def test_controls_list_json_carries_each_controls_check() -> None:
    rc, doc, err = listed("-b", "node-os")
    assert rc == 0, err
    assert doc is not None and doc["benchmark"] == "node-os"
    first = doc["controls"][0]
    assert set(first) >= {"id", "title", "level", "severity", "roles", "kind", "params", "source"}
    suid = next(c for c in doc["controls"] if c["kind"] == "suid_inventory")
    assert isinstance(suid["params"]["allow"], list) and suid["params"]["roots"] == ["/"]


def test_validate_covers_every_directory(tmp_path: Path) -> None:
    a = bench(tmp_path / "a", "site", [("SITE-1", 1)])
    proc = hardening("controls", "validate", "--benchmark-dir", str(a))
    assert proc.returncode == 0, proc.stdout
    assert "ok     site: 1 controls" in proc.stdout and "ok     node-os" in proc.stdout
