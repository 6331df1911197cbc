"""Summarise a py-spy ``raw`` (collapsed stacks) profile: the hottest functions.

    python3 perf/profile_summary.py PROFILE.collapsed [--top 25]

Each line of the file is ``frame;frame;...;leaf COUNT`` with frames ``function (file:line)``.
Printed: samples in total, then the functions by inclusive samples (on the stack) and by
self samples (the leaf), line numbers dropped so a function is one row.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def function(frame: str) -> str:
    """``func (path/to/file.py:12)`` -> ``func (to/file.py)``; other frames as they are."""
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    parts = m.group("file").split("/")
    return f"{m.group('func')} ({'/'.join(parts[-2:])})"


def tally(text: str) -> tuple[int, Counter[str], Counter[str]]:
    """(total samples, inclusive samples by function, self samples by function)."""
    total, inclusive, own = 0, Counter[str](), Counter[str]()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [function(f) for f in stack.split(";") if f]
        total += n
        for name in set(frames):
            inclusive[name] += n
        if frames:
            own[frames[-1]] += n
    return total, inclusive, own


def summarize(text: str, top: int = 25) -> None:
    """Print the summary of one profile."""
    total, inclusive, own = tally(text)
    if not total:
        print("  no samples")
        return
    print(f"  {total} samples; by inclusive share (function on the stack):")
    for name, n in inclusive.most_common(top):
        print(f"    {100 * n / total:5.1f}%  {name[:110]}")
    print("  by self share (the leaf):")
    for name, n in own.most_common(top):
        print(f"    {100 * n / total:5.1f}%  {name[:110]}")


def main(argv: list[str] | None = None) -> int:
    """Read the file, print its summary."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("profile", type=Path)
    p.add_argument("--top", type=int, default=25)
    args = p.parse_args(argv)
    summarize(args.profile.read_text(encoding="utf-8"), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
