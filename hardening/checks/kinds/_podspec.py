"""Pod specs wherever they are written: pods and the templates of Deployments, DaemonSets,
StatefulSets, Jobs and CronJobs (a pod not yet created is seen), with their containers.

The rules follow the Pod Security Standards as the PodSecurity admission plugin checks them
(kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go: one
check per file, e.g. check_privileged.go, check_hostNamespaces.go, check_runAsNonRoot.go).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hardening.checks.kinds._cluster import Objects, namespace_of
from hardening.model.cluster import WORKLOADS, ref

# Where each kind keeps its pod spec.
SPEC_PATH: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
# check_capabilities_baseline.go: what baseline lets a container add (the runtime defaults).
BASELINE_CAPS = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


@dataclass(frozen=True)
class PodSpec:
    """One pod spec: the object holding it, and the field path to it."""

    obj: Mapping[str, Any]
    spec: Mapping[str, Any]
    path: str

    @property
    def ref(self) -> str:
        """``namespace/Kind/name`` of the object."""
        return ref(self.obj)

    @property
    def namespace(self) -> str:
        """The object's namespace."""
        return namespace_of(self.obj)

    def containers(self) -> Iterator[tuple[Mapping[str, Any], str]]:
        """(container, its field path) for init, regular and ephemeral containers."""
        for key in CONTAINER_LISTS:
            for i, c in enumerate(self.spec.get(key) or []):
                yield c, f"{self.path}.{key}[{i}]"

    @property
    def pod_context(self) -> Mapping[str, Any]:
        """The pod-level securityContext ({} when unset)."""
        return self.spec.get("securityContext") or {}


def pod_specs(objects: Objects) -> Iterator[PodSpec]:
    """Every pod spec of the workload resources present in ``objects``."""
    for resource in WORKLOADS:
        for obj in objects.get(resource, ()):
            node: Any = obj
            for key in SPEC_PATH[str(obj.get("kind"))]:
                node = (node or {}).get(key)
            if isinstance(node, Mapping):
                yield PodSpec(obj, node, ".".join(SPEC_PATH[str(obj.get("kind"))]))


def _sc(c: Mapping[str, Any]) -> Mapping[str, Any]:
    return c.get("securityContext") or {}


def _caps(c: Mapping[str, Any], which: str) -> set[str]:
    raw = (_sc(c).get("capabilities") or {}).get(which) or []
    return {str(x).upper().removeprefix("CAP_") for x in raw}


Finding = tuple[str, str]  # (field path, what is wrong there)
Rule = Callable[[PodSpec], list[Finding]]


def _pod_flag(name: str) -> Rule:
    def rule(p: PodSpec) -> list[Finding]:
        return [(f"{p.path}.{name}", "true")] if p.spec.get(name) is True else []

    return rule


def privileged(p: PodSpec) -> list[Finding]:
    """check_privileged.go: no container sets securityContext.privileged."""
    return [
        (f"{at}.securityContext.privileged", "true")
        for c, at in p.containers()
        if _sc(c).get("privileged") is True
    ]


def allow_privilege_escalation(p: PodSpec) -> list[Finding]:
    """check_allowPrivilegeEscalation.go: every container sets it false (unset is true)."""
    out: list[Finding] = []
    for c, at in p.containers():
        value = _sc(c).get("allowPrivilegeEscalation")
        if value is not False:
            out.append(
                (
                    f"{at}.securityContext.allowPrivilegeEscalation",
                    "unset (defaults to true)" if value is None else str(value).lower(),
                )
            )
    return out


def run_as_root(p: PodSpec) -> list[Finding]:
    """check_runAsNonRoot.go and check_runAsUser.go: runAsNonRoot true for every container
    (its own or the pod's), never false at the pod, and no uid 0 at either level."""
    pod = p.pod_context
    out: list[Finding] = []
    if pod.get("runAsNonRoot") is False:
        out.append((f"{p.path}.securityContext.runAsNonRoot", "false"))
    if pod.get("runAsUser") == 0:
        out.append((f"{p.path}.securityContext.runAsUser", "0"))
    for c, at in p.containers():
        own = _sc(c).get("runAsNonRoot")
        if (own if own is not None else pod.get("runAsNonRoot")) is not True:
            out.append(
                (
                    f"{at}.securityContext.runAsNonRoot",
                    "unset at container and pod" if own is None else str(own).lower(),
                )
            )
        if _sc(c).get("runAsUser") == 0:
            out.append((f"{at}.securityContext.runAsUser", "0"))
    return out


def net_raw(p: PodSpec) -> list[Finding]:
    """NET_RAW is in the runtime's default set: a container keeps it unless it drops NET_RAW
    or ALL, and must not add it back."""
    out: list[Finding] = []
    for c, at in p.containers():
        added, dropped = _caps(c, "add"), _caps(c, "drop")
        if added & {"NET_RAW", "ALL"}:
            out.append((f"{at}.securityContext.capabilities.add", ",".join(sorted(added))))
        elif not dropped & {"NET_RAW", "ALL"}:
            out.append((f"{at}.securityContext.capabilities.drop", "does not drop NET_RAW or ALL"))
    return out


def capabilities(p: PodSpec) -> list[Finding]:
    """check_capabilities_restricted.go: drop ALL, add nothing but NET_BIND_SERVICE."""
    out: list[Finding] = []
    for c, at in p.containers():
        extra = _caps(c, "add") - {"NET_BIND_SERVICE"}
        if extra:
            out.append((f"{at}.securityContext.capabilities.add", ",".join(sorted(extra))))
        if "ALL" not in _caps(c, "drop"):
            out.append((f"{at}.securityContext.capabilities.drop", "does not drop ALL"))
    return out


def added_capabilities(p: PodSpec) -> list[Finding]:
    """check_capabilities_baseline.go: nothing added beyond the runtime's default set."""
    return [
        (f"{at}.securityContext.capabilities.add", ",".join(sorted(extra)))
        for c, at in p.containers()
        if (extra := _caps(c, "add") - BASELINE_CAPS)
    ]


def host_process(p: PodSpec) -> list[Finding]:
    """check_windowsHostProcess.go: no windowsOptions.hostProcess at pod or container."""
    hits = [(p.path, p.pod_context)] + [(at, _sc(c)) for c, at in p.containers()]
    return [
        (f"{at}.securityContext.windowsOptions.hostProcess", "true")
        for at, sc in hits
        if (sc.get("windowsOptions") or {}).get("hostProcess") is True
    ]


def host_path(p: PodSpec) -> list[Finding]:
    """check_hostPathVolumes.go: no hostPath volume."""
    return [
        (f"{p.path}.volumes[{i}].hostPath", str((v.get("hostPath") or {}).get("path", "")))
        for i, v in enumerate(p.spec.get("volumes") or [])
        if v.get("hostPath") is not None
    ]


def host_ports(p: PodSpec) -> list[Finding]:
    """check_hostPorts.go: no container port with a non-zero hostPort."""
    return [
        (f"{at}.ports[{i}].hostPort", str(port["hostPort"]))
        for c, at in p.containers()
        for i, port in enumerate(c.get("ports") or [])
        if port.get("hostPort")
    ]


def seccomp(p: PodSpec) -> list[Finding]:
    """check_seccompProfile_restricted.go: each container's profile (its own, else the
    pod's) is RuntimeDefault or Localhost."""
    pod = (p.pod_context.get("seccompProfile") or {}).get("type")
    out: list[Finding] = []
    for c, at in p.containers():
        own = (_sc(c).get("seccompProfile") or {}).get("type")
        kind = own or pod
        if kind not in ("RuntimeDefault", "Localhost"):
            where = (
                f"{at}.securityContext.seccompProfile.type"
                if own
                else f"{p.path}.securityContext.seccompProfile.type"
            )
            out.append((where, str(kind) if kind else "unset at container and pod"))
    return out


RULES: dict[str, tuple[Rule, str, str]] = {  # name -> (rule, PSS level forbidding it, noun)
    "privileged": (privileged, "baseline", "privileged containers"),
    "host_pid": (_pod_flag("hostPID"), "baseline", "pod specs sharing the host PID namespace"),
    "host_ipc": (_pod_flag("hostIPC"), "baseline", "pod specs sharing the host IPC namespace"),
    "host_network": (
        _pod_flag("hostNetwork"),
        "baseline",
        "pod specs sharing the host network namespace",
    ),
    "allow_privilege_escalation": (
        allow_privilege_escalation,
        "restricted",
        "containers allowing privilege escalation",
    ),
    "run_as_root": (run_as_root, "restricted", "settings letting containers run as root"),
    "net_raw": (net_raw, "restricted", "containers keeping NET_RAW"),
    "capabilities": (capabilities, "restricted", "capability settings beyond restricted"),
    "added_capabilities": (
        added_capabilities,
        "baseline",
        "capabilities added beyond the default set",
    ),
    "host_process": (host_process, "baseline", "Windows HostProcess settings"),
    "host_path": (host_path, "baseline", "hostPath volumes"),
    "host_ports": (host_ports, "baseline", "host ports"),
    "seccomp": (
        seccomp,
        "restricted",
        "containers without a RuntimeDefault or Localhost seccomp profile",
    ),
}


_CONTAINER_AT = re.compile(r"\.(initContainers|containers|ephemeralContainers)\[(\d+)\]")


def describe(p: PodSpec, finding: Finding) -> str:
    """One evidence line: ``ns/Kind/name container C: field.path=value``."""
    path, value = finding
    m = _CONTAINER_AT.search(path)
    who = ""
    if m:
        items = p.spec.get(m.group(1)) or []
        i = int(m.group(2))
        who = f" container {items[i].get('name', '?')}" if i < len(items) else ""
    return f"{p.ref}{who}: {path}={value}"
