"""Which planned controls apply to a host, from evidence: the roles its inventory gives and
the components found on it, and the run's profile. Pure: reads the gathered facts only.

- A role is held when the inventory gives it (``inventory group kube_control_plane``) or
  one of its components is found (``kube-apiserver running (process 812)``; on an image,
  its unit or static pod manifest). kube-bench decides the same way which targets to run
  (master when the API server, scheduler and controller manager run, etcd when etcd runs,
  the node everywhere a kubelet runs). ``HostRun.meta["roles"]`` says, per role, which.
- A control whose every node role is not held is SKIP: its component is absent, and a
  section of an absent component is never PASS. When the probe could not tell (a process
  table it could not read), ERROR.
- Under the ``managed`` profile (ACK managed, EKS, GKE: the provider runs the control
  plane), a provider-owned control on a node that does not run the control plane is
  NOT_APPLICABLE with the reason, outside the score and counted apart in every report.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardening.evaluate import decided
from hardening.facts.component import ComponentReq
from hardening.model.control import Control, Role
from hardening.model.facts import Absent, Component, Facts
from hardening.model.result import Evidence, Result, Status
from hardening.plan import DETECT, Plan

# CIS Kubernetes and CIS ACK number the control-plane node (1), etcd (2) and the control
# plane's configuration (3) alike; on a managed cluster those parts are the provider's.
# kube-bench runs exactly the other targets there: job-ack.yaml, job-eks.yaml and
# job-gke.yaml pass ``--targets node,policies,managedservices``.
PROVIDER_PARTS = frozenset({"1", "2", "3"})
PROVIDER_ROLES = frozenset({Role.CONTROL_PLANE, Role.ETCD})
MANAGED_REASON = (
    "not applicable under the managed profile: on a managed cluster (ACK managed, EKS, GKE) "
    "the provider runs and configures the control plane and etcd, and this control is one "
    "of theirs (benchmark parts 1-3; kube-bench's managed-cluster jobs run only the node, "
    "policies and managed-services targets)"
)


@dataclass(frozen=True)
class NodeRoles:
    """Per node role: the evidence that the host holds it, why it does not, or why that
    could not be told."""

    held: dict[Role, str]
    absent: dict[Role, str]
    unknown: dict[Role, str]

    def summary(self) -> str:
        """One line per role for ``HostRun.meta["roles"]``."""
        parts = [f"{r.value}: {why}" for r, why in self.held.items()]
        parts += [f"{r.value}: not held ({why})" for r, why in self.absent.items()]
        parts += [f"{r.value}: unknown ({why})" for r, why in self.unknown.items()]
        return "; ".join(parts)


def _found(name: str, comp: Component) -> str:
    verb = "running" if comp.origin.startswith("process") else "found"
    return f"{name} {verb} ({comp.origin})"


def node_roles(plan: Plan, facts: Facts) -> NodeRoles:
    """The roles ``plan.detect`` names, each held, absent or unknown on this host."""
    held: dict[Role, str] = {}
    absent: dict[Role, str] = {}
    unknown: dict[Role, str] = {}
    host = plan.host
    for role in plan.detect:
        seen = [host.role_source(role)] if role in host.roles else []
        missing: list[str] = []
        errors: list[str] = []
        for name in DETECT[role]:
            got = facts.get(ComponentReq(name))
            if isinstance(got, Component):
                seen.append(_found(name, got))
            elif isinstance(got, Absent):
                (errors if got.is_error else missing).append(got.reason)
        if seen:
            held[role] = "; ".join(seen)
        elif errors:
            unknown[role] = "; ".join(errors)
        else:
            absent[role] = "; ".join(missing) + f"; no inventory group gives it the {role} role"
    return NodeRoles(held, absent, unknown)


def provider_owned(control: Control) -> bool:
    """Whether the managed profile gives this control to the provider: it targets only
    control-plane or etcd nodes and sits in parts 1-3 of the benchmark."""
    return (
        bool(control.roles)
        and control.roles <= PROVIDER_ROLES
        and (control.id.split(".", 1)[0] in PROVIDER_PARTS)
    )


def screen(control: Control, roles: NodeRoles, profile: str) -> Result | None:
    """The result a control gets without being evaluated (not applicable here), or None
    when it is to be evaluated."""
    if Role.ANY in control.roles:
        return None
    node = control.roles & DETECT.keys()
    if not node or node & roles.held.keys():
        return None  # a cluster-target control, or a role the host holds
    if profile == "managed" and provider_owned(control):
        return decided(
            control,
            Status.NOT_APPLICABLE,
            Evidence("provider-owned", "profile managed", "audited by the provider"),
            MANAGED_REASON,
        )
    unknown = [roles.unknown[r] for r in sorted(node) if r in roles.unknown]
    if unknown:
        return decided(
            control,
            Status.ERROR,
            Evidence("unknown", "the process table"),
            "could not tell whether this node holds the role: " + "; ".join(unknown),
        )
    why = "; ".join(roles.absent[r] for r in sorted(node) if r in roles.absent)
    return decided(
        control,
        Status.SKIP,
        Evidence("component absent", "the process table"),
        f"not applicable on this node: {why}",
    )
