"""Jinja filters for the yaml_edit role; they run on the controller, in Ansible's Python.

Thin adapters over ``hardening.remediate.yamledit``: a file's text comes in, its edited
text goes out, with only the lines the fix sets changed. A file the line editor cannot
edit safely is written as the merged document instead (re-indented, comments lost).
"""

from __future__ import annotations

import os
import sys
from typing import Any

# `hardening remediate` names its own package, so the filters run the CLI's code even when
# ansible-playbook's Python has another (or no) hardening installed.
_FROM = os.environ.get("HARDENING_IMPORT_PATH")
if _FROM and _FROM not in sys.path:
    sys.path.insert(0, _FROM)
try:
    from hardening.remediate import yamledit
except ImportError:  # a playbook run by hand, with a Python that lacks hardening
    raise ImportError(
        "the yaml_edit fixes need the hardening package importable by "
        "ansible-playbook's Python; run the ansible-playbook installed beside "
        "hardening (the same venv), or set HARDENING_IMPORT_PATH to the "
        "directory that holds the hardening package"
    ) from None


def yaml_set(text: str, changes: dict[str, Any]) -> str:
    """``text`` with the keys of ``changes`` set in place (or the merged document)."""
    import yaml

    try:
        return yamledit.set_keys(text, changes)
    except yamledit.YamlEditError:
        return yamledit.dump(yamledit.merged(yaml.safe_load(text), changes))


def yaml_manifest_flag(text: str, flag: str, value: str) -> str:
    """A manifest with ``flag=value`` as the first container's only ``flag``."""
    import yaml

    try:
        return yamledit.manifest_flag(text, flag, value)
    except yamledit.YamlEditError:
        pod = yaml.safe_load(text)
        first = pod["spec"]["containers"][0]
        kept = [c for c in first["command"] if not (c == flag or str(c).startswith(flag + "="))]
        first["command"] = [*kept, f"{flag}={value}"]
        return yamledit.dump(pod)


class FilterModule:
    """The role's filters, by name."""

    def filters(self) -> dict[str, Any]:
        """Filter name -> function, as Ansible's plugin loader expects."""
        return {"hardening_yaml_set": yaml_set, "hardening_yaml_manifest_flag": yaml_manifest_flag}
