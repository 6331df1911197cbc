"""etcd: flags, ``ETCD_*`` environment variables, or a config file that replaces both.

``etcdmain`` reads ``--config-file`` (else ``ETCD_CONFIG_FILE``); when one is given the file
is the whole configuration: "other configuration command line flags and environment
variables will be ignored" (server/etcdmain/config.go: config.parse, configFromFile).
Without one, each flag not given on the command line is read from ``ETCD_<FLAG>``
(``flags.SetFlagsFromEnv``, pkg/flags/flag.go), then takes its default
(server/embed/config.go: NewConfig). The file's keys are ``client-transport-security.*``
and ``peer-transport-security.*`` (server/embed/config.go: configYAML, securityConfig).
"""

from __future__ import annotations

from hardening.checks.components.model import Entry, Model

_NEW = "server/embed/config.go: NewConfig"
_FLAGS = "server/etcdmain/config.go: newConfig"
_V = "3.4+"


def _tls(flag: str, key: str, default: str | None) -> Entry:
    return Entry(flag, key, default, default, _V, _NEW, _FLAGS)


ETCD = Model(
    component="etcd",
    config_flag="--config-file",
    api="etcd config file",
    env_prefix="ETCD",
    config_replaces_all=True,
    config_env="ETCD_CONFIG_FILE",
    source="server/etcdmain/config.go: config.parse",
    entries=(
        _tls("--cert-file", "client-transport-security.cert-file", None),
        _tls("--key-file", "client-transport-security.key-file", None),
        _tls("--client-cert-auth", "client-transport-security.client-cert-auth", "false"),
        _tls("--trusted-ca-file", "client-transport-security.trusted-ca-file", None),
        _tls("--auto-tls", "client-transport-security.auto-tls", "false"),
        _tls("--peer-cert-file", "peer-transport-security.cert-file", None),
        _tls("--peer-key-file", "peer-transport-security.key-file", None),
        _tls("--peer-client-cert-auth", "peer-transport-security.client-cert-auth", "false"),
        _tls("--peer-trusted-ca-file", "peer-transport-security.trusted-ca-file", None),
        _tls("--peer-auto-tls", "peer-transport-security.auto-tls", "false"),
    ),
)
