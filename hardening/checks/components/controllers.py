"""kube-controller-manager and kube-scheduler: flags, and the scheduler's config file.

The controller manager's flags default to its component config's v1alpha1 defaults
(cmd/kube-controller-manager/app/options/options.go: NewKubeControllerManagerOptions).
The scheduler's deprecated flags (``--profiling`` among them) are "ignored if a config file
is specified in --config" (cmd/kube-scheduler/app/options/deprecated.go:
DeprecatedOptions.AddFlags); its serving flags (``--bind-address``) apply either way.
"""

from __future__ import annotations

from hardening.checks.components.model import Entry, Model

_KCM = "cmd/kube-controller-manager/app/options/options.go: NewKubeControllerManagerOptions"
_DEBUG = (
    "staging/src/k8s.io/component-base/config/v1alpha1/defaults.go: "
    "RecommendedDefaultDebuggingConfiguration (EnableProfiling true)"
)
_SERVING = (
    "staging/src/k8s.io/apiserver/pkg/server/options/serving.go: "
    "NewSecureServingOptions (BindAddress 0.0.0.0)"
)
_GATE = "pkg/features/kube_features.go: RotateKubeletServerCertificate (beta, on by default)"

KUBE_CONTROLLER_MANAGER = Model(
    component="kube-controller-manager",
    source="cmd/kube-controller-manager/app/controllermanager.go: NewControllerManagerCommand",
    entries=(
        Entry("--profiling", "", "true", None, "1.20+", _DEBUG, _KCM),
        Entry(
            "--use-service-account-credentials",
            "",
            "false",
            None,
            "1.20+",
            "pkg/controller/apis/config/v1alpha1/defaults.go: "
            "SetDefaults_KubeControllerManagerConfiguration (left false)",
            _KCM,
        ),
        Entry("--bind-address", "", "0.0.0.0", None, "1.20+", _SERVING, _KCM),
        Entry(
            "--terminated-pod-gc-threshold",
            "",
            "12500",
            None,
            "1.20+",
            "pkg/controller/podgc/config/v1alpha1/defaults.go: "
            "RecommendedDefaultPodGCControllerConfiguration",
            _KCM,
        ),
        Entry(
            "--feature-gates",
            "featureGates.RotateKubeletServerCertificate",
            "true",
            None,
            "1.12+",
            _GATE,
            _GATE,
        ),
        Entry("--root-ca-file", "", None, None, "all", _KCM, _KCM),
        Entry("--service-account-private-key-file", "", None, None, "all", _KCM, _KCM),
    ),
)

KUBE_SCHEDULER = Model(
    component="kube-scheduler",
    config_flag="--config",
    api="KubeSchedulerConfiguration v1",
    source="cmd/kube-scheduler/app/options/options.go: Options.Complete",
    entries=(
        Entry(
            "--profiling",
            "enableProfiling",
            "true",
            "true",
            "1.25+ (v1)",
            "pkg/scheduler/apis/config/v1/defaults.go: SetDefaults_KubeSchedulerConfiguration",
            "cmd/kube-scheduler/app/options/deprecated.go: DeprecatedOptions.AddFlags",
            flag_ignored=True,
        ),
        Entry(
            "--bind-address",
            "",
            "0.0.0.0",
            None,
            "1.20+",
            _SERVING,
            "cmd/kube-scheduler/app/options/options.go: NewOptions",
        ),
    ),
)
