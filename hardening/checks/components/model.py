"""How a Kubernetes component computes a setting: its defaults and its layers, as data.

Each component module lists every setting a control reads, with the value the component
uses when nothing sets it, in each of its two modes (command line only, or a config file
given), and the upstream file and function that value comes from. ``effective.resolve``
applies the layers; this module only describes them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One setting: its flag, its config-API field and the default of each mode.

    ``flag_default`` is what the component runs with when neither the command line nor a
    config file sets it; ``config_default`` is what the config API's defaulting gives a field
    the config file leaves out (None: no default, the setting is unset). ``zero`` says how
    the API treats Go's zero value: ``"string"`` (an empty string is defaulted), ``"duration"``
    (a zero duration such as ``0s`` is defaulted) or ``""`` (an explicit zero is kept).
    ``flag_ignored``: when a config file is given the component ignores this flag.
    """

    flag: str
    key: str
    flag_default: str | None
    config_default: str | None
    versions: str
    source: str
    flag_source: str = ""
    zero: str = ""
    flag_ignored: bool = False


@dataclass(frozen=True)
class Model:
    """A component's layering.

    ``config_flag`` names its config file (``--config``); ``api`` is that file's API version
    as the evidence names it. ``dropin_flag`` names a drop-in directory merged over the file
    (kubelet ``--config-dir``). ``env_prefix``: flags not given on the command line are read
    from ``<PREFIX>_<FLAG>`` environment variables (etcd). ``config_replaces_all``: a config
    file, when given, replaces every flag and environment variable (etcd).
    """

    component: str
    entries: tuple[Entry, ...]
    config_flag: str = ""
    api: str = ""
    dropin_flag: str = ""
    env_prefix: str = ""
    config_replaces_all: bool = False
    config_env: str = ""
    source: str = ""

    def entry(self, flag: str | None, key: str | None, flag_key: str | None = None) -> Entry | None:
        """The entry for a flag (for a map flag, the entry of that key), or with no flag the
        entry of a config key; None when the table has none."""
        gate = f"featureGates.{flag_key}" if flag_key else ""
        for e in self.entries:
            if flag and e.flag == flag and (not gate or e.key == gate):
                return e
            if not flag and key and e.key == key:
                return e
        return None

    def env_name(self, flag: str) -> str:
        """The environment variable a flag is read from (``--client-cert-auth`` ->
        ``ETCD_CLIENT_CERT_AUTH``), or "" when the component reads none."""
        if not self.env_prefix:
            return ""
        return f"{self.env_prefix}_{flag.lstrip('-').upper().replace('-', '_')}"
