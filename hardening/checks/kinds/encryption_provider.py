"""encryption_provider: how the API server writes one resource (``secrets``) to etcd.

The EncryptionConfiguration named by ``--encryption-provider-config`` lists ``resources``
entries, each with its resources and its providers. The API server looks a resource up as
the encryption config loader does (staging/src/k8s.io/apiserver/pkg/server/options/
encryptionconfig/config.go): the first entry naming the resource itself (``secrets``), else
the first naming its group's wildcard (``*.``, the core group), else the first naming
``*.*``; a resource no entry covers is written in plain text. The FIRST provider of that
entry encrypts every write (later ones only decrypt), so ``identity`` first means not
encrypted. PASS when that first provider is one of ``providers``; the evidence names the
entry, the provider and, for ``kms``, whether it is KMS v1 or v2 (``apiVersion: v2``).
No key material is ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardening.checks.base import CheckKind, Outcome, ParamError, pass_fail
from hardening.checks.kinds._flagfile import flag_file
from hardening.facts.component import ComponentReq
from hardening.model.facts import FactRequest, Facts
from hardening.model.result import Status

KNOWN = ("identity", "aescbc", "aesgcm", "secretbox", "kms")


@dataclass(frozen=True)
class Params:
    """YAML: ``providers`` (allowed first providers); optional ``resource`` (``secrets``),
    ``component`` and ``flag``."""

    providers: tuple[str, ...]
    resource: str = "secrets"
    component: str = "kube-apiserver"
    flag: str = "--encryption-provider-config"

    def __post_init__(self) -> None:
        bad = [p for p in self.providers if p not in KNOWN]
        if not self.providers or bad:
            raise ParamError(
                "providers", f"expected some of {', '.join(KNOWN)}, got {', '.join(bad) or 'none'}"
            )
        if not self.resource or "." in self.resource.rstrip("."):
            raise ParamError("resource", "expected a core-group resource such as secrets")


def _request(p: Params) -> ComponentReq:
    return ComponentReq(p.component, ((p.flag, ""),))


def needs(p: Params) -> tuple[FactRequest, ...]:
    """The API server and the file its flag names."""
    return (_request(p),)


def covering(doc: Any, resource: str) -> tuple[int, str, dict[str, Any]] | None:
    """(index, the name that matched, entry) of the resources entry that covers
    ``resource``, or None when none does."""
    entries = doc.get("resources") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return None
    for names in ((resource, resource + "."), ("*.",), ("*.*",)):
        for i, entry in enumerate(entries):
            listed = entry.get("resources") if isinstance(entry, dict) else None
            if isinstance(listed, list):
                hit = next((n for n in names if n in [str(x) for x in listed]), None)
                if hit is not None:
                    return i, hit, entry
    return None


def describe(provider: Any) -> tuple[str, str]:
    """(provider type, how the evidence shows it) of one providers item."""
    if not isinstance(provider, dict) or len(provider) != 1:
        return "", "not a single provider"
    kind, body = next(iter(provider.items()))
    if kind == "kms":
        body = body if isinstance(body, dict) else {}
        version = "KMS v2" if str(body.get("apiVersion", "v1")) == "v2" else "KMS v1"
        return "kms", f"kms ({version}, name {body.get('name', '?')})"
    return str(kind), str(kind)


def evaluate(p: Params, facts: Facts) -> Outcome:
    """Find the entry covering the resource and compare its first provider."""
    got = flag_file(
        facts,
        _request(p),
        p.flag,
        f"{p.flag} not given: {p.resource} are written in plain text",
        f"{p.flag} naming an EncryptionConfiguration",
    )
    if isinstance(got, Outcome):
        return got
    cf, doc = got, got.doc
    expected = f"the first provider for {p.resource} is one of {', '.join(p.providers)}"
    found = covering(doc, p.resource)
    if found is None:
        return Outcome(
            Status.FAIL,
            f"no resources entry covers {p.resource}: written in plain text",
            expected,
            cf.path,
        )
    index, name, entry = found
    providers = entry.get("providers")
    first = providers[0] if isinstance(providers, list) and providers else None
    kind, shown = describe(first)
    where = f"{cf.path}: resources[{index}] (by '{name}')"
    return Outcome(
        pass_fail(kind in p.providers),
        f"{p.resource}: first provider {shown}"
        if first is not None
        else f"{p.resource}: no providers",
        expected,
        where,
    )


KIND = CheckKind("encryption_provider", Params, needs, evaluate, __doc__ or "")
