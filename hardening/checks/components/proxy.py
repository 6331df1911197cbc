"""kube-proxy: its flags, or (with ``--config``) its KubeProxyConfiguration alone.

With ``--config`` the loaded file replaces the configuration the flags were parsed into;
only logging flags and ``--hostname-override`` are carried over (cmd/kube-proxy/app/
options.go: Options.Complete, ``o.config = c``). Either way a field left empty is defaulted
(pkg/proxy/apis/config/v1alpha1/defaults.go: SetDefaults_KubeProxyConfiguration, which the
flags' initial values come from too: options.go newKubeProxyConfiguration).
"""

from __future__ import annotations

from hardening.checks.components.model import Entry, Model

_DEFAULTS = (
    "pkg/proxy/apis/config/v1alpha1/defaults.go: SetDefaults_KubeProxyConfiguration "
    '("" -> 127.0.0.1:10249 for an IPv4 bindAddress)'
)

KUBE_PROXY = Model(
    component="kube-proxy",
    config_flag="--config",
    api="KubeProxyConfiguration v1alpha1",
    source="cmd/kube-proxy/app/options.go: Options.Complete",
    entries=(
        Entry(
            "--metrics-bind-address",
            "metricsBindAddress",
            "127.0.0.1:10249",
            "127.0.0.1:10249",
            "1.20+",
            _DEFAULTS,
            "cmd/kube-proxy/app/options.go: newKubeProxyConfiguration",
            zero="string",
            flag_ignored=True,
        ),
        Entry(
            "--kubeconfig",
            "clientConnection.kubeconfig",
            None,
            None,
            "1.20+",
            "pkg/proxy/apis/config/v1alpha1/defaults.go: no default",
            "cmd/kube-proxy/app/options.go: Options.AddFlags",
            flag_ignored=True,
        ),
    ),
)
