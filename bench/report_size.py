"""Measure the HTML, JUnit and JSON reports of a 200-host x 150-control fleet.

Prints sizes and render times; asserts nothing (speed belongs here, not in tests).
Run: python3 bench/report_size.py [--hosts 200] [--controls 150] [--out DIR]
With --browser it also opens the HTML in /usr/bin/chromium and prints the load time.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from hardening.model.result import Evidence, HostRun, Result, RunDocument, Status
from hardening.reports import html, json_doc, junit
from hardening.score import by_section, score

SEVERITIES = ("low", "medium", "high", "critical")
WEIGHTED = [Status.PASS] * 14 + [Status.FAIL] * 4 + [Status.WARN, Status.SKIP, Status.ERROR]


def fleet(n_hosts: int, n_controls: int, seed: int = 7) -> RunDocument:
    """A deterministic synthetic fleet with realistic evidence strings."""
    rnd = random.Random(seed)
    controls = [
        (
            f"{1 + i // 40}.{1 + (i // 10) % 4}.{1 + i % 10}",
            f"Ensure that setting number {i} of the component is configured securely",
            f"{1 + i // 40}.{1 + (i // 10) % 4} Section {1 + i // 40}.{1 + (i // 10) % 4}",
            SEVERITIES[i % 4],
        )
        for i in range(n_controls)
    ]
    hosts = []
    for h in range(n_hosts):
        results = []
        for cid, title, section, sev in controls:
            st = rnd.choice(WEIGHTED)
            observed = {Status.PASS: "600", Status.FAIL: rnd.choice(["644", "777", "true"])}.get(
                st, ""
            )
            results.append(
                Result(
                    cid,
                    title,
                    section,
                    1,
                    sev,
                    st,
                    Evidence(observed, f"stat /etc/kubernetes/manifests/file-{cid}.yaml", "<= 600"),
                    "" if st in (Status.PASS, Status.FAIL) else "not applicable on this node",
                    f"chmod 600 /etc/kubernetes/manifests/file-{cid}.yaml",
                    f"cis-{cid}",
                )
            )
        hosts.append(
            HostRun(
                f"node-{h:03d}",
                f"127.0.{h // 250}.{h % 250 + 2}",
                ("worker",),
                tuple(results),
                score(results),
                None,
                {},
                by_section(results),
            )
        )
    every = [r for h in hosts for r in h.results]
    return RunDocument(
        "0.1.0",
        "bench",
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:01:00+00:00",
        tuple(hosts),
        score(every),
        by_section(every),
        {"target": "bench"},
    )


def _browser_load(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = b.new_page()
        t0 = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("#results tbody tr.row")
        elapsed = time.perf_counter() - t0
        b.close()
    return elapsed


def main() -> None:
    """Render the three reports and print their sizes."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--controls", type=int, default=150)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--browser", action="store_true")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="hardening-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    doc = fleet(args.hosts, args.controls)
    print(
        f"{args.hosts} hosts x {args.controls} controls = "
        f"{sum(len(h.results) for h in doc.hosts)} results"
    )
    for name, module in (("json", json_doc), ("junit", junit), ("html", html)):
        dest = out / f"run{module.SUFFIX}"
        t0 = time.perf_counter()
        module.render(doc, dest)
        elapsed = time.perf_counter() - t0
        size = dest.stat().st_size
        print(f"{name:6s} {size / 1024 / 1024:8.2f} MiB  rendered in {elapsed:6.2f} s  {dest}")
    if args.browser:
        print(f"html opened in chromium in {_browser_load(out / 'run.html'):.2f} s")


if __name__ == "__main__":
    main()
