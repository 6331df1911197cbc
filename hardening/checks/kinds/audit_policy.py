"""audit_policy: what the API server's audit policy (``--audit-policy-file``) really logs.

The API server gives each request the level of the FIRST rule that matches it
(staging/src/k8s.io/apiserver/pkg/audit/policy/checker.go: ruleMatches: users, userGroups,
verbs, namespaces, resources with group, ``*`` and ``pods/*`` / ``*/exec`` subresource
forms, resourceNames, nonResourceURLs); no matching rule is level None. This kind sends
representative requests through the rules, as an ordinary authenticated user would make
them (user ``auditor-probe``, group ``system:authenticated``):

- ``check: logs``: auditing is on: a backend is given (``--audit-log-path`` or
  ``--audit-webhook-config-file``) and some request is logged at all (a policy whose rules
  are all ``None``, or that starts with a catch-all ``None``, logs nothing);
- ``check: key_concerns`` (CIS 3.2.2): get/list/watch of secrets, configmaps and
  tokenreviews are logged at Metadata (never with bodies: Metadata or below, and logged),
  pods/exec, pods/attach and pods/portforward are logged, and pod, deployment and RBAC
  changes are logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.kinds._flagfile import flag_file
from hardening.facts.component import ComponentReq
from hardening.model.facts import FactRequest, Facts
from hardening.parsers.flags import flag_value

LEVELS = ("None", "Metadata", "Request", "RequestResponse")
CHECKS = ("logs", "key_concerns")
USER, GROUPS = "auditor-probe", ("system:authenticated",)


@dataclass(frozen=True)
class Probe:
    """One representative request: verb, API group, resource, subresource, namespace."""

    verb: str
    group: str
    resource: str
    sub: str = ""
    namespace: str = "default"

    def __str__(self) -> str:
        res = f"{self.resource}/{self.sub}" if self.sub else self.resource
        return f"{self.verb} {self.group + '/' if self.group else ''}{res}"


SENSITIVE = tuple(
    Probe(v, g, r)
    for g, r in (("", "secrets"), ("", "configmaps"))
    for v in ("get", "list", "watch")
) + (Probe("create", "authentication.k8s.io", "tokenreviews", namespace=""),)
STREAMS = (
    Probe("create", "", "pods", "exec"),
    Probe("create", "", "pods", "attach"),
    Probe("create", "", "pods", "portforward"),
)
CHANGES = (
    Probe("create", "", "pods"),
    Probe("delete", "", "pods"),
    Probe("patch", "apps", "deployments"),
    Probe("update", "apps", "deployments"),
    Probe("create", "rbac.authorization.k8s.io", "clusterrolebindings", namespace=""),
    Probe("update", "rbac.authorization.k8s.io", "roles"),
)
BACKENDS = ("--audit-log-path", "--audit-webhook-config-file")


@dataclass(frozen=True)
class Params:
    """YAML: ``check`` (logs or key_concerns); optional ``component`` and ``flag``."""

    check: str
    component: str = "kube-apiserver"
    flag: str = "--audit-policy-file"

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ParamError(
                "check", f"unknown check '{self.check}' (expected logs or key_concerns)"
            )


def _request(p: Params) -> ComponentReq:
    return ComponentReq(p.component, ((p.flag, ""),))


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The API server and the policy file its flag names."""
    return (_request(p),)


def _listed(rule: dict[str, Any], key: str) -> list[str] | None:
    v = rule.get(key)
    return [str(x) for x in v] if isinstance(v, list) and v else None


def _resource_matches(groups: list[Any], req: Probe) -> bool:
    """checker.go ruleMatchesResource: the group must match; an empty resources list is the
    whole group; ``*``, ``pods/exec``, ``*/exec`` and ``pods/*`` forms; a rule naming
    resourceNames matches no request for a whole collection."""
    full = f"{req.resource}/{req.sub}" if req.sub else req.resource
    for gr in groups:
        if not isinstance(gr, dict) or str(gr.get("group") or "") != req.group:
            continue
        names = [str(x) for x in gr.get("resources") or []]
        if not names:
            return True
        if gr.get("resourceNames"):
            continue
        for res in names:
            if (
                res in (full, "*")
                or (req.sub and res.startswith("*/") and res[2:] == req.sub)
                or (res.endswith("/*") and res[:-2] == req.resource)
            ):
                return True
    return False


def matches(rule: dict[str, Any], req: Probe) -> bool:
    """Whether a policy rule matches a resource request made by the probe user."""
    users, groups = _listed(rule, "users"), _listed(rule, "userGroups")
    if users is not None and USER not in users:
        return False
    if groups is not None and not set(groups) & set(GROUPS):
        return False
    verbs = _listed(rule, "verbs")
    if verbs is not None and req.verb not in verbs and "*" not in verbs:
        return False
    namespaces = _listed(rule, "namespaces")
    if namespaces is not None and req.namespace not in namespaces and "*" not in namespaces:
        return False
    resources = rule.get("resources")
    if isinstance(resources, list) and resources:
        return _resource_matches(resources, req)
    return not _listed(rule, "nonResourceURLs")


def level(rules: list[Any], req: Probe) -> tuple[str, str]:
    """(level, which rule decided) of one request."""
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and matches(rule, req):
            return str(rule.get("level", "None")), f"rules[{i}]"
    return "None", "no rule matches"


def _judge(p: Params, rules: list[Any]) -> tuple[bool, list[str], str]:
    if p.check == "logs":
        every = SENSITIVE + STREAMS + CHANGES
        seen = [(r, *level(rules, r)) for r in every]
        logged = [f"{r}: {lv} ({why})" for r, lv, why in seen if lv != "None"]
        return (
            bool(logged),
            logged[:3] or [f"{r}: None ({why})" for r, _, why in seen[:3]],
            "some request logged (a level other than None)",
        )
    bad, shown = [], []
    for r in SENSITIVE:
        lv, why = level(rules, r)
        shown.append(f"{r}: {lv} ({why})")
        if lv != "Metadata":
            bad.append(f"{r} at {lv} ({why}): expected Metadata")
    for r in STREAMS + CHANGES:
        lv, why = level(rules, r)
        shown.append(f"{r}: {lv} ({why})")
        if lv == "None":
            bad.append(f"{r} is not logged ({why})")
    return (
        not bad,
        bad or shown,
        (
            "secrets, configmaps and tokenreviews at Metadata; exec, "
            "attach, portforward and pod/deployment changes logged"
        ),
    )


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Run the representative requests through the policy's rules."""
    got = flag_file(
        facts,
        _request(p),
        p.flag,
        f"{p.flag} not given: no request is audited",
        f"{p.flag} naming a policy",
    )
    if isinstance(got, Outcome):
        return got
    comp, cf, doc = got.component, got, got.doc
    rules = doc.get("rules") if isinstance(doc, dict) else None
    rules = rules if isinstance(rules, list) else []
    ok, lines, expected = _judge(p, rules)
    if p.check == "logs":
        backends = [f for f in BACKENDS if flag_value(comp.argv, f, is_bool=False)]
        expected += " and an audit backend (" + " or ".join(BACKENDS) + ")"
        if not backends:
            ok, lines = False, ["no audit backend: neither flag is given", *lines]
    return Outcome(
        pass_fail(ok),
        "; ".join(lines[:4]),
        expected,
        f"{cf.path} ({len(rules)} rules)",
        details=tuple(lines),
    )


KIND = CheckKind("audit_policy", Params, needs, evaluate, __doc__ or "")
