"""The kubelet: command-line defaults, KubeletConfiguration v1beta1 defaults, drop-ins.

Without ``--config`` the kubelet runs with its command-line defaults: the v1beta1 defaults
with four legacy values put back (``NewKubeletConfiguration`` then ``applyLegacyDefaults``,
cmd/kubelet/app/options/options.go). With ``--config FILE`` every field the file leaves out
takes the v1beta1 default (``SetDefaults_KubeletConfiguration``,
pkg/kubelet/apis/config/v1beta1/defaults.go); then the ``*.conf`` files under ``--config-dir``
are merged over it as JSON merge patches in lexical walk order (``mergeKubeletConfigurations``,
cmd/kubelet/app/server.go); then the command line is parsed again over the result
(``kubeletConfigFlagPrecedence``), so a flag given wins.
"""

from __future__ import annotations

from hardening.checks.components.model import Entry, Model

_DEFAULTS = "pkg/kubelet/apis/config/v1beta1/defaults.go: SetDefaults_KubeletConfiguration"
_LEGACY = "cmd/kubelet/app/options/options.go: applyLegacyDefaults"
_FLAGS = (
    "cmd/kubelet/app/options/options.go: NewKubeletConfiguration (the v1beta1 "
    "defaults are the flag defaults)"
)
_UNSET = (
    "staging/src/k8s.io/kubelet/config/v1beta1/types.go: no default "
    "(SetDefaults_KubeletConfiguration leaves the Go zero value)"
)
_V = "1.10+ (kubelet.config.k8s.io/v1beta1)"

KUBELET = Model(
    component="kubelet",
    config_flag="--config",
    api="KubeletConfiguration v1beta1",
    dropin_flag="--config-dir",
    source="cmd/kubelet/app/server.go: NewKubeletCommand",
    entries=(
        Entry(
            "--anonymous-auth",
            "authentication.anonymous.enabled",
            "true",
            "false",
            _V,
            _DEFAULTS,
            _LEGACY,
        ),
        Entry(
            "--authorization-mode",
            "authorization.mode",
            "AlwaysAllow",
            "Webhook",
            _V,
            _DEFAULTS,
            _LEGACY,
            zero="string",
        ),
        Entry(
            "--authentication-token-webhook",
            "authentication.webhook.enabled",
            "false",
            "true",
            _V,
            _DEFAULTS,
            _LEGACY,
        ),
        Entry(
            "--read-only-port",
            "readOnlyPort",
            "10255",
            "0",
            _V,
            _UNSET,
            f"{_LEGACY} (ports.KubeletReadOnlyPort)",
        ),
        Entry(
            "--client-ca-file", "authentication.x509.clientCAFile", None, None, _V, _UNSET, _FLAGS
        ),
        Entry(
            "--streaming-connection-idle-timeout",
            "streamingConnectionIdleTimeout",
            "4h0m0s",
            "4h0m0s",
            _V,
            _DEFAULTS,
            _FLAGS,
            zero="duration",
        ),
        Entry(
            "--make-iptables-util-chains",
            "makeIPTablesUtilChains",
            "true",
            "true",
            _V,
            _DEFAULTS,
            _FLAGS,
        ),
        Entry("--event-qps", "eventRecordQPS", "50", "50", _V, _DEFAULTS, _FLAGS),
        Entry("--tls-cert-file", "tlsCertFile", None, None, _V, _UNSET, _FLAGS),
        Entry("--tls-private-key-file", "tlsPrivateKeyFile", None, None, _V, _UNSET, _FLAGS),
        Entry("--rotate-certificates", "rotateCertificates", "false", "false", _V, _UNSET, _FLAGS),
        Entry(
            "--rotate-server-certificates",
            "serverTLSBootstrap",
            "false",
            "false",
            _V,
            _UNSET,
            "cmd/kubelet/app/options/options.go: AddKubeletConfigFlags "
            '(fs.BoolVar(&c.ServerTLSBootstrap, "rotate-server-certificates"), deprecated)',
        ),
        Entry(
            "--feature-gates",
            "featureGates.RotateKubeletServerCertificate",
            "true",
            "true",
            "1.12+ (beta, on by default)",
            "pkg/features/kube_features.go: RotateKubeletServerCertificate",
            "pkg/features/kube_features.go: RotateKubeletServerCertificate",
        ),
        Entry(
            "--hostname-override",
            "",
            None,
            None,
            "all",
            "cmd/kubelet/app/options/options.go: KubeletFlags (no default)",
            _FLAGS,
        ),
        Entry(
            "--pod-max-pids",
            "podPidsLimit",
            "-1",
            "-1",
            _V,
            f"{_DEFAULTS} (nil or negative -> -1)",
            _FLAGS,
        ),
        Entry(
            "--protect-kernel-defaults",
            "protectKernelDefaults",
            "false",
            "false",
            _V,
            _UNSET,
            _FLAGS,
        ),
        Entry("--seccomp-default", "seccompDefault", "false", "false", "1.25+", _DEFAULTS, _FLAGS),
        Entry(
            "--tls-cipher-suites",
            "tlsCipherSuites",
            None,
            None,
            _V,
            f"{_UNSET}; Go's crypto/tls defaults apply",
            _FLAGS,
        ),
    ),
)
