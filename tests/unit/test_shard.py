"""Deterministic shards: stable, disjoint and covering; bad specs are usage errors."""

from __future__ import annotations

import pytest

from hardening.errors import UsageError
from hardening.model.host import Host
from hardening.shard import Shard, parse_shard, select, shard_of

HOSTS = tuple(Host(name=f"node{i:03d}.example") for i in range(200))


def test_shards_are_disjoint_and_cover_the_inventory() -> None:
    parts = [select(HOSTS, Shard(k, 7)) for k in range(1, 8)]
    names = [h.name for part in parts for h in part]
    assert sorted(names) == sorted(h.name for h in HOSTS)
    assert len(names) == len(set(names))
    assert all(parts), "200 hosts over 7 shards leave no shard empty"


def test_slice_depends_on_the_name_only_not_on_order_or_neighbours() -> None:
    forward = select(HOSTS, Shard(3, 5))
    backward = select(tuple(reversed(HOSTS)), Shard(3, 5))
    assert {h.name for h in forward} == {h.name for h in backward}
    alone = select((Host(name="node042.example"),), Shard(shard_of("node042.example", 5), 5))
    assert [h.name for h in alone] == ["node042.example"]


def test_known_value_is_stable_across_versions() -> None:
    # the documented rule, spelled out: a change of hashing would move hosts between shards
    import hashlib

    expected = int(hashlib.sha256(b"worker1").hexdigest(), 16) % 4 + 1
    assert shard_of("worker1", 4) == expected
    assert shard_of("worker1", 1) == 1


@pytest.mark.parametrize("text", ["", "1", "0/4", "5/4", "a/b", "1/0", "-1/4", "1/4/2"])
def test_bad_shard_specs_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        parse_shard(text)


def test_good_shard_spec() -> None:
    assert parse_shard("2/8") == Shard(2, 8)
    assert str(parse_shard("8/8")) == "8/8"
