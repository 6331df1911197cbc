"""RBAC as the authorizer reads it: which bindings give which subjects which rules.

Rule matching follows kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go
(VerbMatches, APIGroupMatches, ResourceMatches: ``*`` matches all, ``*/sub`` matches a
subresource, ``nodes`` alone does not grant ``nodes/proxy``). Built-ins left out, by rule:
- objects labelled ``kubernetes.io/bootstrapping=rbac-defaults``: the API server's bootstrap
  policy, recreated at every start (plugin/pkg/auth/authorizer/rbac/bootstrappolicy);
- the ``kubeadm:cluster-admins`` binding of its own group, which kubeadm's admin.conf
  carries (cmd/kubeadm/app/constants/constants.go, ClusterAdminsGroupAndClusterRoleBinding);
- User and Group subjects named ``system:...`` (the prefix is reserved for Kubernetes'
  own components), except the groups that hold everyone: ``system:authenticated``,
  ``system:unauthenticated``, ``system:serviceaccounts`` and ``system:serviceaccounts:NS``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hardening.checks.kinds._cluster import Objects, name_of, namespace_of
from hardening.model.cluster import ref

BOOTSTRAP = ("kubernetes.io/bootstrapping", "rbac-defaults")
KUBEADM_ADMINS = "kubeadm:cluster-admins"
EVERYONE = ("system:authenticated", "system:unauthenticated", "system:serviceaccounts")


def is_bootstrap(obj: Mapping[str, Any]) -> bool:
    """Whether the object is part of the API server's bootstrap RBAC policy."""
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels.get(BOOTSTRAP[0]) == BOOTSTRAP[1]


def subject_name(s: Mapping[str, Any]) -> str:
    """``User alice``, ``Group team``, ``ServiceAccount ns/name``."""
    if s.get("kind") == "ServiceAccount":
        return f"ServiceAccount {s.get('namespace', '')}/{s.get('name', '')}"
    return f"{s.get('kind', '?')} {s.get('name', '')}"


def is_builtin_subject(s: Mapping[str, Any]) -> bool:
    """A Kubernetes component identity (``system:`` User or Group, not an everyone-group)."""
    name = str(s.get("name", ""))
    if s.get("kind") not in ("User", "Group") or not name.startswith("system:"):
        return False
    return name not in EVERYONE and not name.startswith("system:serviceaccounts:")


def _matches(values: Sequence[str], wanted: str) -> bool:
    return "*" in values or wanted in values


def resource_matches(rule_resources: Sequence[str], resource: str) -> bool:
    """ResourceMatches: ``*``, the exact ``res/sub``, or ``*/sub`` for a subresource."""
    _, _, sub = resource.partition("/")
    return any(r == "*" or r == resource or (sub and r == f"*/{sub}") for r in rule_resources)


def grant(
    rule: Mapping[str, Any], verbs: Sequence[str], group: str, resources: Sequence[str]
) -> str:
    """What the rule grants of (verbs x resources in ``group``): "" when nothing.

    Empty ``verbs`` means any verb, ``resources`` holding ``*`` any resource, ``group``
    ``*`` any API group (the question "may X bind anything?").
    """
    rverbs = [str(v) for v in rule.get("verbs") or []]
    if group != "*" and not _matches([str(g) for g in rule.get("apiGroups") or []], group):
        return ""
    rres = [str(r) for r in rule.get("resources") or []]
    got_verbs = [v for v in verbs if _matches(rverbs, v)] if verbs else rverbs
    got_res = rres if "*" in resources else [r for r in resources if resource_matches(rres, r)]
    if not got_verbs or not got_res:
        return ""
    return f"{','.join(got_verbs)} on {','.join(got_res)}"


@dataclass(frozen=True)
class Binding:
    """One binding with the rules of the role it references (empty when the role is gone)."""

    obj: Mapping[str, Any]
    role: str  # "ClusterRole/name" or "Role/ns/name"
    rules: tuple[Mapping[str, Any], ...]

    @property
    def ref(self) -> str:
        """``namespace/Kind/name`` of the binding."""
        return ref(self.obj)

    def subjects(self) -> Iterator[Mapping[str, Any]]:
        """Its subjects, built-in component identities left out."""
        for s in self.obj.get("subjects") or []:
            if not is_builtin_subject(s):
                yield s


def bindings(objects: Objects) -> Iterator[Binding]:
    """Every binding that is not a built-in, resolved to its role's rules."""
    roles = {(namespace_of(r), name_of(r)): r for r in objects.get("roles", ())}
    cluster_roles = {name_of(r): r for r in objects.get("clusterroles", ())}
    for b in (*objects.get("clusterrolebindings", ()), *objects.get("rolebindings", ())):
        if is_bootstrap(b) or (
            name_of(b) == KUBEADM_ADMINS
            and all(
                s.get("kind") == "Group" and s.get("name") == KUBEADM_ADMINS
                for s in b.get("subjects") or []
            )
        ):
            continue
        role_ref = b.get("roleRef") or {}
        name = str(role_ref.get("name", ""))
        if role_ref.get("kind") == "Role":
            role = roles.get((namespace_of(b), name))
            label = f"Role/{namespace_of(b)}/{name}"
        else:
            role = cluster_roles.get(name)
            label = f"ClusterRole/{name}"
        yield Binding(b, label, tuple((role or {}).get("rules") or ()))
