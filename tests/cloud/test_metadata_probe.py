"""The metadata Command, run by the real local probe against a loopback metadata service."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pytest

from hardening.cloud import metadata
from hardening.model.facts import CommandOutput
from hardening.model.host import Host
from hardening.probe import parse, script
from hardening.transports.registry import transport_for
from tests.cloud.imds import SECRET, TOKEN, Imds, serve

pytestmark = [pytest.mark.cloud]


def probe(endpoint: str, provider: str) -> CommandOutput:
    assert ipaddress.ip_address(urlsplit(endpoint).hostname or "").is_loopback
    req = metadata.request(endpoint, provider)
    built = script.build([req])
    with transport_for(Host("local", transport="local")) as t:
        out = t.run(built.data, timeout=60, max_output=1 << 20)
    values, _ = parse.parse(out.stdout, built, "local")
    got = values[req]
    assert isinstance(got, CommandOutput)
    return got


@pytest.mark.parametrize("provider", ["aws", "alibaba"])
def test_token_first_then_identifiers_only(provider: str) -> None:
    state = Imds("i-0lab0001", "worker-role", "us-east-1", ("sg-0aa", "sg-0bb"))
    with serve(state) as imds:
        out = probe(imds.url, provider)
    assert out.rc == 0, out.text
    got = metadata.parse(out.text)
    assert got["instance_id"] == "i-0lab0001" and got["role_name"] == "worker-role"
    assert got["security_group_ids"] == ["sg-0aa", "sg-0bb"]
    assert state.requests[0] == "PUT /latest/api/token"
    assert not any(r.endswith("/worker-role") for r in state.requests)
    assert SECRET not in out.text and TOKEN not in out.text


def test_no_service_gives_empty_identifiers() -> None:
    state = Imds("i-x", "r", "us-east-1", ())
    with serve(state) as imds:
        url = imds.url
    out = probe(url, "aws")  # server stopped: connection refused on loopback
    got = metadata.parse(out.text)
    assert "instance_id" not in got and "role_name" not in got
