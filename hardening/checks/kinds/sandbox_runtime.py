"""sandbox_runtime: a sandboxed container runtime (gVisor, Kata, ACK rund) is wired in.

Reads ``config`` (containerd's config.toml) and the files its ``imports`` name among those
``include`` gathers; finds CRI runtime handlers (version 2 ``plugins."io.containerd.grpc.v1.
cri".containerd.runtimes``, version 3 ``plugins."io.containerd.cri.v1.runtime".containerd.
runtimes``); a handler whose ``runtime_type`` is ``io.containerd.runsc.v1``,
``io.containerd.kata*.v2`` or ``io.containerd.rund.v2`` is a sandbox. Its shim
(``containerd-shim-<name>-<version>``) must be an executable file in ``shim_dirs``; when
RuntimeClass objects are given (cloud facts), one must name the handler. FAIL when a sandbox
is configured but unusable, when the node pool requires one (inventory ``sandbox_required``)
and none exists, or when containerd 1.x would ignore a version 3 file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome
from hardening.facts.command import Command
from hardening.facts.inventory_flag import InventoryFlag
from hardening.facts.read import Read
from hardening.facts.runtime_classes import ClassList, RuntimeClasses
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, CommandOutput, FactRequest, Facts, FileContent, FileStat
from hardening.model.result import Status
from hardening.parsers.containerd import Handler, load_handlers, sandbox_kind, shim_name

VERSION_RE = re.compile(r"\bv?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class Params:
    """YAML: ``config``, ``include`` (globs the probe reads for ``imports``), ``shim_dirs``,
    ``version_command`` and ``required`` (true: every targeted node needs a sandbox)."""

    config: str = "/etc/containerd/config.toml"
    include: tuple[str, ...] = ("/etc/containerd/conf.d/*.toml", "/etc/containerd/*.toml")
    shim_dirs: tuple[str, ...] = (
        "/usr/bin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/local/sbin",
        "/opt/containerd/bin",
        "/opt/kata/bin",
        "/bin",
    )
    version_command: str = "containerd --version"
    required: bool = False


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The config files, the shim binaries in every shim dir, containerd's version, the
    RuntimeClasses (cloud source) and the node pool's ``sandbox_required`` (inventory)."""
    return (
        Read(p.config),
        *(Read(g) for g in p.include),
        *(Stat(f"{d.rstrip('/')}/containerd-shim-*") for d in p.shim_dirs),
        RuntimeClasses(),
        InventoryFlag("sandbox_required"),
        Command(p.version_command, 10),
    )


def _files(p: Params, facts: Facts) -> tuple[FileContent | Absent, list[FileContent]]:
    main = facts.get(Read(p.config))
    extra: dict[str, FileContent] = {}
    for g in p.include:
        got = facts.get(Read(g))
        if not isinstance(got, Absent):
            extra.update({f.path: f for f in got if f.path != p.config})
    first = (
        main
        if isinstance(main, Absent)
        else (main[0] if main else Absent(f"{p.config}: no such file"))
    )
    return first, list(extra.values())


def _shims(p: Params, facts: Facts) -> dict[str, FileStat]:
    found: dict[str, FileStat] = {}
    for d in p.shim_dirs:
        got = facts.get(Stat(f"{d.rstrip('/')}/containerd-shim-*"))
        for st in () if isinstance(got, Absent) else got:
            found.setdefault(st.path.rsplit("/", 1)[-1], st)
            found.setdefault(st.path, st)
    return found


def _major(facts: Facts, p: Params) -> int | None:
    out = facts.get(Command(p.version_command, 10))
    if isinstance(out, CommandOutput) and out.rc == 0:
        m = VERSION_RE.search(out.text)
        return int(m.group(1)) if m else None
    return None


def _check(h: Handler, shims: dict[str, FileStat], classes: list[Any] | None) -> str:
    """ "" when the handler is usable, else what is wrong with it."""
    shim = h.runtime_path or shim_name(h.runtime_type) or ""
    st = shims.get(shim)
    if st is None:
        return f"shim {shim or '(unknown for ' + h.runtime_type + ')'} not found"
    if not st.is_file or not st.perms & 0o111:
        return f"shim {st.path} is not an executable file (mode {st.octal})"
    if classes is not None and not any(
        isinstance(c, dict) and c.get("handler") == h.name for c in classes
    ):
        return f"no RuntimeClass has handler '{h.name}'"
    return ""


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Find sandbox handlers, check their shims and RuntimeClasses."""
    required = p.required or facts.get(InventoryFlag("sandbox_required")) is True
    expected = "a sandboxed runtime handler with its shim" + (
        " (required on this node pool)" if required else ""
    )
    main, extra = _files(p, facts)
    if isinstance(main, Absent):
        if required and not main.is_error:
            return Outcome(
                Status.FAIL, "no containerd config", expected, p.config, reason=main.reason
            )
        return Outcome.absent(main, expected=expected, source=p.config)
    try:
        version, handlers, notes = load_handlers([main, *extra])
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
        return Outcome(Status.ERROR, source=p.config, reason=f"{p.config}: {exc}")
    major = _major(facts, p)
    if version == 3 and major == 1:
        return Outcome(
            Status.FAIL,
            "config version 3 with containerd 1.x",
            expected,
            p.config,
            reason="containerd 1.x ignores a version 3 config file; its runtime "
            "handlers are not in effect",
            details=tuple(notes),
        )
    shims = _shims(p, facts)
    given = facts.get(RuntimeClasses())
    classes = list(given.items) if isinstance(given, ClassList) else None
    sandboxes = [(h, k) for h in handlers if (k := sandbox_kind(h.name, h.runtime_type))]
    good, bad = [], []
    for h, kind in sandboxes:
        problem = _check(h, shims, classes)
        shim = shims.get(h.runtime_path or shim_name(h.runtime_type) or "")
        line = f"{h.file}: handler {h.name} ({kind}, {h.runtime_type})"
        if problem:
            bad.append(f"{line}: {problem}")
        else:
            good.append(f"{line}: shim {shim.path if shim else '?'}")
    details = tuple(good + bad + notes)
    if bad:
        return Outcome(Status.FAIL, bad[0], expected, main.path, details=details)
    if good:
        return Outcome(Status.PASS, good[0], expected, main.path, details=details)
    if required:
        return Outcome(
            Status.FAIL,
            f"no sandboxed runtime among {len(handlers)} handlers",
            expected,
            main.path,
            details=details,
        )
    return Outcome(
        Status.SKIP,
        f"no sandboxed runtime among {len(handlers)} handlers",
        expected,
        main.path,
        details=details,
        reason="this node pool does not require a sandboxed runtime",
    )


KIND = CheckKind("sandbox_runtime", Params, needs, evaluate, __doc__ or "")
