"""The verification corpus (tests/corpus/): real configuration layouts, audited for real.

Each layout is laid out as a root filesystem under tmp and audited through ``python -m
hardening audit --image DIR``; every control's verdict must be the one its expected.yaml
gives (worked out by hand, with the upstream reason). Every effective setting the
catalogue reads is resolved twice, through the image source and through the real /bin/sh
probe with each component running as a stand-in process, and must be the expected value
from the expected layer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import layout as corpus


@pytest.mark.parametrize("name", corpus.LAYOUTS)
def test_every_verdict_is_the_expected_one(name: str, tmp_path: Path) -> None:
    lay = corpus.load(name)
    root = corpus.lay_out(lay, tmp_path)
    rc, doc = corpus.audit(lay, root, tmp_path)
    (host,) = doc["hosts"]
    assert host["error"] is None
    got = {r["id"]: r["status"] for r in host["results"]}
    want = {cid: v["status"] for cid, v in lay.expected["verdicts"].items()}
    assert got == want
    assert rc == (1 if "FAIL" in want.values() else 0)


@pytest.mark.parametrize("name", corpus.LAYOUTS)
def test_every_setting_resolves_as_worked_out_by_hand(name: str, tmp_path: Path) -> None:
    lay = corpus.load(name)
    entries = lay.expected.get("settings") or []
    if not entries:
        pytest.fail(f"{name}: expected.yaml lists no settings")
    root = corpus.lay_out(lay, tmp_path)
    image = corpus.image_facts(root, entries)
    live = corpus.probe_facts(root, entries, tmp_path, lay.spec.get("processes") or {})
    wrong = []
    for e in entries:
        want = (e["value"], e["origin"])
        from_image = corpus.resolved(e, image)
        from_probe = corpus.resolved(e, live)
        if e.get("image") == "absent":
            if from_image[1] != "absent":
                wrong.append(("image", e, from_image))
        elif from_image[:2] != want:
            wrong.append(("image", e, from_image))
        if from_probe[:2] != want:
            wrong.append(("probe", e, from_probe))
    assert wrong == []
