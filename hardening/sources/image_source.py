"""An image (root filesystem, tar, OCI layout, docker save) as the Source of ``audit --image``.

The answers themselves are ``sources/image.py``'s; this is the Source face the Audit uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardening.collect import HostOutcome, Progress
from hardening.plan import Plan
from hardening.sources import image
from hardening.stop import Stop


@dataclass(frozen=True)
class ImageGather:
    """Every plan is answered from the one image at ``path``; nothing runs."""

    path: Path

    def prepare(self, plan: Plan) -> Plan:
        """The image answers the plan as it is."""
        return plan

    def gather(self, plans: Sequence[Plan], progress: Progress, stop: Stop) -> list[HostOutcome]:
        """Read the image once and answer each plan; an unreadable image is each host's error."""
        if stop.requested:
            return [
                HostOutcome(
                    p,
                    None,
                    f"{p.host.label}: not audited: the run was interrupted ({stop.signal_name})",
                )
                for p in plans
            ]
        return image.gatherer(self.path)(plans)

    def record(self) -> dict[str, Any]:
        """What the run document records of this source."""
        return {"source": "image", "image": str(self.path)}
