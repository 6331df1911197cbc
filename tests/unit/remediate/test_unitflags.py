import pytest

from hardening.checks.kinds import component_setting
from hardening.model.control import CheckSpec, Control, Role, Severity
from hardening.model.result import Evidence, Result, Status
from hardening.remediate.fixes import NoFix, derive
from hardening.remediate.unitflags import (
    Edit,
    UnitFlagError,
    env_files,
    rewrite,
    rewrite_env_value,
    rewrite_words,
)

UNIT = "/usr/lib/systemd/system/kubelet.service"
DROPIN = "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
FLAGS_ENV = "/var/lib/kubelet/kubeadm-flags.env"
DEFAULT = "/etc/default/kubelet"
KUBEADM_DROPIN = """# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS \
$KUBELET_EXTRA_ARGS
"""
ANON_OFF = Edit("--anonymous-auth", "false", is_bool=True)
ANON_DROP = Edit("--anonymous-auth", None, is_bool=True)


def node(**extra: str) -> dict[str, str]:
    files = {
        UNIT: "[Service]\nExecStart=/usr/bin/kubelet\n",
        DROPIN: KUBEADM_DROPIN,
        FLAGS_ENV: 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///c.sock"\n',
    }
    files.update(extra)
    return files


def test_words_are_rewritten_in_place_or_dropped() -> None:
    words = ["--a=1", "--anonymous-auth=true", "--b", "--anonymous-auth"]
    assert rewrite_words(words, ANON_OFF) == [
        "--a=1",
        "--anonymous-auth=false",
        "--b",
        "--anonymous-auth=false",
    ]
    assert rewrite_words(words, ANON_DROP) == ["--a=1", "--b"]
    # A non-boolean flag takes the next word as its value; a boolean one never does.
    assert rewrite_words(["--port", "10255", "x"], Edit("--port", "0")) == ["--port=0", "x"]
    assert rewrite_words(["--anonymous-auth", "x"], ANON_DROP) == ["x"]
    assert rewrite_words(["--anonymous-authz=1"], ANON_DROP) == ["--anonymous-authz=1"]


def test_env_values_are_parsed_with_shlex_and_requoted_as_they_were() -> None:
    where = "/etc/default/kubelet: KUBELET_EXTRA_ARGS"
    assert (
        rewrite_env_value('"--anonymous-auth=true --node-ip=10.0.0.1"', ANON_OFF, where)
        == '"--anonymous-auth=false --node-ip=10.0.0.1"'
    )
    assert rewrite_env_value("'--anonymous-auth --v=2'", ANON_DROP, where) == "'--v=2'"
    assert rewrite_env_value("--anonymous-auth=true --v=2", ANON_DROP, where) == "--v=2"
    assert (
        rewrite_env_value("--anonymous-auth=true --v=2", ANON_OFF, where)
        == '"--anonymous-auth=false --v=2"'
    )
    assert rewrite_env_value('"--v=2"', ANON_OFF, where) == '"--v=2"'  # untouched, as written
    with pytest.raises(UnitFlagError, match="needs quoting"):
        rewrite_env_value("\"--anonymous-auth=true '--label=a b'\"", ANON_OFF, where)


def test_the_extra_args_file_is_rewritten_and_nothing_else() -> None:
    files = node(
        **{
            "/etc/default/kubelet": 'KUBELET_EXTRA_ARGS="--anonymous-auth=true '
            '--node-ip=10.0.0.1"\n'
        }
    )
    assert env_files(files, "kubelet.service") == [FLAGS_ENV, DEFAULT]
    assert rewrite(files, "kubelet.service", ANON_OFF) == {
        DEFAULT: 'KUBELET_EXTRA_ARGS="--anonymous-auth=false --node-ip=10.0.0.1"\n'
    }
    assert rewrite(files, "kubelet.service", ANON_DROP) == {
        DEFAULT: 'KUBELET_EXTRA_ARGS="--node-ip=10.0.0.1"\n'
    }


def test_a_second_run_changes_nothing() -> None:
    files = node(**{"/etc/default/kubelet": "KUBELET_EXTRA_ARGS=--anonymous-auth=true\n"})
    once = {**files, **rewrite(files, "kubelet.service", ANON_OFF)}
    assert once[DEFAULT] == "KUBELET_EXTRA_ARGS=--anonymous-auth=false\n"
    assert rewrite(once, "kubelet.service", ANON_OFF) == {}
    dropped = {**files, **rewrite(files, "kubelet.service", ANON_DROP)}
    assert rewrite(dropped, "kubelet.service", ANON_DROP) == {}


def test_the_winning_definition_is_edited_in_a_drop_in_or_the_exec_line() -> None:
    # Environment= in a later drop-in overrides the kubeadm one; EnvironmentFile overrides both
    # (here none is present, so the drop-in's assignment is what systemd uses).
    later = "/etc/systemd/system/kubelet.service.d/20-extra.conf"
    files = node(
        **{
            later: '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--anonymous-auth=true '
            '--v=2" "OTHER=x y"\n'
        }
    )
    assert rewrite(files, "kubelet.service", ANON_OFF) == {
        later: '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--anonymous-auth=false --v=2" '
        '"OTHER=x y"\n'
    }
    inline = node(
        **{
            later: "[Service]\nExecStart=\n"
            "ExecStart=/usr/bin/kubelet --anonymous-auth $KUBELET_EXTRA_ARGS\n"
        }
    )
    assert rewrite(inline, "kubelet.service", ANON_DROP)[later].endswith(
        "ExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n"
    )
    assert "--anonymous-auth=false $KUBELET" in rewrite(inline, "kubelet.service", ANON_OFF)[later]


def test_a_continued_exec_line_and_every_occurrence_are_fixed() -> None:
    files = node(
        **{
            "/etc/default/kubelet": 'KUBELET_EXTRA_ARGS="--anonymous-auth=true"\n',
            FLAGS_ENV: 'KUBELET_KUBEADM_ARGS="--anonymous-auth=true --v=1"\n',
        }
    )
    out = rewrite(files, "kubelet.service", ANON_DROP)
    assert out == {FLAGS_ENV: 'KUBELET_KUBEADM_ARGS="--v=1"\n', DEFAULT: 'KUBELET_EXTRA_ARGS=""\n'}


def test_a_flag_no_file_sets_and_a_unit_without_exec_start_are_refused() -> None:
    with pytest.raises(UnitFlagError, match="would be unset, not 'false'"):
        rewrite(node(), "kubelet.service", ANON_OFF)
    assert rewrite(node(), "kubelet.service", ANON_DROP) == {}
    with pytest.raises(UnitFlagError, match="no ExecStart"):
        rewrite({UNIT: "[Unit]\nDescription=x\n"}, "kubelet.service", ANON_OFF)


PARAMS = component_setting.Params(
    "kubelet",
    "eq",
    flag="--anonymous-auth",
    type="bool",
    config_key="authentication.anonymous.enabled",
    value="false",
)
CONTROL = Control(
    "4.2.1",
    "anon",
    "s",
    "b",
    1,
    Severity.HIGH,
    frozenset({Role.ANY}),
    True,
    CheckSpec("component_setting", PARAMS),
    playbook_tag="cis-4.2.1",
)


def failed(*details: str) -> Result:
    return Result(
        "4.2.1",
        "anon",
        "s",
        1,
        "high",
        Status.FAIL,
        Evidence(source="process 7: --anonymous-auth=true", details=details),
    )


def test_the_flag_is_set_unless_the_config_or_default_behind_it_passes() -> None:
    config_bad = failed(
        "overridden: /var/lib/kubelet/config.yaml: authentication.anonymous.enabled: true",
        "overridden: documented default: true",
    )
    fix = derive(CONTROL, config_bad)
    assert fix.fix == "kubelet_flag"
    assert (fix.vars["unit"], fix.vars["flag"], fix.vars["value"], fix.vars["is_bool"]) == (
        "kubelet.service",
        "--anonymous-auth",
        "false",
        True,
    )
    assert "/etc/systemd/system" in fix.vars["unit_dirs"]
    config_ok = failed(
        "overridden: /var/lib/kubelet/config.yaml: authentication.anonymous.enabled: false"
    )
    assert derive(CONTROL, config_ok).vars["value"] is None  # drop it: the config file decides


def test_a_command_line_flag_of_a_component_without_a_handler_stays_manual() -> None:
    params = component_setting.Params(
        "kube-proxy", "eq", flag="--metrics-bind-address", value="127.0.0.1:10249"
    )
    control = Control(
        "4.3.1",
        "proxy",
        "s",
        "b",
        1,
        Severity.HIGH,
        frozenset({Role.ANY}),
        True,
        CheckSpec("component_setting", params),
        playbook_tag="cis-4.3.1",
    )
    result = Result(
        "4.3.1",
        "proxy",
        "s",
        1,
        "high",
        Status.FAIL,
        Evidence(source="process 9: --metrics-bind-address=0.0.0.0:10249"),
    )
    with pytest.raises(NoFix, match="no restart handler exists for kube-proxy"):
        derive(control, result)
