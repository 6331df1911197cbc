"""Component command lines read from an image's files instead of its processes.

* systemd units: the unit file (``/etc`` before ``/run`` before ``/usr/lib``/``/lib``),
  its drop-ins (``NAME.service.d/*.conf``, sorted by file name, a name in a higher
  directory masking the same name below), ``Environment=``, ``EnvironmentFile=`` (whose
  values override ``Environment=``; a leading ``-`` makes it optional), and ``ExecStart=``
  where an empty assignment resets the list. ``$VAR`` splits into words, ``${VAR}`` stays
  one word, as systemd expands them.
* static pod manifests: ``spec.containers[].command + args`` of the container whose
  command names the component (kubeadm's API server, controller manager, scheduler, etcd).
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from typing import Any, Protocol

import yaml


class Tree(Protocol):
    """Read access to a file tree: an image, a root filesystem, or files held in memory."""

    def text(self, path: str) -> str | None: ...

    def glob(self, pattern: str) -> list[str]: ...


UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
MANIFEST_DIR = "/etc/kubernetes/manifests"
STATIC_POD_COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _logical_lines(text: str) -> list[str]:
    """Unit-file lines with ``\\`` continuations joined and comments dropped."""
    out: list[str] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        out.append(buf + line)
        buf = ""
    if buf:
        out.append(buf)
    return out


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value, comments=False, posix=True)
    except ValueError:
        return value.split()


def env_file(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines of an EnvironmentFile (quotes removed, comments skipped)."""
    env: dict[str, str] = {}
    for line in _logical_lines(text):
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def expand(command: str, env: dict[str, str]) -> tuple[str, ...]:
    """An ExecStart command line as argv, with systemd's variable expansion."""
    argv: list[str] = []
    for word in _words(command):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:  # a bare $VAR word splits on whitespace; unset or empty gives no word
            argv.extend(env.get(whole.group(1), "").split())
            continue
        argv.append(_VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), word))
    if argv:
        argv[0] = argv[0].lstrip("-@:+!")
    return tuple(argv)


def unit_files(tree: Tree, unit: str) -> list[str]:
    """The unit file and its drop-ins, in the order systemd reads them."""
    main = next((f"{d}/{unit}" for d in UNIT_DIRS if tree.text(f"{d}/{unit}") is not None), None)
    if main is None:
        return []
    dropins: dict[str, str] = {}
    for d in reversed(UNIT_DIRS):
        for path in tree.glob(f"{d}/{unit}.d/*.conf"):
            dropins[posixpath.basename(path)] = path
    return [main, *(dropins[k] for k in sorted(dropins))]


def _service(tree: Tree, files: list[str]) -> tuple[dict[str, str], list[str], str, list[str]]:
    """(environment, ExecStart lines, the file of the last ExecStart, env files read)."""
    env: dict[str, str] = {}
    env_files: list[str] = []
    exec_start: list[str] = []
    origin = files[0]
    for path in files:
        section = ""
        for line in _logical_lines(tree.text(path) or ""):
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if section != "Service":
                continue
            if key == "Environment":
                for assign in _words(value):
                    k, sep, v = assign.partition("=")
                    if sep:
                        env[k] = v
            elif key == "EnvironmentFile":
                env_files.append(value)
            elif key == "ExecStart":
                exec_start = [] if not value else [*exec_start, value]
                origin = path
    read = []
    for spec in env_files:
        text = tree.text(spec.lstrip("-"))
        if text is not None:
            env.update(env_file(text))
            read.append(spec.lstrip("-"))
    return env, exec_start, origin, read


def unit_argv(tree: Tree, unit: str) -> tuple[tuple[str, ...], str] | None:
    """(argv, origin) of a unit's ExecStart after drop-ins, or None without a unit."""
    files = unit_files(tree, unit)
    if not files:
        return None
    env, exec_start, origin, _ = _service(tree, files)
    if not exec_start:
        return None
    used = [p for p in files if p != origin]
    note = f"{origin} ExecStart" + (f" (with {', '.join(used)})" if used else "")
    return expand(exec_start[-1], env), note


def unit_env(tree: Tree, unit: str) -> tuple[dict[str, str], str] | None:
    """(environment, where it came from) a unit's ``Environment=`` and ``EnvironmentFile=``
    give its process (files override assignments), or None without a unit."""
    files = unit_files(tree, unit)
    if not files:
        return None
    env, _, _, read = _service(tree, files)
    return env, "Environment= of " + ", ".join(files + read)


def _load_manifest(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _manifest_container(
    tree: Tree, name: str, directory: str
) -> tuple[dict[str, Any], tuple[str, ...], str] | None:
    """(container, argv, manifest path) of the first static pod container running ``name``:
    its argv is command + args, and its program's basename is ``name``."""
    paths = [
        p for ext in ("yaml", "yml", "json", "manifest") for p in tree.glob(f"{directory}/*.{ext}")
    ]
    for path in sorted(paths):
        doc = _load_manifest(tree.text(path) or "")
        spec = doc.get("spec") if isinstance(doc, dict) else None
        containers = spec.get("containers") if isinstance(spec, dict) else None
        for c in containers if isinstance(containers, list) else []:
            if not isinstance(c, dict):
                continue
            argv = tuple(str(a) for a in (c.get("command") or []) + (c.get("args") or []))
            if argv and posixpath.basename(argv[0]) == name:
                return c, argv, path
    return None


def manifest_argv(
    tree: Tree, name: str, directory: str = MANIFEST_DIR
) -> tuple[tuple[str, ...], str] | None:
    """(argv, origin) of a component's static pod: command + args of its container."""
    found = _manifest_container(tree, name, directory)
    return None if found is None else (found[1], found[2])


def component_argv(tree: Tree, name: str) -> tuple[tuple[str, ...], str] | None:
    """Where a component's command line comes from on an image: manifest, then unit."""
    if name in STATIC_POD_COMPONENTS:
        found = manifest_argv(tree, name)
        if found is not None:
            return found
    return unit_argv(tree, f"{name}.service")


def manifest_env(
    tree: Tree, name: str, directory: str = MANIFEST_DIR
) -> tuple[dict[str, str], str] | None:
    """(environment, manifest path) of a component's static pod container: its ``env``
    entries with a literal ``value`` (``valueFrom`` is resolved by the kubelet, not here)."""
    found = _manifest_container(tree, name, directory)
    if found is None:
        return None
    container, _, path = found
    pairs = [e for e in container.get("env") or [] if isinstance(e, dict)]
    env = {str(e.get("name")): str(e.get("value")) for e in pairs if e.get("name") and "value" in e}
    return env, f"env of {path}"


def component_env(tree: Tree, name: str) -> tuple[dict[str, str], str] | None:
    """The environment a component's manifest or unit gives it (the same source as its argv)."""
    if name in STATIC_POD_COMPONENTS and manifest_argv(tree, name) is not None:
        return manifest_env(tree, name)
    return unit_env(tree, f"{name}.service")
