"""A request's two answers agree: the real probe (/bin/sh) over a directory, and the request
module's ``from_root`` over the same directory opened as a root filesystem.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hardening.facts.find import Find
from hardening.facts.read import Read
from hardening.facts.stat import Stat
from hardening.model.facts import Absent, FactRequest, FileContent, FileStat
from hardening.probe import parse, script
from hardening.sources.image import answer, open_image

FILES = {
    "etc/kubernetes/admin.conf": 0o600,
    "etc/kubernetes/pki/ca.key": 0o644,
    "etc/kubernetes/pki/sa.key": 0o600,
    "usr/bin/sudo": 0o4755,
    "usr/bin/wall": 0o2755,
    "opt/drop/ww": 0o666,
    "opt/drop/plain": 0o644,
}
HOSTILE = ["opt/drop/x\n81ed 0 0 root root \n", "opt/drop/m\n@@" + "0" * 32 + " E find 0"]


def lay_out(root: Path) -> None:
    for rel, mode in {**FILES, **dict.fromkeys(HOSTILE, 0o4711)}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"content of {rel}\n")
        os.chmod(path, mode)


def probe_facts(reqs: list[FactRequest]) -> dict[FactRequest, object]:
    probe = script.build(reqs)
    out = subprocess.run(
        ["/bin/sh", "-s"], input=probe.data, capture_output=True, check=True, timeout=60
    )
    return dict(parse.parse(out.stdout, probe, "me", rc=out.returncode)[0])


def shape(fact: object, prefix: str) -> object:
    """What both answers must agree on: paths inside the root, modes, ids, contents."""
    if isinstance(fact, Absent):
        return ("absent", fact.is_error)
    assert isinstance(fact, tuple)
    out = []
    for item in fact:
        if isinstance(item, FileStat):
            out.append((item.path.removeprefix(prefix), item.mode, item.uid, item.gid))
        else:
            assert isinstance(item, FileContent)
            out.append((item.path.removeprefix(prefix), item.data, item.truncated))
    return sorted(out)


def test_stat_read_and_find_answer_alike_from_the_probe_and_from_the_root(tmp_path: Path) -> None:
    lay_out(tmp_path)
    image_paths = [
        "/etc/kubernetes/admin.conf",
        "/etc/kubernetes/pki/*.key",
        "/etc/missing",
        "/usr/bin/*",
        "/opt/drop/*",
    ]
    pairs: list[tuple[FactRequest, FactRequest]] = []
    for p in image_paths:
        pairs += [(Stat(f"{tmp_path}{p}"), Stat(p)), (Read(f"{tmp_path}{p}", 64), Read(p, 64))]
    pairs.append((Find((str(tmp_path),)), Find(("/",))))
    live = probe_facts([a for a, _ in pairs])
    rooted = answer(open_image(tmp_path), [b for _, b in pairs])
    for live_req, root_req in pairs:
        assert shape(live[live_req], str(tmp_path)) == shape(rooted[root_req], ""), root_req
    found = {s[0] for s in shape(rooted[Find(("/",))], "")}  # type: ignore[union-attr]
    assert {"/usr/bin/sudo", "/usr/bin/wall", "/opt/drop/ww", *(f"/{h}" for h in HOSTILE)} == found
