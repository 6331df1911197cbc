"""Failed results -> what remediation runs: per host, the fix of each failed control.

Failed controls that no playbook can fix safely (manual controls, cloud and policy
checks, controls without a playbook tag) are kept as ``Manual`` entries with their
remediation text: they are listed, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hardening.errors import InventoryError
from hardening.model.control import Control
from hardening.model.host import Host
from hardening.model.result import RunDocument, Status
from hardening.plan import bind_control
from hardening.remediate.fixes import Fix, NoFix, derive


@dataclass(frozen=True)
class Manual:
    """A failed (or manual) control on a host that remediation leaves to a person."""

    host: str
    control_id: str
    title: str
    reason: str
    remediation: str


@dataclass(frozen=True)
class Selection:
    """The fixes per host (inventory order) and the controls left for manual remediation."""

    fixes: dict[str, tuple[Fix, ...]]
    manual: tuple[Manual, ...]
    not_selected: tuple[Manual, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts with at least one fix, in the audit's order."""
        return tuple(h for h, fixes in self.fixes.items() if fixes)

    @property
    def tags(self) -> tuple[str, ...]:
        """Every playbook tag that runs somewhere, sorted."""
        return tuple(sorted({f.tag for fixes in self.fixes.values() for f in fixes}))

    def controls(self, host: str) -> frozenset[str]:
        """Control ids remediated on ``host``."""
        return frozenset(f.control_id for f in self.fixes.get(host, ()))


def select(
    doc: RunDocument,
    controls: Iterable[Control],
    values: Mapping[str, str] | None = None,
    hosts: Iterable[Host] | None = None,
    narrowed: bool = False,
) -> Selection:
    """Pick the failed results with a derivable fix; list the rest as manual.

    ``values`` maps a playbook tag to the value to set when the check's op does not name
    one (``podPidsLimit > 0``). ``hosts`` narrows to those hosts and binds each control's
    ``${var}`` layout paths with the host's inventory variables, as the audit did.
    ``narrowed`` says ``controls`` is a selection (``--control``): a failure of a control
    outside it is "not selected", not left for manual remediation.
    """
    by_id = {c.id: c for c in controls}
    wanted = {h.name: h for h in hosts} if hosts is not None else None
    fixes: dict[str, tuple[Fix, ...]] = {}
    manual: list[Manual] = []
    skipped: list[Manual] = []
    for host in doc.hosts:
        if wanted is not None and host.name not in wanted:
            continue
        chosen: list[Fix] = []
        for r in host.results:
            if narrowed and r.control_id not in by_id:
                if r.status is Status.FAIL or (r.status is Status.WARN and not r.automated):
                    skipped.append(
                        Manual(str(host.name), r.control_id, r.title, "not selected", "")
                    )
                continue
            if r.status is Status.WARN and not r.automated:
                manual.append(
                    Manual(str(host.name), r.control_id, r.title, "manual control", r.remediation)
                )
                continue
            if r.status is not Status.FAIL:
                continue
            control = by_id.get(r.control_id)
            if control is None:
                manual.append(
                    Manual(
                        str(host.name),
                        r.control_id,
                        r.title,
                        "not in the loaded catalogue",
                        r.remediation,
                    )
                )
                continue
            tag = control.playbook_tag or ""
            try:
                if wanted is not None:
                    control = bind_control(control, wanted[host.name])
                chosen.append(derive(control, r, (values or {}).get(tag)))
            except (NoFix, InventoryError) as exc:
                manual.append(
                    Manual(
                        str(host.name),
                        r.control_id,
                        r.title,
                        str(exc),
                        r.remediation or control.remediation,
                    )
                )
        fixes[str(host.name)] = tuple(chosen)  # plain str: inventory names may be tagged
    return Selection(fixes, tuple(manual), tuple(skipped))
