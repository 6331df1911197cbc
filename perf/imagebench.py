"""The image gate against its floor: ``hardening audit --image`` vs reading every layer once.

    python3 perf/imagebench.py                                  # 50,200,500 MB; oci,docker; ~10 min
    python3 perf/imagebench.py --sizes 50 --formats oci --reps 1
    python3 perf/imagebench.py --sizes 500 --formats oci --profile /tmp/imgprof

For each size and format it generates an image (perf/imagegen.py: a worker root filesystem,
many small files and a few large ones; OCI layout with gzip and zstd layers, or a
``docker save`` archive with plain layers; generation not counted), then measures in the
same repetition, each in a fresh process (perf/measure.py: wall, CPU, peak RSS):

- floor: every layer decompressed and read once by the standard tools, ``gzip -dc L | tar -t``
  / ``zstd -dc L | tar -t`` (``tar -xOf IMAGE L | tar -t`` for a docker save layer), output to
  /dev/null, the layers one after another (the audit reads them one after another too);
- ``hardening audit --image PATH`` (default catalogue for a container image), JSON report.

Medians over ``--reps``; printed: figures, audit / floor, RSS against image size. ``--profile
DIR`` records the audit of the largest image with py-spy (``hardening[perf]``) and prints
the hottest functions. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perf.bench import PY, measure  # noqa: E402
from perf.imagegen import Image, Layer, make_image  # noqa: E402
from perf.profile_summary import summarize  # noqa: E402


def floor_command(layer: Layer) -> str:
    """The shell pipeline that reads one layer once, decompressed, as tar."""
    q = shlex.quote
    if layer.member:
        source = f"tar -xOf {q(str(layer.blob))} {q(layer.member)}"
    elif layer.compression == "gzip":
        source = f"gzip -dc {q(str(layer.blob))}"
    elif layer.compression == "zstd":
        source = f"zstd -dcq {q(str(layer.blob))}"
    else:
        source = f"cat {q(str(layer.blob))}"
    return f"{source} | tar -tf - > /dev/null"


def specs(image: Image, out: Path) -> dict[str, dict[str, Any]]:
    """The floor and the audit of one image, as measure.py specs."""
    script = " && ".join(floor_command(layer) for layer in image.layers)
    audit = [PY, "-m", "hardening", "audit", "--image", str(image.path), "-q", "--no-progress"]
    return {
        "floor (read each layer once)": {
            "forks": 1,
            "jobs": [{"argv": ["sh", "-c", f"set -e; {script}"]}],
        },
        "hardening audit --image": {
            "forks": 1,
            "ok_codes": [0, 1],
            "jobs": [{"argv": [*audit, "--json", str(out)], "timeout": 1800}],
        },
    }


def profile(image: Image, dest: Path) -> None:
    """py-spy over one audit of ``image``; print the hottest functions."""
    spy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    if not Path(spy).exists():
        print("profile: py-spy not installed (pip install 'hardening[perf]'); skipped")
        return
    dest.mkdir(parents=True, exist_ok=True)
    raw = dest / "image-audit.collapsed"
    argv = [spy, "record", "--gil", "-r", "200", "-f", "raw", "-o", str(raw), "--"]
    argv += [PY, "-m", "hardening", "audit", "--image", str(image.path), "-q", "--no-progress"]
    subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
    print(f"\nprofile of the {image.fmt} image {image.path.name} (py-spy --gil): {raw}")
    if raw.exists():
        summarize(raw.read_text(encoding="utf-8"), top=25)


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="50,200,500", help="image content sizes in MB")
    p.add_argument("--formats", default="oci,docker", help="oci, docker or both")
    p.add_argument("--reps", type=int, default=3, help="repetitions (3)")
    p.add_argument("--profile", type=Path, help="py-spy the largest image's audit into DIR")
    p.add_argument("--workdir", type=Path, help="where images are written (a temp dir)")
    p.add_argument("--json", type=Path, help="also write every figure to this file")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    if set(formats) - {"oci", "docker"}:
        p.error("--formats: choose from oci, docker")
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}, Python "
        f"{platform.python_version()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"at start; reps={args.reps}"
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hardening-imagebench-", dir=args.workdir) as tmp:
        work = Path(tmp)
        images = []
        for fmt in formats:
            for size in sizes:
                dest = work / (f"img{size}-oci" if fmt == "oci" else f"img{size}-docker.tar")
                start = time.perf_counter()
                image = make_image(size, fmt, dest)
                print(
                    f"  {fmt:6s} {size:4d} MB: {image.files} files, "
                    f"{image.content_bytes / 1e6:.0f} MB content, "
                    f"{image.stored_bytes / 1e6:.0f} MB stored, {len(image.layers)} layers "
                    f"({', '.join(la.compression or 'tar' for la in image.layers)}); "
                    f"generated in {time.perf_counter() - start:.1f}s (not counted)",
                    flush=True,
                )
                images.append((f"{fmt} {size} MB", image))
        print(
            f"\n{'image':16s} {'workload':30s} {'wall s':>8s} {'CPU s':>8s} {'RSS MB':>8s}",
            flush=True,
        )
        for label, image in images:
            todo = specs(image, work / "audit.json")
            runs: dict[str, list[dict[str, float]]] = {k: [] for k in todo}
            for _ in range(args.reps):
                for name, spec in todo.items():  # interleaved in each repetition
                    runs[name].append(measure(spec, work))
            med = {
                name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                for name, rs in runs.items()
            }
            for name, f in med.items():
                print(
                    f"{label:16s} {name:30s} {f['wall']:8.2f} {f['cpu']:8.2f} "
                    f"{f['rss_mb']:8.1f}  failed={int(f['failed'])}"
                )
            ratio = (
                med["hardening audit --image"]["wall"] / med["floor (read each layer once)"]["wall"]
            )
            print(f"{label:16s} {'audit / floor':30s} {ratio:7.2f}x", flush=True)
            results[label] = {**med, "ratio": ratio, "files": image.files}
        if args.profile and images:
            profile(max((im for _, im in images), key=lambda im: im.content_bytes), args.profile)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
