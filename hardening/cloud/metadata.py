"""The node's instance metadata, asked through the probe: a script for a Command request,
and the parser of its output. Only identifiers are kept (instance id, region, role name,
security group ids); credential bodies are never requested, and values that do not look
like identifiers are dropped.
"""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

from hardening.errors import UsageError
from hardening.facts.command import Command

PROVIDERS = ("aws", "alibaba")
_TOKEN = {
    "aws": ("X-aws-ec2-metadata-token-ttl-seconds", "X-aws-ec2-metadata-token"),
    "alibaba": ("X-aliyun-ecs-metadata-token-ttl-seconds", "X-aliyun-ecs-metadata-token"),
}
_PATHS = {
    "aws": (
        ("instance_id", "instance-id"),
        ("region", "placement/region"),
        ("role_name", "iam/security-credentials/"),
        ("mac", "mac"),
    ),
    "alibaba": (
        ("instance_id", "instance-id"),
        ("region", "region-id"),
        ("role_name", "ram/security-credentials/"),
        ("mac", "mac"),
    ),
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._*-]{0,127}$")
_ROLE = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,128}$")
_SG = re.compile(r"^sg-[A-Za-z0-9*-]{1,64}$")

PRELUDE = r"""T=
if command -v curl >/dev/null 2>&1; then
  get() { curl -fsS -m 3 ${T:+-H "$TH: $T"} "$E/latest/meta-data/$1" 2>/dev/null; }
  T=$(curl -fsS -m 3 -X PUT -H "$TL: 60" "$E/latest/api/token" 2>/dev/null) || T=
elif command -v wget >/dev/null 2>&1; then
  get() { wget -q -T 3 -O - ${T:+--header="$TH: $T"} "$E/latest/meta-data/$1" 2>/dev/null; }
  T=$(wget -q -T 3 -O - --method=PUT --header="$TL: 60" "$E/latest/api/token" 2>/dev/null) || T=
else
  exit 127
fi
kv() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ',' | cut -c1-512)"; }
"""


def check_endpoint(url: str) -> str:
    """The endpoint without a trailing slash; UsageError when it is not an http URL."""
    parts = urlsplit(url)
    if (
        parts.scheme != "http"
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.username
    ):
        raise UsageError(
            f"--metadata-endpoint '{url}': expected http://HOST[:PORT]",
            "e.g. http://169.254.169.254 (AWS) or http://100.100.100.200 (Alibaba)",
        )
    return url.rstrip("/")


def script(endpoint: str, provider: str) -> str:
    """The sh script that asks the metadata service (IMDSv2-style token first)."""
    if provider not in PROVIDERS:
        raise UsageError(
            f"metadata provider '{provider}': unknown", f"use one of: {', '.join(PROVIDERS)}"
        )
    length, header = _TOKEN[provider]
    lines = [
        f"E={shlex.quote(check_endpoint(endpoint))}",
        f"TL={shlex.quote(length)}",
        f"TH={shlex.quote(header)}",
        PRELUDE.rstrip("\n"),
        f"kv provider {shlex.quote(provider)}",
    ]
    for key, path in _PATHS[provider]:
        lines.append(f'{key}=$(get {shlex.quote(path)}); kv {key} "${key}"')
    lines.append(
        '[ -z "$mac" ] || kv security_group_ids '
        '"$(get "network/interfaces/macs/$mac/security-group-ids")"'
    )
    return "\n".join(lines) + "\n"


def request(endpoint: str, provider: str) -> Command:
    """The Command request that the plan adds to every host's probe."""
    return Command(script(endpoint, provider), timeout=20, limit=8192)


def parse(text: str) -> dict[str, object]:
    """``key=value`` lines -> the identifiers we keep (nothing else survives)."""
    raw: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            raw[key.strip()] = value.strip().strip(",")
    out: dict[str, object] = {}
    if raw.get("provider") in PROVIDERS:
        out["provider"] = raw["provider"]
    for key in ("instance_id", "region"):
        if _ID.match(raw.get(key, "")):
            out[key] = raw[key]
    role = raw.get("role_name", "").split(",")[0].rstrip("/")
    if _ROLE.match(role):
        out["role_name"] = role
    groups = [g.strip() for g in raw.get("security_group_ids", "").replace(" ", ",").split(",")]
    if any(_SG.match(g) for g in groups):
        out["security_group_ids"] = [g for g in groups if _SG.match(g)]
    return out
