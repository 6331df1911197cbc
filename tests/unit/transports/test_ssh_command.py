"""The remote command line the SSH transport runs (no connection is made here)."""

from __future__ import annotations

from hardening.model.host import Host
from hardening.transports.settings import SshSettings
from hardening.transports.ssh import SshTransport


def test_plain_probe_runs_sh_on_stdin() -> None:
    assert SshTransport(Host("n", "10.0.0.1")).command() == "/bin/sh -s"


def test_become_uses_non_interactive_sudo_with_a_quoted_user() -> None:
    host = Host("n", "10.0.0.1", become=True, become_user="kube; rm -rf /")
    assert SshTransport(host).command() == "sudo -n -u 'kube; rm -rf /' -- /bin/sh -s"


def test_command_line_known_hosts_wins_over_the_inventory() -> None:
    host = Host("n", "10.0.0.1", known_hosts="/inv/known_hosts")
    assert str(SshTransport(host).known.path) == "/inv/known_hosts"
    assert str(SshTransport(host, SshSettings(known_hosts="/cli/kh")).known.path) == "/cli/kh"
