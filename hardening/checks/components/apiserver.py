"""kube-apiserver: command-line flags only; each default from the options that register it.

The API server has no config file for these settings: a flag not given takes the default
its options struct is built with (cmd/kube-apiserver/app/options/options.go:
NewServerRunOptions, which builds pkg/controlplane/apiserver/options/options.go: NewOptions).
Structured authorization (``--authorization-config``, beta 1.30, GA 1.32) is read by the
``authorization_config`` kind, not here.
"""

from __future__ import annotations

from hardening.checks.components.model import Entry, Model

_AUTHN = "pkg/kubeapiserver/options/authentication.go: NewBuiltInAuthenticationOptions().WithAll"
_AUTHZ = "pkg/kubeapiserver/options/authorization.go: NewBuiltInAuthorizationOptions"
_FEATURE = "staging/src/k8s.io/apiserver/pkg/server/options/feature.go: NewFeatureOptions"
_SERVING = "pkg/kubeapiserver/options/serving.go: NewSecureServingOptions (BindPort 6443)"
_NONE = "pkg/controlplane/apiserver/options/options.go: NewOptions (no default)"
_AUDIT = "staging/src/k8s.io/apiserver/pkg/server/options/audit.go: NewAuditOptions"
_ALL = "1.20+"


def _flag(flag: str, default: str | None, source: str, versions: str = _ALL) -> Entry:
    return Entry(flag, "", default, None, versions, source, source)


KUBE_APISERVER = Model(
    component="kube-apiserver",
    source="cmd/kube-apiserver/app/server.go: NewAPIServerCommand",
    entries=(
        _flag("--anonymous-auth", "true", _AUTHN),
        _flag("--authorization-mode", "AlwaysAllow", _AUTHZ),
        _flag("--authorization-config", None, _AUTHZ, "1.30+ (beta), 1.32+ (GA)"),
        _flag("--profiling", "true", _FEATURE),
        _flag("--secure-port", "6443", _SERVING),
        _flag("--service-account-lookup", "true", _AUTHN),
        _flag("--service-account-extend-token-expiration", "true", _AUTHN),
        _flag("--token-auth-file", None, _AUTHN),
        _flag("--client-ca-file", None, _AUTHN),
        _flag("--kubelet-certificate-authority", None, _NONE),
        _flag("--kubelet-client-certificate", None, _NONE),
        _flag("--kubelet-client-key", None, _NONE),
        _flag(
            "--enable-admission-plugins",
            None,
            "pkg/kubeapiserver/options/admission.go: NewAdmissionOptions (the plugins on "
            "by default are not listed in the flag)",
        ),
        _flag(
            "--disable-admission-plugins",
            None,
            "pkg/kubeapiserver/options/admission.go: NewAdmissionOptions",
        ),
        _flag("--audit-log-path", None, _AUDIT),
        _flag("--audit-log-maxage", None, _AUDIT),
        _flag("--audit-log-maxbackup", None, _AUDIT),
        _flag("--audit-log-maxsize", None, _AUDIT),
        _flag("--audit-policy-file", None, _AUDIT),
        _flag(
            "--encryption-provider-config",
            None,
            "staging/src/k8s.io/apiserver/pkg/server/options/etcd.go: NewEtcdOptions",
        ),
        _flag(
            "--etcd-cafile",
            None,
            "staging/src/k8s.io/apiserver/pkg/server/options/etcd.go: NewEtcdOptions",
        ),
        _flag(
            "--etcd-certfile",
            None,
            "staging/src/k8s.io/apiserver/pkg/server/options/etcd.go: NewEtcdOptions",
        ),
        _flag(
            "--etcd-keyfile",
            None,
            "staging/src/k8s.io/apiserver/pkg/server/options/etcd.go: NewEtcdOptions",
        ),
        _flag("--service-account-key-file", None, _AUTHN),
        _flag("--service-account-issuer", None, _AUTHN),
        _flag(
            "--service-account-signing-key-file",
            None,
            "pkg/controlplane/apiserver/options/options.go: NewOptions",
        ),
        _flag("--tls-cert-file", None, _SERVING),
        _flag("--tls-private-key-file", None, _SERVING),
        _flag("--tls-cipher-suites", None, f"{_SERVING}; Go's crypto/tls defaults apply"),
    ),
)
