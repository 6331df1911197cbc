"""MODELS: every component whose defaults and layering the evaluator knows, by name."""

from __future__ import annotations

from hardening.checks.components.apiserver import KUBE_APISERVER
from hardening.checks.components.controllers import KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER
from hardening.checks.components.etcd import ETCD
from hardening.checks.components.kubelet import KUBELET
from hardening.checks.components.model import Model
from hardening.checks.components.proxy import KUBE_PROXY

MODELS: dict[str, Model] = {
    "kubelet": KUBELET,
    "kube-apiserver": KUBE_APISERVER,
    "kube-controller-manager": KUBE_CONTROLLER_MANAGER,
    "kube-scheduler": KUBE_SCHEDULER,
    "etcd": ETCD,
    "kube-proxy": KUBE_PROXY,
}
