"""OpenSCAP (``oscap-ssh``) on the lab nodes: the reference agentless-ish host auditor.

Bookworm's ssg-debian ships only Debian 10/11 datastreams, and the lab nodes are namespaces
in a container, so SSG marks every rule "notapplicable" (its ``#machine`` and package
platforms). The benchmark evaluates a copy of the Debian 11 datastream with the rules'
``<xccdf-1.2:platform>`` references removed, so the ``standard`` profile's rules run for real.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.labkit.lab import Lab

if TYPE_CHECKING:
    from perf.bench import Reach

DATASTREAM = Path("/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml")
PROFILE = "xccdf_org.ssgproject.content_profile_standard"
PLATFORM = re.compile(rb'<xccdf-1\.2:platform idref="[^"]*"/>')


def _unavailable() -> str | None:
    if not shutil.which("oscap-ssh") or not shutil.which("oscap"):
        return "oscap-ssh not installed (Debian: openscap-scanner openscap-utils ssg-debian)"
    if not DATASTREAM.exists():
        return f"{DATASTREAM} missing (Debian: ssg-debian)"
    return None


def _argv(address: str, port: int, ds: Path) -> list[str]:
    return [
        "oscap-ssh",
        "--sudo",
        f"auditor@{address}",
        str(port),
        "xccdf",
        "eval",
        "--profile",
        PROFILE,
        str(ds),
    ]


def measure_oscap(lab: Lab, net: Reach, forks: int, reps: int, work: Path) -> dict[str, list[Any]]:
    """``{"oscap-ssh": [figures per rep]}`` through ``net``, or nothing (reason printed)."""
    from perf.bench import measure  # the one measuring harness

    reason = _unavailable()
    if reason:
        print(f"  oscap: not measured: {reason}")
        return {}
    work.mkdir(parents=True, exist_ok=True)
    ds = work / "ssg-debian11-ds-noplatform.xml"
    ds.write_bytes(PLATFORM.sub(b"", DATASTREAM.read_bytes()))
    os.environ["SSH_ADDITIONAL_OPTIONS"] = f"-F {net.ssh_config}"
    addresses = [node.address for node in lab.nodes.values()]
    trial = subprocess.run(
        _argv(addresses[0], net.port, ds), capture_output=True, text=True, check=False, timeout=600
    )
    evaluated = len(re.findall(r"^Result\s+(?:pass|fail)$", trial.stdout, re.M))
    if not evaluated:
        print(f"  oscap: not measured: no rule evaluated (exit {trial.returncode})")
        return {}
    print(
        f"  oscap ({net.label('full')}): profile 'standard' of {DATASTREAM.name} "
        f"(platforms removed): {evaluated} rules evaluated per host"
    )
    spec = {
        "forks": forks,
        "ok_codes": [0, 2],
        "jobs": [{"argv": _argv(a, net.port, ds)} for a in addresses],
    }
    return {"oscap-ssh": [measure(spec, work) for _ in range(reps)]}
