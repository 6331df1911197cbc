"""Cluster objects as facts: the resources the audit lists, and the answer for one.

A ``ClusterList`` (hardening/facts/cluster_list.py) asks for every object of one resource
in every namespace; a cluster source answers it with ``ClusterObjects`` or with
``Absent(is_error=True)`` when it could not list that resource (403, not exported).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One API resource the audit reads: where it is served and how the client lists it."""

    plural: str  # the name kubectl and RBAC use ("pods"); also the export file's stem
    kind: str
    group: str  # "" for the core group
    version: str
    namespaced: bool
    api: str  # the kubernetes client's API class (CoreV1Api)
    method: str  # its list method across all namespaces

    @property
    def api_version(self) -> str:
        """``v1`` or ``apps/v1``, as objects carry it."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def path(self) -> str:
        """The collection's URL path on the API server (every namespace)."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{base}/{self.plural}"


def _r(plural: str, kind: str, group: str, namespaced: bool, api: str, method: str) -> Resource:
    return Resource(plural, kind, group, "v1", namespaced, api, method)


RESOURCES: dict[str, Resource] = {
    r.plural: r
    for r in (
        _r("namespaces", "Namespace", "", False, "CoreV1Api", "list_namespace"),
        _r("pods", "Pod", "", True, "CoreV1Api", "list_pod_for_all_namespaces"),
        _r(
            "serviceaccounts",
            "ServiceAccount",
            "",
            True,
            "CoreV1Api",
            "list_service_account_for_all_namespaces",
        ),
        _r("services", "Service", "", True, "CoreV1Api", "list_service_for_all_namespaces"),
        _r(
            "deployments",
            "Deployment",
            "apps",
            True,
            "AppsV1Api",
            "list_deployment_for_all_namespaces",
        ),
        _r(
            "daemonsets",
            "DaemonSet",
            "apps",
            True,
            "AppsV1Api",
            "list_daemon_set_for_all_namespaces",
        ),
        _r(
            "statefulsets",
            "StatefulSet",
            "apps",
            True,
            "AppsV1Api",
            "list_stateful_set_for_all_namespaces",
        ),
        _r("jobs", "Job", "batch", True, "BatchV1Api", "list_job_for_all_namespaces"),
        _r("cronjobs", "CronJob", "batch", True, "BatchV1Api", "list_cron_job_for_all_namespaces"),
        _r(
            "roles",
            "Role",
            "rbac.authorization.k8s.io",
            True,
            "RbacAuthorizationV1Api",
            "list_role_for_all_namespaces",
        ),
        _r(
            "clusterroles",
            "ClusterRole",
            "rbac.authorization.k8s.io",
            False,
            "RbacAuthorizationV1Api",
            "list_cluster_role",
        ),
        _r(
            "rolebindings",
            "RoleBinding",
            "rbac.authorization.k8s.io",
            True,
            "RbacAuthorizationV1Api",
            "list_role_binding_for_all_namespaces",
        ),
        _r(
            "clusterrolebindings",
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io",
            False,
            "RbacAuthorizationV1Api",
            "list_cluster_role_binding",
        ),
        _r(
            "networkpolicies",
            "NetworkPolicy",
            "networking.k8s.io",
            True,
            "NetworkingV1Api",
            "list_network_policy_for_all_namespaces",
        ),
        _r(
            "validatingwebhookconfigurations",
            "ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io",
            False,
            "AdmissionregistrationV1Api",
            "list_validating_webhook_configuration",
        ),
        _r(
            "mutatingwebhookconfigurations",
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io",
            False,
            "AdmissionregistrationV1Api",
            "list_mutating_webhook_configuration",
        ),
    )
}

WORKLOADS = ("pods", "deployments", "daemonsets", "statefulsets", "jobs", "cronjobs")


@dataclass(frozen=True)
class ClusterObjects:
    """The answer to a ClusterList: projected objects, and where they were read."""

    resource: str
    items: tuple[Mapping[str, Any], ...]
    source: str


def ref(obj: Mapping[str, Any]) -> str:
    """``namespace/Kind/name`` (``Kind/name`` for a cluster-scoped object): how evidence and
    waivers name an object."""
    meta = obj.get("metadata") or {}
    kind, name = obj.get("kind", "?"), meta.get("name", "?")
    ns = meta.get("namespace")
    return f"{ns}/{kind}/{name}" if ns else f"{kind}/{name}"
