"""Each transport gets typed settings of its own, one field per registry entry."""

from __future__ import annotations

import dataclasses

import pytest

from hardening.model.host import Host
from hardening.transports.local import LocalTransport
from hardening.transports.registry import TRANSPORTS, transport_for
from hardening.transports.settings import LocalSettings, SshSettings, TransportSettings


def test_settings_name_every_transport_and_nothing_else() -> None:
    assert {f.name for f in dataclasses.fields(TransportSettings)} == set(TRANSPORTS)


def test_local_transport_gets_local_settings_not_ssh_ones() -> None:
    settings = TransportSettings(ssh=SshSettings(known_hosts="/kh", connect_timeout=1.0))
    transport = transport_for(Host("me", transport="local"), settings)
    assert isinstance(transport, LocalTransport)
    assert transport.settings == LocalSettings()


def test_ssh_options_are_not_swallowed_by_the_local_transport() -> None:
    with pytest.raises(TypeError):
        LocalTransport(Host("me", transport="local"), known_hosts="/kh")  # type: ignore[call-arg]


def test_ssh_settings_are_recorded_whole() -> None:
    assert SshSettings(accept_new=True).record() == {
        "known_hosts": None,
        "accept_new": True,
        "connect_timeout": 10.0,
        "use_agent": True,
    }
