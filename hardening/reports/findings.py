"""What the finding formats (SARIF, GitLab code quality, OCSF) share: the failing results in
a stable worst-first order, the file a result is about, and a stable fingerprint.

Nothing is computed here that the run document does not say: the path is read back from the
evidence the check wrote, never looked up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from hardening.model.result import HostRun, Result, RunDocument, Status

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}

# "/var/lib/kubelet/config.yaml: readOnlyPort: 0", "/etc/kubernetes/kubelet.conf (--kubeconfig
# of process 7)", "$ cat /proc/sys/kernel/panic", "stat /etc/kubelet.conf": the first absolute
# path, ended by a space, a colon or a bracket. Globs ("/etc/kubernetes/pki/*.key") are kept.
_PATH = re.compile(r"^(?:\$ cat |stat )?(/[^\s:()\[\]]*)")


def file_path(r: Result) -> str | None:
    """The absolute file path the result's evidence names first, or None (a process, a
    command, a cloud API)."""
    match = _PATH.match(r.evidence.source)
    if match is None or match.group(1) == "/":
        return None
    return match.group(1)


def fingerprint(*parts: str) -> str:
    """A stable SHA-256 hex digest of the parts (NUL-separated, so parts cannot run together)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def failures(doc: RunDocument) -> list[tuple[HostRun, Result]]:
    """Every FAIL, worst severity first, then by host and control id (a stable order)."""
    found = [(h, r) for h in doc.targets for r in h.results if r.status is Status.FAIL]
    return sorted(
        found, key=lambda hr: (-SEVERITY_RANK.get(hr[1].severity, 2), hr[0].name, hr[1].control_id)
    )


def controls(doc: RunDocument) -> Iterator[Result]:
    """One result per control id, in first-seen order: the control's metadata."""
    seen: set[str] = set()
    for h in doc.targets:
        for r in h.results:
            if r.control_id not in seen:
                seen.add(r.control_id)
                yield r


def message(h: HostRun, r: Result) -> str:
    """``worker-1: 4.2.1 Ensure ...: observed 'true', expected '--anonymous-auth = false'``."""
    ev = r.evidence
    text = f"{h.name}: {r.control_id} {r.title}: observed {ev.observed!r}"
    if ev.expected:
        text += f", expected {ev.expected!r}"
    if ev.source:
        text += f" ({ev.source})"
    return text
