"""Generated container images for perf/imagebench.py: a worker root filesystem plus many
small files and a few large ones, written streaming (tarfile to disk, then ``gzip -1`` /
``zstd -1``), so a 500 MB image never sits in memory.

Three layers: a gzip base (the lab worker's files, half the small files), a zstd layer (the
other small files and the large ones), and a small gzip layer that overwrites and whites out
a few files, as an application layer does. ``oci`` writes an OCI image layout directory;
``docker`` a ``docker save`` archive, whose layers are plain tars as docker writes them.
File contents are slices of a pseudo-text pool (compresses about 2:1, like binaries and text
of a real image), deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tests.images.builders import VARIABLES, Member, node_layout, tarinfo
from tests.labkit.profile import load_profile

POOL_SIZE = 4 << 20
SMALL_SHARE = 0.3  # of the image's bytes, in small files (0.5-8 KiB)
LARGE_FILES = 6


@dataclass(frozen=True)
class Layer:
    """One layer as stored: its blob file, how it is compressed, its member in an archive."""

    blob: Path
    compression: str  # "gzip" | "zstd" | ""
    member: str = ""  # the layer's name inside a docker save archive


@dataclass(frozen=True)
class Image:
    """A generated image and what its floor reads."""

    path: Path
    fmt: str
    layers: tuple[Layer, ...]
    files: int
    content_bytes: int
    stored_bytes: int


def _pool(seed: int) -> bytes:
    rng = random.Random(seed)
    words = [
        "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(rng.randint(2, 9))
        )
        for _ in range(4096)
    ]
    out = bytearray()
    while len(out) < POOL_SIZE:
        out += (" ".join(rng.choices(words, k=4096)) + "\n").encode()
        out += rng.randbytes(8192)  # incompressible stretches, as in binaries
    return bytes(out[:POOL_SIZE])


class _Content:
    """Deterministic file contents: slices of the pool at random offsets."""

    def __init__(self, seed: int) -> None:
        self.pool = _pool(seed)
        self.rng = random.Random(seed + 1)

    def data(self, size: int) -> bytes:
        out = bytearray()
        while len(out) < size:
            start = self.rng.randrange(POOL_SIZE - 1)
            out += self.pool[start : start + min(size - len(out), POOL_SIZE - start)]
        return bytes(out)


def _write_tar(dest: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)


def _dir(path: str) -> tuple[tarfile.TarInfo, bytes | None]:
    return tarinfo(Member(path, "dir", mode=0o755))


def _small_files(content: _Content, total: int, prefix: str, rng: random.Random) -> list[Member]:
    out, used, n = [], 0, 0
    while used < total:
        size = rng.randint(512, 8192)
        out.append(Member(f"{prefix}/d{n // 200:04d}/f{n:06d}.txt", "file", content.data(size)))
        used, n = used + size, n + 1
    return out


def _with_dirs(members: list[Member]) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    seen: set[str] = set()
    out = []
    for m in members:
        parts = m.path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/" + "/".join(parts[:i])
            if d not in seen:
                seen.add(d)
                out.append(_dir(d))
        out.append(tarinfo(m))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _compress(raw: Path, compression: str) -> Path:
    if not compression:
        return raw
    tool = ["gzip", "-1", "-n", "-c"] if compression == "gzip" else ["zstd", "-1", "-q", "-c"]
    out = raw.with_suffix(".gz" if compression == "gzip" else ".zst")
    with raw.open("rb") as src, out.open("wb") as dst:
        subprocess.run([*tool], stdin=src, stdout=dst, check=True)
    raw.unlink()
    return out


def _layers(size_mb: int, seed: int, work: Path) -> tuple[list[Path], int, int]:
    """The three layers' plain tars, the regular files and content bytes in them."""
    content = _Content(seed)
    rng = random.Random(seed + 2)
    total = size_mb << 20
    small = _small_files(content, int(total * SMALL_SHARE), "/usr/share/app", rng)
    half = len(small) // 2
    base = list(node_layout(load_profile("worker", VARIABLES)).members.values())
    large_each = int(total * (1 - SMALL_SHARE)) // LARGE_FILES
    large = [
        Member(f"/opt/app/lib/blob{i}.bin", "file", content.data(large_each), 0o755)
        for i in range(LARGE_FILES)
    ]
    top = [
        Member("/etc/motd", "file", b"generated by perf/imagegen.py\n"),
        Member(small[0].path.rsplit("/", 1)[0] + "/.wh." + small[0].path.rsplit("/", 1)[1]),
        Member("/usr/share/app/d0001/.wh..wh..opq"),
    ]
    plain = []
    for i, members in enumerate((base + small[:half], small[half:] + large, top)):
        path = work / f"layer{i}.tar"
        entries = [m for m in members if m.kind != "dir"]
        pairs = [tarinfo(m) for m in members if m.kind == "dir"] + _with_dirs(entries)
        _write_tar(path, pairs)
        plain.append(path)
    files = sum(1 for m in base + small + large if m.kind == "file")
    return plain, files, sum(len(m.data) for m in base + small + large)


def make_image(size_mb: int, fmt: str, dest: Path, seed: int = 1) -> Image:
    """Write an image of about ``size_mb`` MB of content at ``dest`` (a dir for ``oci``, a
    ``.tar`` for ``docker``)."""
    work = dest.parent / f"{dest.name}.work"
    work.mkdir(parents=True)
    plain, files, content_bytes = _layers(size_mb, seed, work)
    diff_ids = [f"sha256:{_sha256(p)}" for p in plain]
    compressions = ("gzip", "zstd", "gzip") if fmt == "oci" else ("", "", "")
    blobs = [_compress(p, c) for p, c in zip(plain, compressions, strict=True)]
    config: dict[str, object] = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"User": "1000", "Cmd": ["/opt/app/run"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"layer {i}"} for i in range(len(blobs))],
    }
    if fmt == "oci":
        image = _oci(dest, blobs, compressions, config)
    else:
        image = _docker(dest, blobs, config, work)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    stored = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file()) if dest.is_dir() else 0
    return Image(dest, fmt, image, files, content_bytes, stored or dest.stat().st_size)


def _oci(
    dest: Path, blobs: list[Path], compressions: tuple[str, ...], config: dict[str, object]
) -> tuple[Layer, ...]:
    store = dest / "blobs" / "sha256"
    store.mkdir(parents=True)
    layers, descs = [], []
    for blob, comp in zip(blobs, compressions, strict=True):
        digest, size = _sha256(blob), blob.stat().st_size
        target = store / digest
        blob.rename(target)
        media = {"gzip": "tar+gzip", "zstd": "tar+zstd"}[comp]
        descs.append(
            {
                "mediaType": f"application/vnd.oci.image.layer.v1.{media}",
                "digest": f"sha256:{digest}",
                "size": size,
            }
        )
        layers.append(Layer(target, comp))

    def put(doc: object) -> dict[str, object]:
        data = json.dumps(doc).encode()
        digest = hashlib.sha256(data).hexdigest()
        (store / digest).write_bytes(data)
        return {"digest": f"sha256:{digest}", "size": len(data)}

    cfg = {"mediaType": "application/vnd.oci.image.config.v1+json", **put(config)}
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": cfg,
        "layers": descs,
    }
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **put(manifest),
                "platform": {"architecture": "amd64", "os": "linux"},
            }
        ],
    }
    (dest / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (dest / "index.json").write_text(json.dumps(index))
    return tuple(layers)


def _docker(
    dest: Path, blobs: list[Path], config: dict[str, object], work: Path
) -> tuple[Layer, ...]:
    cfg = json.dumps(config).encode()
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    names = [f"{_sha256(b)}/layer.tar" for b in blobs]
    manifest = [{"Config": cfg_name, "RepoTags": ["bench:latest"], "Layers": names}]
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tf:
        for blob, name in zip(blobs, names, strict=True):
            tf.addfile(tarinfo(Member(name.split("/")[0], "dir", mode=0o755))[0])
            tf.add(str(blob), arcname=name)
        for name, data in ((cfg_name, cfg), ("manifest.json", json.dumps(manifest).encode())):
            tf.addfile(tarinfo(Member(name, "file", data))[0], io.BytesIO(data))
    return tuple(Layer(dest, "", name) for name in names)
