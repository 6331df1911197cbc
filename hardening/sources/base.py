"""The Source protocol: who answers the fact requests of a plan.

The probe over a transport (``collect.ProbeSource``), an image (``sources/image.py``), the
Ansible raw outputs (``sources/raw.py``), and cloud exports or APIs joined to any of them
(``sources/cloud.py``) each implement it, so :class:`hardening.audit.Audit` runs the same
way whichever answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from hardening.collect import HostOutcome, Progress
from hardening.plan import Plan
from hardening.stop import Stop


class Source(Protocol):
    """Answers the requests of each plan; one HostOutcome per plan, in plan order."""

    def prepare(self, plan: Plan) -> Plan:
        """The plan as this source will answer it (a source may add requests it needs)."""
        ...

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """Answer every plan; a host that cannot be answered is an outcome with its error."""
        ...

    def record(self) -> dict[str, Any]:
        """The settings of this source, for ``RunDocument.options``."""
        ...
