"""The benchmark's printed tables: per-N figures and ratios, RTT columns, the targets."""

from __future__ import annotations

from typing import Any

Results = dict[str, dict[str, dict[str, float]]]  # catalogue -> workload -> figure -> value


def print_table(n: int, catalogue: str, res: dict[str, dict[str, float]], pad: int = 0) -> None:
    """The per-N table of one catalogue (at one RTT) and its ratios."""
    print(
        f"\nN={n} {catalogue} (medians)".ljust(38 + pad)
        + "wall s    CPU s  peak RSS MB  per host s  failed"
    )
    for name, f in res.items():
        if not f:
            continue
        print(
            f"  {name:{34 + pad}s} {f['wall']:8.2f} {f['cpu']:8.2f} {f['rss_mb']:12.1f} "
            f"{f['wall'] / n:11.3f} {int(f['failed']):7d}"
        )
    audit = res.get("hardening audit", {}).get("wall")
    if not audit:
        return
    for label, other, inverse in RATIOS:
        value = res.get(other, {}).get("wall")
        if value:
            print(f"  {label:{34 + pad}s} {value / audit if inverse else audit / value:6.2f}x")
    walk = res.get("floor walk", {}).get("wall")
    for name, row in (
        ("ansible", "ansible tasks"),
        ("testinfra", "testinfra paramiko"),
        ("ansible by control", "ansible tasks (by control)"),
        ("testinfra by control", "testinfra paramiko (by control)"),
    ):
        value = res.get(row, {}).get("wall")
        if walk and value:  # an audit costing no more than its walk would show this ratio
            print(f"  {f'{name} / floor walk (ceiling)':{34 + pad}s} {value / walk:6.2f}x")


def print_side_by_side(n: int, res: Results, catalogues: list[str], rtts: list[float]) -> None:
    """Wall seconds and ratios of each catalogue with one column per RTT."""
    for cat in catalogues:
        cols = [cat if not ms else f"{cat} rtt={ms:g}ms" for ms in rtts]
        print(
            f"\nN={n} {cat}, wall s by RTT".ljust(37)
            + "".join(f"{f'{ms:g} ms':>10s}" for ms in rtts)
        )
        names = list(dict.fromkeys(name for col in cols for name in res.get(col, {})))
        for name in names:
            cells = [res.get(col, {}).get(name, {}).get("wall") for col in cols]
            print(f"  {name:34s}" + "".join(f"{c:10.2f}" if c else f"{'-':>10s}" for c in cells))
        for label, other, inverse in RATIOS:
            cells = []
            for col in cols:
                audit = res.get(col, {}).get("hardening audit", {}).get("wall")
                value = res.get(col, {}).get(other, {}).get("wall")
                cells.append(
                    None if not (audit and value) else value / audit if inverse else audit / value
                )
            if any(cells):
                print(
                    f"  {label:34s}" + "".join(f"{c:9.2f}x" if c else f"{'-':>10s}" for c in cells)
                )


RATIOS = (
    ("audit / floor ssh true", "floor ssh true", False),
    ("audit / floor raw probe", "floor raw probe", False),
    ("ansible / audit", "ansible tasks", True),
    ("testinfra / audit", "testinfra paramiko", True),
    ("ansible by control / audit", "ansible tasks (by control)", True),
    ("testinfra by control / audit", "testinfra paramiko (by control)", True),
    ("oscap / audit", "oscap-ssh", True),
)


def wall_of(results: dict[str, Any], n: int, cat: str, name: str) -> float | None:
    value: float | None = results.get(str(n), {}).get(cat, {}).get(name, {}).get("wall")
    return value


def print_targets(results: dict[str, Any], sizes: list[int], catalogues: list[str]) -> None:
    """Every target of the issue next to the measured figure (printed, never asserted)."""
    print("\ntargets (measured; 'not measured' when this run lacks the N or the row):")

    def line(label: str, value: float | None, ok: bool | None, unit: str = "x") -> None:
        shown = "not measured" if value is None else f"{value:.2f}{unit}"
        verdict = "" if ok is None else ("met" if ok else "NOT met")
        print(f"  {label:52s} {shown:>13s}  {verdict}")

    for cat in catalogues:
        print(f"  [{cat}]")
        audit50 = wall_of(results, 50, cat, "hardening audit")
        floor50 = wall_of(results, 50, cat, "floor raw probe")
        r = audit50 / floor50 if audit50 and floor50 else None
        line("audit / raw probe floor at N=50 <= 1.2x", r, None if r is None else r <= 1.2)
        audit10 = wall_of(results, 10, cat, "hardening audit")
        for label, row, goal in (
            ("ansible tasks / audit at N=10 >= 10x", "ansible tasks", 10),
            ("  the same, tasks by control", "ansible tasks (by control)", 10),
            ("testinfra / audit at N=10 >= 3x", "testinfra paramiko", 3),
            ("  the same, requests by control", "testinfra paramiko (by control)", 3),
        ):
            other = wall_of(results, 10, cat, row)
            if other is None and row.endswith("(by control)"):
                continue  # not asked for (--by-control)
            r = other / audit10 if other and audit10 else None
            line(label, r, None if r is None else r >= goal)
            walk10 = wall_of(results, 10, cat, "floor walk")
            if other and walk10:
                line(f"  ceiling: {row} / walk floor at N=10", other / walk10, None)
        a100 = wall_of(results, 100, cat, "hardening audit")
        r = (a100 / 100) / (audit10 / 10) if a100 and audit10 else None
        line("per-host audit cost N=100 / N=10 <= 1.2x", r, None if r is None else r <= 1.2)
        rss = results.get("100", {}).get(cat, {}).get("hardening audit", {}).get("rss_mb")
        line("audit peak RSS at N=100 <= 150 MB", rss, None if rss is None else rss <= 150, " MB")
    reports = results.get("reports")
    total = sum(f["seconds"] for f in reports.values()) if reports else None
    line(
        "all reports for 100 hosts < 2 s (json+html+junit)",
        total,
        None if total is None else total < 2,
        " s",
    )
