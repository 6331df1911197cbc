"""Jinja filters for the kubelet_flag role; they run on the controller, in Ansible's Python.

Thin adapters over ``hardening.remediate.unitflags``: the files' text comes in (slurped
from the host), the new text of the files to change goes out. All parsing lives there.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ansible.errors import AnsibleFilterError

# `hardening remediate` names its own package, so the filters run the CLI's code even when
# ansible-playbook's Python has another (or no) hardening installed.
_FROM = os.environ.get("HARDENING_IMPORT_PATH")
if _FROM and _FROM not in sys.path:
    sys.path.insert(0, _FROM)
try:
    from hardening.remediate import unitflags
except ImportError:  # a playbook run by hand, with a Python that lacks hardening
    raise ImportError(
        "the kubelet_flag fix needs the hardening package importable by "
        "ansible-playbook's Python; run the ansible-playbook installed beside "
        "hardening (the same venv), or set HARDENING_IMPORT_PATH to the "
        "directory that holds the hardening package"
    ) from None


def _texts(slurped: list[dict[str, Any]], pending: dict[str, str] | None) -> dict[str, str]:
    """Path -> text; a file an earlier fix of this run edited has that fix's text."""
    import base64

    texts = {
        r["source"]: base64.b64decode(r["content"]).decode("utf-8", "replace")
        for r in slurped
        if "content" in r
    }
    return {path: (pending or {}).get(path, text) for path, text in texts.items()}


def unit_env_files(
    slurped: list[dict[str, Any]], unit: str, pending: dict[str, str] | None = None
) -> list[str]:
    """The EnvironmentFiles the unit and its drop-ins name, in systemd's order."""
    return unitflags.env_files(_texts(slurped, pending), unit)


def unit_flag_rewrite(
    slurped: list[dict[str, Any]],
    unit: str,
    flag: str,
    value: str | None,
    is_bool: bool,
    pending: dict[str, str] | None = None,
) -> dict[str, str]:
    """Path -> new text of every file to change; a refusal fails the task with its reason.

    ``pending`` holds the text earlier fixes of this run left, so a dry run's edits build
    on each other instead of each starting from the file on the host.
    """
    try:
        texts = _texts(slurped, pending)
        return unitflags.rewrite(texts, unit, unitflags.Edit(flag, value, is_bool))
    except unitflags.UnitFlagError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """The role's filters, by name."""

    def filters(self) -> dict[str, Any]:
        """Filter name -> function, as Ansible's plugin loader expects."""
        return {
            "hardening_unit_env_files": unit_env_files,
            "hardening_unit_flag_rewrite": unit_flag_rewrite,
        }
