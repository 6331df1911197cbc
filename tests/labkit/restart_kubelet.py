#!/usr/bin/python3
"""lab-restart-kubelet: what `systemctl restart kubelet` does, for a lab node without systemd.

Installed into every lab node that runs a kubelet (as /usr/local/sbin/lab-restart-kubelet).
It computes the argv systemd would start from kubelet.service, its drop-ins and their
EnvironmentFiles, stops the running fake kubelet and starts it again with that argv, so a
re-audit sees the command line the unit files now give. `--print` only prints the argv,
one word per line. Standard library only, and deliberately independent of
hardening.parsers.units: it is the lab's oracle, not the code under test.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time

UNIT = "kubelet.service"
UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def directives(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) of every assignment, continuations joined, comments dropped."""
    out, section, buf = [], "", ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        line, buf = buf + line, ""
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line:
            key, _, value = line.partition("=")
            out.append((section, key.strip(), value.strip()))
    return out


def unit_files() -> list[str]:
    main = next((f"{d}/{UNIT}" for d in UNIT_DIRS if os.path.isfile(f"{d}/{UNIT}")), None)
    if main is None:
        sys.exit(f"lab-restart-kubelet: no {UNIT} in {', '.join(UNIT_DIRS)}")
    dropins: dict[str, str] = {}
    for d in reversed(UNIT_DIRS):  # a name in a higher directory masks the same name below
        folder = f"{d}/{UNIT}.d"
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
            if name.endswith(".conf"):
                dropins[name] = f"{folder}/{name}"
    return [main, *(dropins[k] for k in sorted(dropins))]


def computed_argv() -> list[str]:
    env: dict[str, str] = {}
    env_files: list[str] = []
    exec_start: list[str] = []
    for path in unit_files():
        for section, key, value in directives(read(path) or ""):
            if section != "Service":
                continue
            if key == "Environment":
                env.update(a.partition("=")[::2] for a in shlex.split(value) if "=" in a)
            elif key == "EnvironmentFile":
                env_files.append(value)
            elif key == "ExecStart":
                exec_start = [*exec_start, value] if value else []
    for spec in env_files:  # EnvironmentFile= values override Environment=
        text = read(spec.lstrip("-"))
        if text is None and not spec.startswith("-"):
            sys.exit(f"lab-restart-kubelet: EnvironmentFile {spec} is missing")
        for _, key, value in directives("[x]\n" + (text or "")):
            env[key] = " ".join(shlex.split(value))
    if not exec_start:
        sys.exit(f"lab-restart-kubelet: {UNIT} has no ExecStart")
    argv: list[str] = []
    for word in shlex.split(exec_start[-1]):
        whole = re.fullmatch(r"\$([A-Za-z_]\w*)", word)
        if whole:  # $VAR splits into words; ${VAR} inside a word stays one word
            argv += env.get(whole.group(1), "").split()
        else:
            argv.append(
                re.sub(
                    r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), word
                )
            )
    argv[0] = argv[0].lstrip("-@:+!")
    return argv


def running(exe: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/exe") == exe:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def restart(argv: list[str]) -> int:
    for pid in running(argv[0]):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while running(argv[0]):
        if time.monotonic() > deadline:
            sys.exit("lab-restart-kubelet: the old kubelet did not stop within 10 s")
        time.sleep(0.05)
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd="/",
    )
    return proc.pid


def main() -> int:
    argv = computed_argv()
    if sys.argv[1:] == ["--print"]:
        print("\n".join(argv))
        return 0
    print(f"kubelet restarted as pid {restart(argv)}: {shlex.join(argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
