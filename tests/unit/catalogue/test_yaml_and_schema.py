"""Catalogue loading: YAML keeps the author's text; errors name file, line, control, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.catalogue.load import load_benchmark
from hardening.catalogue.yamlload import YamlError, load
from hardening.errors import CatalogueError

GOOD = """\
title: t
defaults:
  roles: [worker]
controls:
  - id: "1.10"
    title: mode
    section: "1 Files"
    check:
      kind: file_mode
      path: /etc/x
      max_mode: 0644
  - id: "1.11"
    title: flag
    section: "1 Files"
    severity: critical
    check:
      kind: component_setting
      component: kubelet
      flag: --anonymous-auth
      type: bool
      op: eq
      value: false
"""


def write(tmp_path: Path, text: str, name: str = "b") -> Path:
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    (d / "controls.yaml").write_text(text)
    return d


def test_scalars_keep_their_text() -> None:
    doc = load("a: 0644\nb: 1.10\nc: true\nd: ~\n")
    assert doc == {"a": "0644", "b": "1.10", "c": "true", "d": None}


def test_duplicate_key_is_an_error_with_line() -> None:
    with pytest.raises(YamlError) as err:
        load("a: 1\nb: 2\na: 3\n")
    assert err.value.line == 3


def test_good_catalogue_loads_with_text_preserved(tmp_path: Path) -> None:
    cat = load_benchmark("b", root=write(tmp_path, GOOD).parent)
    c1, c2 = cat.controls
    assert c1.id == "1.10" and c1.check.params.max_mode == "0644"
    assert c2.check.params.value == "false" and c2.severity.value == "critical"
    assert {r.value for r in c1.roles} == {"worker"}
    assert c1.source.endswith("controls.yaml:5")


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("op: eq", "op: noteqx", 22, "check.op", "unknown op 'noteqx'"),
        ("kind: file_mode", "kind: file_mood", 9, "check.kind", "unknown kind 'file_mood'"),
        ("max_mode: 0644", "max_mode: rw-r--r--", 11, "check.max_mode", "not an octal mode"),
        ("severity: critical", "severity: urgent", 15, "severity", "unknown severity"),
        (
            "      path: /etc/x\n",
            "      path: /etc/x\n      color: red\n",
            11,
            "check.color",
            "unknown key for kind 'file_mode'",
        ),
        ("      type: bool\n", "", 12, "check.value", None),
    ],
)
def test_errors_name_file_line_control_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str | None
) -> None:
    text = GOOD.replace(old, new, 1)
    if message is None:  # removing a required key instead
        text = GOOD.replace("      value: false\n", "")
        field, message, line = "check.op", "op 'eq' needs a value", 22
    d = write(tmp_path, text)
    with pytest.raises(CatalogueError) as err:
        load_benchmark("b", root=d.parent)
    e = err.value
    assert e.field == field and message in str(e)
    assert e.path.endswith("controls.yaml")
    assert e.control_id in ("1.10", "1.11")
    assert f"controls.yaml:{e.line}: control {e.control_id}: {field}: " in str(e)
    assert abs((e.line or 0) - line) <= 2


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    d = write(tmp_path, GOOD.replace('id: "1.11"', 'id: "1.10"'))
    with pytest.raises(CatalogueError, match="duplicate control id"):
        load_benchmark("b", root=d.parent)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    d = write(tmp_path, "controls:\n  - id: [unclosed\n")
    with pytest.raises(CatalogueError) as err:
        load_benchmark("b", root=d.parent)
    assert "invalid YAML" in str(err.value) and err.value.line is not None


def test_manual_control_needs_no_check(tmp_path: Path) -> None:
    text = (
        "controls:\n  - id: M1\n    title: review\n    section: S\n    automated: false\n"
        "    audit: look at it\n"
    )
    cat = load_benchmark("b", root=write(tmp_path, text).parent)
    assert cat.controls[0].check is None and cat.controls[0].audit == "look at it"


def test_automated_control_without_check_is_an_error(tmp_path: Path) -> None:
    text = "controls:\n  - id: M1\n    title: review\n    section: S\n"
    with pytest.raises(CatalogueError, match="control M1: check: an automated control needs"):
        load_benchmark("b", root=write(tmp_path, text).parent)
