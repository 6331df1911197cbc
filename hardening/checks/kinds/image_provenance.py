"""image_provenance: an admission webhook verifies images before pods are admitted.

PASS needs a validating or mutating webhook whose name matches one of ``webhooks`` (the
image verifiers the catalogue names), whose rules cover CREATE of pods (``*`` counts) and
whose ``failurePolicy`` is Fail (the v1 default): with Ignore an unverified image is
admitted whenever the verifier is down. The API server's own ImagePolicyWebhook admission
plugin is set by a flag on the control-plane node, not visible through the API: a cluster
using it waives this control with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError
from hardening.checks.kinds._cluster import listed, name_of, requests
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

NEEDS = ("validatingwebhookconfigurations", "mutatingwebhookconfigurations")


@dataclass(frozen=True)
class Params:
    """YAML: ``webhooks``: name patterns of image-verifying webhooks (``policy.sigstore.dev``)."""

    webhooks: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.webhooks:
            raise ParamError("webhooks", "name at least one image verifier's webhook")


def needs(p: Params) -> tuple[FactRequest, ...]:
    """Both kinds of webhook configuration."""
    return requests(*NEEDS)


def _covers_pod_create(hook: Mapping[str, Any]) -> bool:
    for rule in hook.get("rules") or []:
        ops = rule.get("operations") or []
        if (
            ("*" in ops or "CREATE" in ops)
            and any(r in ("*", "pods", "*/*") for r in rule.get("resources") or [])
            and any(g in ("*", "") for g in rule.get("apiGroups") or [])
        ):
            return True
    return False


def evaluate(p: Params, facts: Facts) -> Outcome:
    """PASS when a named verifier guards pod creation and fails closed."""
    objects, source, early = listed(facts, NEEDS)
    if early is not None:
        return early
    expected = f"a webhook matching {', '.join(p.webhooks)} on pod CREATE with failurePolicy Fail"
    good: list[str] = []
    weak: list[str] = []
    for res in NEEDS:
        for cfg in objects[res]:
            for i, hook in enumerate(cfg.get("webhooks") or []):
                name = str(hook.get("name", ""))
                if not any(fnmatchcase(name, pat) for pat in p.webhooks):
                    continue
                at = f"{cfg.get('kind')}/{name_of(cfg)}: webhooks[{i}] {name}"
                policy = hook.get("failurePolicy") or "Fail"
                if not _covers_pod_create(hook):
                    weak.append(f"{at}: rules do not cover CREATE of pods")
                elif policy != "Fail":
                    weak.append(f"{at}: failurePolicy={policy}")
                else:
                    good.append(at)
    if good:
        return Outcome(Status.PASS, good[0], expected, source, details=tuple(good + weak))
    observed = weak[0] if weak else "no image-verifying admission webhook"
    return Outcome(
        Status.FAIL,
        observed,
        expected,
        source,
        details=tuple(weak),
        reason="the ImagePolicyWebhook admission plugin, if the API server runs "
        "it, is not visible through the API",
    )


KIND = CheckKind("image_provenance", Params, needs, evaluate, __doc__ or "")
