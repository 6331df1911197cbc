"""REPORTERS: report format name -> module exposing ``render(doc, dest)`` and ``SUFFIX``."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol, cast

from hardening.model.result import RunDocument


class Reporter(Protocol):
    """A report module."""

    SUFFIX: str

    def render(self, doc: RunDocument, dest: Path) -> None:
        """Write ``doc`` to ``dest``."""
        ...


REPORTERS: dict[str, str] = {
    "json": "hardening.reports.json_doc",
    "html": "hardening.reports.html",
    "junit": "hardening.reports.junit",
    "sarif": "hardening.reports.sarif",
    "gitlab-codequality": "hardening.reports.gitlab_codequality",
    "ocsf": "hardening.reports.ocsf",
}


def reporter(name: str) -> Reporter:
    """Import a reporter lazily (HTML pulls in Jinja2 only when asked for)."""
    return cast(Reporter, importlib.import_module(REPORTERS[name]))
