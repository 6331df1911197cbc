"""Hostile inventories: templates that would run code, ports Ansible would misread."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening.errors import InventoryError
from hardening.inventory.ansible import load_inventory
from hardening.inventory.template import Resolver, TemplateRefused


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inv.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "expr",
    [
        "lookup('pipe', 'touch {marker}')",
        "query('pipe', 'touch {marker}')",
        "q('pipe', 'touch {marker}')",
        "lookup('ansible.builtin.pipe', 'touch {marker}') | default('x')",
        "'x' ~ lookup('pipe', 'touch {marker}')",
    ],
)
def test_a_lookup_in_ansible_host_never_runs(tmp_path: Path, expr: str) -> None:
    marker = tmp_path / "PWNED"
    inv = write(
        tmp_path,
        'all:\n  hosts:\n    a:\n      ansible_host: "{{ ' + expr.format(marker=marker) + ' }}"\n',
    )
    with pytest.raises(InventoryError, match=r"host 'a': ansible_host: .*not allowed"):
        load_inventory(inv)
    assert not marker.exists()


def test_a_lookup_in_another_variable_is_kept_as_written(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = f"{{{{ lookup('pipe', 'touch {marker}') }}}}"
    inv = write(
        tmp_path, f'all:\n  hosts:\n    a:\n      ansible_host: 10.0.0.1\n      note: "{text}"\n'
    )
    host = load_inventory(inv)[0]
    assert host.address == "10.0.0.1"
    assert host.vars["note"] == text
    assert not marker.exists()


def test_variables_and_pure_filters_still_resolve(tmp_path: Path) -> None:
    inv = write(
        tmp_path,
        """
all:
  vars:
    subnet: "10.9"
    base_port: 2200
    site: {port: "{{ base_port }}"}
  hosts:
    web.example:
      ansible_host: "{{ subnet }}.{{ octet | default('7') }}"
      ansible_port: "{{ site.port }}"
      ansible_user: "{{ inventory_hostname_short | upper }}"
""",
    )
    host = load_inventory(inv)[0]
    assert (host.address, host.port, host.user) == ("10.9.7", 2200, "WEB")


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{{ x.__class__.__mro__ }}", "undefined"),
        ("{{ 'a' * 99999999999 }}", "not allowed"),
        ("{{ y | regex_replace('a', 'b') }}", "not allowed"),
        ("{% for i in range(9) %}{% endfor %}", "not allowed"),
        ("{{ self }}", "undefined"),
        ("{{ loop_a }}", "refers to itself"),
        ("{{ big }}{{ big }}", "more than"),
    ],
)
def test_the_resolver_refuses_everything_but_names_and_pure_filters(
    template: str, why: str
) -> None:
    r = Resolver(
        {
            "x": "1",
            "y": "a",
            "loop_a": "{{ loop_b }}",
            "loop_b": "{{ loop_a }}",
            "big": "z" * 40_000,
        },
        "h",
    )
    with pytest.raises(TemplateRefused, match=why):
        r.value(template)


@pytest.mark.parametrize("port", ["0", "-1", "70000", "'0'"])
def test_port_zero_is_refused_like_any_other_non_port(tmp_path: Path, port: str) -> None:
    inv = write(tmp_path, f"all:\n  hosts:\n    a: {{ansible_port: {port}}}\n")
    with pytest.raises(InventoryError, match="is not a TCP port"):
        load_inventory(inv)


def test_an_absent_port_is_22_and_a_written_one_is_kept(tmp_path: Path) -> None:
    inv = write(tmp_path, "all:\n  hosts:\n    a: {}\n    b: {ansible_ssh_port: 1}\n")
    ports = {h.name: h.port for h in load_inventory(inv)}
    assert ports == {"a": 22, "b": 1}
