"""Security group rules -> Internet exposure of a node, for Alibaba Cloud and AWS. Pure.

Alibaba (``DescribeSecurityGroupAttribute``): the rules of every group on the node are pooled
and ordered by Priority (1-100, lower first); at the same priority Drop wins. ``ALL`` with
``-1/-1`` is every port; ``-1/-1`` on ICMP or GRE is no port range at all.
AWS (``describe-security-groups``, or the rows of ``describe-security-group-rules``):
allow-only, so the union of the rules decides; ``IpProtocol "-1"`` is every protocol and
carries no ports (``-1``/``-1`` in a rule row).
The Internet is a source of ``0.0.0.0/0`` (IPv4) or ``::/0`` (IPv6). A rule whose source is a
prefix list, or whose ports are a port list, is not expanded: it makes the answer unevaluable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

ALL = "all"
PORTLESS = frozenset({"icmp", "icmpv6", "gre"})
INTERNET = {"0.0.0.0/0": "IPv4", "::/0": "IPv6"}
_AWS_PROTO = {"-1": ALL, "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "47": "gre"}
_ALI_PROTO = {
    "all": ALL,
    "tcp": "tcp",
    "udp": "udp",
    "icmp": "icmp",
    "icmpv6": "icmpv6",
    "gre": "gre",
}


@dataclass(frozen=True)
class Rule:
    """One normalised ingress rule with one source.

    ``lo``/``hi`` are the port range (1-65535 for every port); a portless protocol has 0/0.
    ``unevaluable`` says why the rule cannot be expanded here ("" when it can).
    """

    provider: str
    group_id: str
    rule_id: str
    protocol: str
    lo: int
    hi: int
    source: str
    accept: bool = True
    priority: int = 1
    unevaluable: str = ""

    @property
    def label(self) -> str:
        """``group/rule priority N Accept|Drop proto ports from source`` for evidence."""
        ports = (
            ""
            if self.protocol in PORTLESS
            else (" all ports" if (self.lo, self.hi) == (1, 65535) else f" {self.lo}-{self.hi}")
        )
        prio = f" priority {self.priority}" if self.provider == "alibaba" else ""
        policy = "Accept" if self.accept else "Drop"
        proto = "all protocols" if self.protocol == ALL else self.protocol
        return (
            f"{self.group_id}/{self.rule_id}{prio} {policy} {proto}{ports} "
            f"from {self.source or '?'}"
        )


@dataclass(frozen=True)
class Exposure:
    """What the pooled rules say about one protocol and port range from the Internet.

    ``exposed`` pairs a human range ("IPv4 tcp 22") with the rule that decides it;
    ``unevaluable`` lists rules that might expose it but cannot be expanded here.
    """

    exposed: tuple[tuple[str, Rule], ...]
    unevaluable: tuple[Rule, ...]
    full: bool  # every port of the range is exposed (in at least one address family)
    blocked: tuple[tuple[str, Rule], ...] = ()  # ranges an Internet rule matched, Drop won


def _ports_alibaba(proto: str, text: str) -> tuple[int, int]:
    if proto in PORTLESS:
        return 0, 0
    lo_s, _, hi_s = str(text or "-1/-1").partition("/")
    lo, hi = int(lo_s), int(hi_s or lo_s)
    if lo == -1 and hi == -1:
        return 1, 65535
    if not (1 <= lo <= hi <= 65535):
        raise ValueError(f"port range '{text}' is out of 1-65535")
    return lo, hi


def _priority(value: Any, where: str) -> int:
    try:
        prio = int(str(value).strip()) if value not in (None, "") else 1
    except ValueError:
        raise ValueError(f"{where}: Priority '{value}' is not a number") from None
    if not 1 <= prio <= 100:
        raise ValueError(f"{where}: Priority {prio} is outside 1-100")
    return prio


def alibaba_rules(group: Mapping[str, Any]) -> list[Rule]:
    """The ingress rules of one ``DescribeSecurityGroupAttribute`` response."""
    gid = str(group.get("SecurityGroupId", "?"))
    perms = (group.get("Permissions") or {}).get("Permission") or []
    out: list[Rule] = []
    for i, p in enumerate(perms):
        if str(p.get("Direction") or "ingress").lower() != "ingress":
            continue
        rid = str(p.get("SecurityGroupRuleId") or f"Permission[{i}]")
        proto_raw = str(p.get("IpProtocol") or "").strip().lower()
        proto = _ALI_PROTO.get(proto_raw)
        if proto is None:
            raise ValueError(f"{gid}/{rid}: unknown IpProtocol '{p.get('IpProtocol')}'")
        prio = _priority(p.get("Priority"), f"{gid}/{rid}")
        accept = str(p.get("Policy") or "accept").strip().lower() != "drop"
        port_list = str(p.get("PortRangeListId") or p.get("PortRangeListName") or "")
        if port_list and not str(p.get("PortRange") or "").strip():
            lo, hi = (0, 0) if proto in PORTLESS else (1, 65535)
        else:
            lo, hi = _ports_alibaba(proto, str(p.get("PortRange") or "-1/-1"))
        why = f"port list {port_list} is not expanded" if port_list else ""
        base = Rule("alibaba", gid, rid, proto, lo, hi, "", accept, prio, why)
        for key in ("SourceCidrIp", "Ipv6SourceCidrIp"):
            if str(p.get(key) or "").strip():
                out.append(replace(base, source=str(p[key]).strip()))
        prefix = str(p.get("SourcePrefixListId") or "").strip()
        if prefix:
            out.append(
                replace(
                    base,
                    source=f"prefix list {prefix}",
                    unevaluable=f"prefix list {prefix} is not expanded",
                )
            )
    return out


def _aws_base(gid: str, rid: str, p: Mapping[str, Any]) -> Rule:
    raw = str(p.get("IpProtocol", "-1")).strip().lower()
    proto = _AWS_PROTO.get(raw, raw)
    if proto in (ALL, *PORTLESS) or proto not in ("tcp", "udp"):
        lo, hi = (1, 65535) if proto == ALL else (0, 0)
    else:
        lo, hi = int(p.get("FromPort", 0)), int(p.get("ToPort", 65535))
        lo, hi = (1, 65535) if (lo, hi) == (-1, -1) else (max(lo, 1), min(hi, 65535))
    return Rule("aws", gid, rid, proto, lo, hi, "")


def _prefix_list(base: Rule, pl: str) -> Rule:
    return replace(
        base, source=f"prefix list {pl}", unevaluable=f"prefix list {pl} is not expanded"
    )


def aws_rules(group: Mapping[str, Any]) -> list[Rule]:
    """The ingress rules of one ``describe-security-groups`` group, or of the rows that
    ``describe-security-group-rules`` gives for one group (``SecurityGroupRules``)."""
    gid = str(group.get("GroupId", "?"))
    out: list[Rule] = []
    for row in group.get("SecurityGroupRules") or []:
        if row.get("IsEgress"):
            continue
        base = _aws_base(gid, str(row.get("SecurityGroupRuleId") or "?"), row)
        for key in ("CidrIpv4", "CidrIpv6"):
            if str(row.get(key) or "").strip():
                out.append(replace(base, source=str(row[key]).strip()))
        if row.get("PrefixListId"):
            out.append(_prefix_list(base, str(row["PrefixListId"])))
    for i, p in enumerate(group.get("IpPermissions") or []):
        base = _aws_base(gid, f"IpPermissions[{i}]", p)
        for r in p.get("IpRanges") or []:
            out.append(replace(base, source=str(r.get("CidrIp", ""))))
        for r in p.get("Ipv6Ranges") or []:
            out.append(replace(base, source=str(r.get("CidrIpv6", ""))))
        for r in p.get("PrefixListIds") or []:
            out.append(_prefix_list(base, str(r.get("PrefixListId", "?"))))
    return out


def aws_rule_groups(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``describe-security-group-rules`` rows, one document per group for ``aws_rules``."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        gid = str(row.get("GroupId") or "?")
        groups.setdefault(gid, {"GroupId": gid, "SecurityGroupRules": []})
        groups[gid]["SecurityGroupRules"].append(row)
    return groups


def group_rules(doc: Mapping[str, Any]) -> list[Rule]:
    """Rules of a group document of either shape (a ``SecurityGroups`` list is expanded)."""
    if isinstance(doc.get("SecurityGroups"), list):
        return [r for g in doc["SecurityGroups"] for r in aws_rules(g)]
    if isinstance(doc.get("SecurityGroupRules"), list) and "GroupId" not in doc:
        return [
            r for g in aws_rule_groups(doc["SecurityGroupRules"]).values() for r in aws_rules(g)
        ]
    if "IpPermissions" in doc or "GroupId" in doc:
        return aws_rules(doc)
    if "Permissions" in doc or "SecurityGroupId" in doc:
        return alibaba_rules(doc)
    raise ValueError(
        "security group document is neither a DescribeSecurityGroupAttribute "
        "response nor a describe-security-groups group"
    )


def group_ids(doc: Mapping[str, Any]) -> list[str]:
    """The group ids a document describes."""
    if isinstance(doc.get("SecurityGroups"), list):
        return [str(g.get("GroupId", "")) for g in doc["SecurityGroups"]]
    if isinstance(doc.get("SecurityGroupRules"), list) and "GroupId" not in doc:
        return list(aws_rule_groups(doc["SecurityGroupRules"]))
    return [str(doc.get("SecurityGroupId") or doc.get("GroupId") or "")]


def _matches(rule: Rule, proto: str, port: int, family: str) -> bool:
    if INTERNET.get(rule.source) != family:
        return False
    if rule.protocol not in (ALL, proto):
        return False
    return proto in PORTLESS or rule.lo <= port <= rule.hi


def _decide(rules: Sequence[Rule], proto: str, port: int, family: str) -> Rule | None:
    """The rule that decides (proto, port) from the Internet in ``family``, or None."""
    hits = [r for r in rules if not r.unevaluable and _matches(r, proto, port, family)]
    if not hits:
        return None
    if all(r.provider == "aws" for r in hits):
        return hits[0]
    return min(hits, key=lambda r: (r.priority, r.accept))  # Drop (False) sorts first


def _segments(rules: Sequence[Rule], lo: int, hi: int) -> list[tuple[int, int]]:
    """Split lo-hi at every rule boundary: each piece is decided by one set of rules."""
    cuts = {lo, hi + 1}
    for r in rules:
        for edge in (r.lo, r.hi + 1):
            if lo < edge <= hi:
                cuts.add(edge)
    points = sorted(cuts)
    return [(a, b - 1) for a, b in zip(points, points[1:], strict=False)]


def exposure(rules: Iterable[Rule], proto: str, lo: int = 0, hi: int = 0) -> Exposure:
    """Which ports of ``proto`` lo-hi the pooled rules open to the Internet."""
    pool = list(rules)
    proto = proto.lower()
    exposed: list[tuple[str, Rule]] = []
    blocked: list[tuple[str, Rule]] = []
    full = False
    for family in ("IPv4", "IPv6"):
        pieces = [(0, 0)] if proto in PORTLESS else _segments(pool, lo, hi)
        runs: list[tuple[int, int, Rule]] = []
        for a, b in pieces:
            rule = _decide(pool, proto, a, family)
            if rule is None:
                continue
            if not rule.accept:
                ports = "" if proto in PORTLESS else (f" {a}" if a == b else f" {a}-{b}")
                blocked.append((f"{family} {proto}{ports}", rule))
                continue
            if runs and runs[-1][2] == rule and runs[-1][1] + 1 == a:
                runs[-1] = (runs[-1][0], b, rule)
            else:
                runs.append((a, b, rule))
        for a, b, rule in runs:
            ports = "" if proto in PORTLESS else (f" {a}" if a == b else f" {a}-{b}")
            exposed.append((f"{family} {proto}{ports}", rule))
        open_len = sum(b - a + 1 for a, b, _ in runs)
        full = full or open_len == sum(b - a + 1 for a, b in pieces)
    unsure = tuple(
        r
        for r in pool
        if r.unevaluable
        and r.accept
        and r.protocol in (ALL, proto)
        and (proto in PORTLESS or (r.lo <= hi and lo <= r.hi))
    )
    return Exposure(tuple(exposed), unsure, full and bool(exposed), tuple(blocked))
