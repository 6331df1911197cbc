"""authorization_mode: the API server's authorizer chain, from either way of configuring it.

Since 1.30 (beta; GA in 1.32) the API server may be given ``--authorization-config FILE``, an
AuthorizationConfiguration whose ``authorizers[].type`` list is the chain
(``Node``, ``RBAC``, ``Webhook``, ``ABAC``, ``AlwaysAllow``, ``AlwaysDeny``); it cannot be
combined with ``--authorization-mode`` (pkg/kubeapiserver/options/authorization.go:
BuiltInAuthorizationOptions.Validate). Without it the chain is ``--authorization-mode``,
whose default is ``AlwaysAllow`` (NewBuiltInAuthorizationOptions). The chain, as a comma list,
is compared with ``op`` and ``value`` (``has Node``, ``nothas AlwaysAllow``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.components.registry import MODELS
from hardening.checks.layers import Layers, resolve
from hardening.checks.ops import check_op, compare
from hardening.facts.component import ComponentReq
from hardening.model.facts import Absent, FactRequest, Facts
from hardening.model.result import Status
from hardening.parsers.flags import parse_config

CONFIG_FLAG = "--authorization-config"
MODE_FLAG = "--authorization-mode"


@dataclass(frozen=True)
class Params:
    """YAML: ``op`` and ``value`` (as for component_setting); optional ``component``."""

    op: str
    value: Any = None
    component: str = "kube-apiserver"

    def __post_init__(self) -> None:
        err = check_op(self.op, self.value)
        if err:
            raise ParamError("op", err)


def _request(p: Params) -> ComponentReq:
    return ComponentReq(p.component, ((CONFIG_FLAG, ""),))


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The API server and the AuthorizationConfiguration its flag names."""
    return (_request(p),)


def chain(doc: Any) -> list[str]:
    """The ``authorizers[].type`` list of an AuthorizationConfiguration, in order."""
    items = doc.get("authorizers") if isinstance(doc, dict) else None
    return [str(a.get("type", "")) for a in items or [] if isinstance(a, dict)]


def evaluate(p: Params, facts: Facts) -> Outcome:
    """The chain from the config file when given, else from the flag and its default."""
    comp = facts.get(_request(p))
    if isinstance(comp, Absent):
        return Outcome.absent(comp, source=f"{p.component} not found")
    cf = comp.files.get(CONFIG_FLAG)
    if cf is not None and cf.from_flag:
        if isinstance(cf.content, Absent):
            return Outcome.absent(Absent(cf.content.reason, is_error=True), source=cf.path)
        try:
            modes = chain(parse_config(cf.content.text))
        except ValueError as exc:
            return Outcome(Status.ERROR, source=cf.path, reason=f"{cf.path}: {exc}")
        value, source = ",".join(modes), f"{cf.path} ({CONFIG_FLAG}): authorizers[].type"
    else:
        s = resolve(
            Layers(comp.argv, comp.origin, MODELS.get(p.component)), flag=MODE_FLAG, key=None
        )
        value, source = s.value, s.source
    ok, expected = compare(p.op, value, p.value, "the authorizer chain")
    return Outcome(pass_fail(ok), f"authorizers={value}", expected, source)


KIND = CheckKind("authorization_mode", Params, needs, evaluate, __doc__ or "")
