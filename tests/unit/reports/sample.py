"""Run documents built for report tests: a small realistic fleet with every status and
hostile node-supplied strings. Scores come from the real score module."""

from __future__ import annotations

from hardening.model.result import Evidence, HostRun, Result, RunDocument, Status
from hardening.score import by_section, score

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror=window.__pwned=1>'
CONTROL_CHARS = "nul\x00 bell\x07 esc\x1b[31m vt\x0b end ]]> & 'q' \"dq\""

CONTROLS: tuple[tuple[str, str, str, str], ...] = (
    (
        "4.1.1",
        "Ensure that the kubelet service file permissions are set to 600 or more restrictive",
        "4.1 Worker Node Configuration Files",
        "medium",
    ),
    (
        "4.1.2",
        "Ensure that the kubelet service file ownership is set to root:root",
        "4.1 Worker Node Configuration Files",
        "medium",
    ),
    (
        "4.1.9",
        "If the kubelet config.yaml configuration file is being used validate "
        "permissions set to 600",
        "4.1 Worker Node Configuration Files",
        "high",
    ),
    (
        "4.2.1",
        "Ensure that the --anonymous-auth argument is set to false",
        "4.2 Kubelet",
        "critical",
    ),
    (
        "4.2.2",
        "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
        "4.2 Kubelet",
        "critical",
    ),
    (
        "4.2.3",
        "Ensure that the --client-ca-file argument is set as appropriate",
        "4.2 Kubelet",
        "high",
    ),
    ("4.2.4", "Verify that the --read-only-port argument is set to 0", "4.2 Kubelet", "medium"),
    (
        "5.1.1",
        "Ensure that the cluster-admin role is only used where required",
        "5.1 RBAC and Service Accounts",
        "high",
    ),
    ("NODE-1.1", "Ensure SSH root login is disabled", "NODE-1 SSH server", "high"),
    ("NODE-2.1", "Ensure /etc/shadow is not world readable", "NODE-2 Files", "low"),
)


def result(
    cid: str,
    status: Status,
    observed: str = "",
    *,
    expected: str = "",
    source: str = "",
    reason: str = "",
    waiver: dict[str, str] | None = None,
) -> Result:
    """One result of a control from :data:`CONTROLS` (or an unknown id with a plain title)."""
    title, section, severity = next(
        ((t, s, sev) for i, t, s, sev in CONTROLS if i == cid),
        (f"control {cid}", "9 Other", "medium"),
    )
    return Result(
        control_id=cid,
        title=title,
        section=section,
        level=1,
        severity=severity,
        status=status,
        evidence=Evidence(observed, source, expected, ()),
        reason=reason,
        remediation=f"fix {cid}: edit the file and restart the service",
        playbook_tag=f"cis-{cid}",
        automated=not cid.startswith("5."),
        waiver=waiver,
    )


def host(
    name: str,
    results: list[Result],
    *,
    roles: tuple[str, ...] = ("worker",),
    error: str | None = None,
    address: str = "127.0.0.10",
) -> HostRun:
    """A host run scored by the real score module."""
    return HostRun(
        name,
        address,
        roles,
        tuple(results),
        score(results),
        error,
        {"hostname": name},
        by_section(results),
    )


def document(hosts: list[HostRun], *, started: str = "2026-01-05T10:00:00+00:00") -> RunDocument:
    """A run document scored by the real score module."""
    every = [r for h in hosts for r in h.results]
    return RunDocument(
        "0.1.0",
        "cis-1.12+node-os",
        started,
        "2026-01-05T10:00:07+00:00",
        tuple(hosts),
        score(every),
        by_section(every),
        {"target": "inventory.ini", "limit": None, "forks": 10},
    )


def fleet() -> RunDocument:
    """Three workers, a control plane and an unreachable node; every status appears, and
    node-supplied strings carry script tags, attribute breakers and control characters."""
    waiver = {
        "control": "4.2.4",
        "hosts": "worker-3",
        "reason": "legacy metrics scraper",
        "expires": "2026-06-30",
        "approved_by": "sec-team",
        "source": "waivers.yaml:3",
    }
    flag = "--read-only-port="
    w1 = [
        result("4.1.1", Status.PASS, "600", expected="<= 600", source="stat /etc/kubelet.conf"),
        result("4.1.2", Status.PASS, "root:root", expected="root:root", source="stat"),
        result("4.1.9", Status.FAIL, "644", expected="<= 600", source="stat config.yaml"),
        result(
            "4.2.1",
            Status.FAIL,
            "true",
            expected="false",
            source=f"kubelet argv --anonymous-auth=true {SCRIPT}",
        ),
        result("4.2.2", Status.PASS, "Webhook", expected="not AlwaysAllow", source="argv"),
        result(
            "4.2.3",
            Status.PASS,
            "/etc/kubernetes/pki/ca.crt",
            expected="set",
            source="config.yaml authentication.x509.clientCAFile",
        ),
        result("4.2.4", Status.PASS, "0", expected="0", source=f"argv {flag}0"),
        result(
            "5.1.1",
            Status.WARN,
            expected="kubectl get clusterrolebindings",
            reason="manual control: audit by hand",
        ),
        result("NODE-1.1", Status.PASS, "no", expected="no", source="sshd -T"),
        result("NODE-2.1", Status.PASS, "640", expected="<= 640", source="stat /etc/shadow"),
    ]
    w2 = [
        result("4.1.1", Status.FAIL, "777", expected="<= 600", source="stat"),
        result("4.1.2", Status.PASS, "root:root", expected="root:root", source="stat"),
        result("4.1.9", Status.SKIP, reason="kubelet not running"),
        result("4.2.1", Status.FAIL, IMG, expected="false", source=f"argv --anonymous-auth={IMG}"),
        result("4.2.2", Status.FAIL, "AlwaysAllow", expected="not AlwaysAllow", source="argv"),
        result("4.2.3", Status.ERROR, reason=f"probe section unreadable: {CONTROL_CHARS}"),
        result("4.2.4", Status.FAIL, "10255", expected="0", source=f"argv {flag}10255"),
        result(
            "5.1.1",
            Status.WARN,
            expected="kubectl get clusterrolebindings",
            reason="manual control: audit by hand",
        ),
        result("NODE-1.1", Status.FAIL, CONTROL_CHARS, expected="no", source="sshd -T"),
        result("NODE-2.1", Status.PASS, "600", expected="<= 640", source="stat /etc/shadow"),
    ]
    w3 = [
        r
        if r.control_id != "4.2.4"
        else result(
            "4.2.4",
            Status.WAIVED,
            "10255",
            expected="0",
            source=f"argv {flag}10255",
            reason="waived: legacy metrics scraper",
            waiver=waiver,
        )
        for r in w1
    ]
    cp = [
        result(c[0], Status.PASS, "ok", expected="ok", source="argv")
        for c in CONTROLS
        if not c[0].startswith("5.")
    ] + [
        result(
            "5.1.1",
            Status.WARN,
            expected="kubectl get clusterrolebindings",
            reason="manual control: audit by hand",
        )
    ]
    down = [
        result(c[0], Status.ERROR, reason="host not audited: connection refused") for c in CONTROLS
    ]
    return document(
        [
            host("worker-1", w1, address="127.0.0.11"),
            host("worker-2", w2, address="127.0.0.12"),
            host("worker-3", w3, address="127.0.0.13"),
            host("cp-1", cp, roles=("control-plane", "etcd"), address="127.0.0.10"),
            host(
                "worker-9",
                down,
                address="127.0.0.19",
                error="worker-9 (127.0.0.19:22): connection refused; check sshd is running",
            ),
        ]
    )
