"""Reports at fleet size: every report format for 1,000 hosts, and the HTML in Chromium.

    sudo python3 perf/reportbench.py                      # a 3-worker lab audit as the seed
    python3 perf/reportbench.py --source run.json --hosts 1000

The fleet is a real audit's document with its hosts repeated under new names
(perf/reportgen.py), so every report renders real evidence. Each format is rendered once to
warm up, then timed (``--reps``, median) in this process; sizes printed. Then the HTML
report is opened in headless Chromium (playwright, /usr/bin/chromium): the time to the
``load`` event and to the first result row, and the time of each filter action (from the
input event to the next frame painted, in the page's own clock): a search, a host, a
status box, reset. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardening.model.result import RunDocument  # noqa: E402
from hardening.reports.registry import REPORTERS, reporter  # noqa: E402
from perf.bench import PY  # noqa: E402
from perf.reportgen import fleet_of  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# One filter action in the page: fire the control's event, wait for the next painted frame.
ACTION = """async ([selector, kind, value]) => {
  const el = document.querySelector(selector);
  const t0 = performance.now();
  if (kind === "check") { el.checked = value === "on"; el.dispatchEvent(new Event("change")); }
  else if (kind === "click") { el.click(); }
  else { el.value = value; el.dispatchEvent(new Event(kind)); }
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return [performance.now() - t0,
          document.querySelectorAll("#results tbody tr.row").length];
}"""


def seed_document(work: Path) -> bytes:
    """A real audit of a 3-worker lab (needs root), as JSON."""
    from tests.labkit import procfs
    from tests.labkit.lab import Lab, NodeSpec

    subnet = next(k for k in range(200, 250) if not procfs.port_open(f"127.0.{k}.1", 22))
    profiles = ("worker", "worker", "worker-noncompliant")
    specs = [NodeSpec(f"w{i}", f"127.0.{subnet}.{i}", p) for i, p in enumerate(profiles, 1)]
    lab = Lab(work / "lab", tie_to_parent=True)
    try:
        lab.start(specs)
        out = work / "seed.json"
        subprocess.run(
            [
                PY,
                "-m",
                "hardening",
                "audit",
                "-i",
                str(lab.inventory_path),
                "-q",
                "--no-progress",
                "--json",
                str(out),
            ],
            check=False,
            cwd=ROOT,
        )
        return out.read_bytes()
    finally:
        lab.stop()


def time_formats(doc: RunDocument, work: Path, reps: int, names: list[str]) -> dict[str, Path]:
    """Render every format; print median seconds and size; the written files by format."""
    results = sum(len(h.results) for h in doc.hosts)
    print(f"\nreports for {len(doc.hosts)} hosts ({results} results), median of {reps}:")
    out, total = {}, 0.0
    for name in names:
        module = reporter(name)
        dest = work / f"report-{name}{module.SUFFIX}"
        module.render(doc, dest)  # warm-up: imports, template compilation
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            module.render(doc, dest)
            times.append(time.perf_counter() - start)
        took = statistics.median(times)
        total += took
        print(f"  {name:20s} {took:7.3f} s  {dest.stat().st_size / 1e6:8.2f} MB")
        out[name] = dest
    print(f"  {'all formats':20s} {total:7.3f} s")
    return out


def browse(html: Path) -> None:
    """Open the HTML report in headless Chromium; print load and filter timings."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - start
        page.wait_for_selector("#results tbody tr.row", timeout=120_000)
        first_row = time.perf_counter() - start
        nav: Any = page.evaluate(
            "() => { const t = performance.getEntriesByType('navigation')[0];"
            " return [t.domContentLoadedEventEnd, t.loadEventEnd]; }"
        )
        rows = page.locator("#results tbody tr.row").count()
        print(
            f"\nHTML in Chromium ({html.stat().st_size / 1e6:.2f} MB): load event {loaded:.2f} s "
            f"(page clock: DOMContentLoaded {nav[0] / 1000:.2f} s, load {nav[1] / 1000:.2f} s), "
            f"first result row {first_row:.2f} s, {rows} rows shown"
        )
        host = page.evaluate("() => document.querySelector('#f-host').options[5]?.value || ''")
        actions = [
            ("search '4.2.1'", "#f-text", "input", "4.2.1"),
            ("search cleared", "#f-text", "input", ""),
            (f"host {host}", "#f-host", "change", host),
            ("all hosts", "#f-host", "change", ""),
            ("status PASS off", "#filters input[value=PASS]", "check", "off"),
            ("status PASS on", "#filters input[value=PASS]", "check", "on"),
            ("reset", "#f-reset", "click", ""),
        ]
        for label, selector, kind, value in actions:
            ms, shown = page.evaluate(ACTION, [selector, kind, value])
            print(f"  filter: {label:28s} {ms:8.1f} ms  {shown:6d} rows shown")
        print(f"  page errors: {errors or 'none'}")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    """Build the fleet document, time the formats, open the HTML."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", type=Path, help="an audit's JSON document (default: lab audit)")
    p.add_argument("--hosts", type=int, default=1000, help="hosts in the fleet (1000)")
    p.add_argument("--reps", type=int, default=3, help="repetitions per format (3)")
    p.add_argument("--formats", default=",".join(REPORTERS), help="report formats (all)")
    p.add_argument("--save-source", type=Path, help="keep the seed document here")
    p.add_argument("--no-browser", dest="browser", action="store_false")
    args = p.parse_args(argv)
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="hardening-reportbench-") as tmp:
        work = Path(tmp)
        source = args.source.read_bytes() if args.source else seed_document(work)
        start = time.perf_counter()
        doc = fleet_of(source, args.hosts)
        print(f"fleet document of {args.hosts} hosts built in {time.perf_counter() - start:.2f}s")
        if args.save_source:
            args.save_source.write_bytes(source)
        names = [n for n in args.formats.split(",") if n]
        if set(names) - set(REPORTERS) or (args.browser and "html" not in names):
            p.error(f"--formats: choose from {', '.join(REPORTERS)} (html for the browser)")
        files = time_formats(doc, work, args.reps, names)
        if args.browser:
            browse(files["html"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
