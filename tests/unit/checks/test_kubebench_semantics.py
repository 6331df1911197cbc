"""Oracle for kube-bench's semantics: every row of the tables in shared/anchors/kube-bench/
REFERENCE.md (§1.5 ops, §1.6 flag/path/env lookups, §1.7 fallback, §1.8 state rules)."""

from __future__ import annotations

import pytest

from hardening.checks.kubebench_semantics import (
    BinOpError,
    CheckItem,
    Outputs,
    compare_op,
    evaluate_item,
    execute,
    find_env,
    find_flag,
    find_path,
    go_float,
    run_item,
)

# (op, flag value, compare value, pass) -- REFERENCE §1.5 "pass when" and edge-case columns
OPS = [
    ("eq", "false", "false", True),
    ("eq", "False", "false", True),  # lowered boolean compared with the value as written
    ("eq", "FALSE", "false", True),
    ("eq", "true", "True", False),  # a YAML `value: True` never matches a boolean
    ("eq", "", "", True),
    ("eq", "Webhook", "webhook", False),  # non-booleans compare exactly
    ("eq", "0", "0", True),
    ("noteq", "", "", False),
    ("noteq", "0", "0", False),
    ("noteq", "4h0m0s", "0", True),
    ("noteq", "False", "false", False),
    ("gt", "5", "4", True),
    ("gt", "4", "4", False),
    ("gte", "4", "4", True),
    ("gte", " 10 ", "5", True),  # TrimSpace before Atoi
    ("lt", "3", "4", True),
    ("lt", "4", "4", False),
    ("lte", "4", "4", True),
    ("lte", "5", "4", False),
    ("has", "NodeRestriction,AlwaysPullImages", "NodeRestriction", True),
    ("has", "noderestriction", "NodeRestriction", False),  # case-sensitive
    ("has", "anything", "", True),  # value "" always passes
    ("nothave", "Node,RBAC", "AlwaysAllow", True),
    ("nothave", "AlwaysAllow,RBAC", "AlwaysAllow", False),
    ("nothave", "x", "", False),  # value "" always fails
    ("nothave", "", "AlwaysAllow", True),  # empty flag value passes
    ("regex", "RotateKubeletServerCertificate=true", "RotateKubeletServerCertificate=true", True),
    ("regex", "abc", "b", True),  # not anchored
    ("regex", "abc", "^b", False),
    ("valid_elements", "a,b", "a,b,c", True),
    ("valid_elements", "a, b,", "a,b,c", True),  # TrimSpace per element, trailing , dropped
    ("valid_elements", "a,d", "a,b,c", False),
    ("valid_elements", "", "", True),  # both empty pass
    ("valid_elements", "", "a", False),  # one empty fails
    ("valid_elements", "a", "", False),
    ("valid_elements", "A", "a", False),  # exact, case-sensitive
    ("bitmask", "640", "644", True),
    ("bitmask", "644", "644", True),
    ("bitmask", "777", "644", False),
    ("bitmask", "211", "644", False),
    ("bitmask", "444", "644", True),
    ("bitmask", "600", "600", True),
    ("bitmask", "0644", "600", False),
    ("noteqx", "x", "y", False),  # unknown op: always fail
    ("noteqx", "", "", False),
]


@pytest.mark.parametrize(("op", "flag_val", "value", "ok"), OPS)
def test_compare_op_pass_rule(op: str, flag_val: str, value: str, ok: bool) -> None:
    assert compare_op(op, flag_val, value, "--x")[1] is ok


@pytest.mark.parametrize("flag_val", ["", "5m", "1.5", "30s", "abc"])
@pytest.mark.parametrize("op", ["gt", "gte", "lt", "lte"])
def test_non_integers_give_invalid_numbers_text(op: str, flag_val: str) -> None:
    assert compare_op(op, flag_val, "5", "--x") == (
        f"Invalid Number(s) used for comparison: '{flag_val}' '5'",
        False,
    )


def test_invalid_number_on_the_value_side() -> None:
    assert compare_op("gte", "5", "x", "--x") == (
        "Invalid Number(s) used for comparison: '5' 'x'",
        False,
    )


@pytest.mark.parametrize(
    ("op", "text"),
    [
        ("eq", "'--x' is equal to 'v'"),
        ("noteq", "'--x' is not equal to 'v'"),
        ("has", "'--x' has 'v'"),
        ("nothave", "'--x' does not have 'v'"),
        ("regex", "'--x' matched by regex expression 'v'"),
        ("valid_elements", "'--x' contains valid elements from 'v'"),
        ("noteqx", ""),
    ],
)
def test_expected_result_templates(op: str, text: str) -> None:
    assert compare_op(op, "q", "v", "--x")[0] == text


@pytest.mark.parametrize(
    ("op", "text"),
    [
        ("gt", "'--x' is greater than 4"),
        ("gte", "'--x' is greater or equal to 4"),
        ("lt", "'--x' is lower than 4"),
        ("lte", "'--x' is lower or equal to 4"),
    ],
)
def test_numeric_expected_templates(op: str, text: str) -> None:
    assert compare_op(op, "3", "4", "--x")[0] == text


def test_bitmask_messages() -> None:
    assert compare_op("bitmask", "640", "600", "permissions") == (
        "permissions has permissions 640, expected 600 or more restrictive",
        False,
    )
    assert compare_op("bitmask", "x9", "600", "permissions") == (
        "Not numeric value - flag: x9",
        False,
    )
    assert compare_op("bitmask", "644", "9", "permissions") == (
        "Not numeric value - flag: 9",
        False,
    )


def test_invalid_regex_is_an_error_not_a_verdict() -> None:
    with pytest.raises(ValueError, match="invalid regex"):
        compare_op("regex", "x", "(", "--x")


# REFERENCE §1.6 flag table: (output, flag, found, value)
FLAGS = [
    ("--peer-client-cert-auth", "--peer-client-cert-auth", True, "true"),
    ("--abc --peer-client-cert-auth --efg", "--peer-client-cert-auth", True, "true"),
    ("--peer-client-cert-auth=false", "--peer-client-cert-auth", True, "false"),
    ("some-arg: some-val", "some-arg", True, "some-val"),
    ("some-arg:some-val", "some-arg", True, "some-val"),
    ("permissions=640", "permissions", True, "640"),
    ("--anonymous-auth=", "--anonymous-auth", True, "true"),
    ("--config /etc/k.json", "--config", True, "true"),
    ("--profiling-x=1", "--profiling", True, "-x=1"),
    ("--a=1 --a=2", "--a", True, "1"),
    ("---audit-log-maxage=40", "--audit-log-maxage", True, "40"),
    ("root:root", "root:root", True, "root:root"),
    ("--other=1", "--absent", False, ""),
    ("--other=1", "", False, ""),
    ("", "--x", False, ""),
]


@pytest.mark.parametrize(("output", "flag", "found", "value"), FLAGS)
def test_flag_lookup(output: str, flag: str, found: bool, value: str) -> None:
    assert find_flag(output, flag) == (found, value)


# REFERENCE §1.6 path rules: (config output, path, found, value)
PATHS = [
    (
        '{"authentication":{"anonymous":{"enabled":false}}}',
        "{.authentication.anonymous.enabled}",
        True,
        "false",
    ),
    (
        "authentication:\n  anonymous:\n    enabled: false\n",
        "{.authentication.anonymous.enabled}",
        True,
        "false",
    ),
    ("a: yes\n", "{.a}", True, "true"),  # YAML 1.1 booleans
    ("a: off\n", "{.a}", True, "false"),
    ('{"eventRecordQPS": 15000}', "{.eventRecordQPS}", True, "15000"),  # float64 %v
    ('{"n": 1000000}', "{.n}", True, "1e+06"),
    ("n: 1000000\n", "{.n}", True, "1000000"),  # YAML integers stay integers
    ('{"a": ""}', "{.a}", False, ""),  # empty string is "not found"
    ('{"a": 1}', "{.missing}", False, ""),  # missing key is "not found"
    ("secrets: [secret1, secret2]\n", "{.secrets[*]}", True, "secret1 secret2"),
    ("tlsCipherSuites: [A, B]\n", "{range .tlsCipherSuites[:]}{}{','}{end}", True, "A,B,"),
    ('{"a": {"b": 1, "c": [2]}}', "{.a}", True, '{"b":1,"c":[2]}'),  # map prints as JSON
    ("x: [a, b]\n", "{.x}", True, '["a","b"]'),
    ("", "{.a}", False, ""),
]


@pytest.mark.parametrize(("output", "path", "found", "value"), PATHS)
def test_path_lookup(output: str, path: str, found: bool, value: str) -> None:
    assert find_path(output, path) == (found, value)


@pytest.mark.parametrize("output", [": : :\n  - {", '{"a": [1,'])
def test_unparseable_config_is_an_error(output: str) -> None:
    with pytest.raises(ValueError):
        find_path(output, "{.a}")


def test_bad_path_expression_is_an_error() -> None:
    with pytest.raises(ValueError, match="unable to parse path"):
        find_path('{"a": 1}', "{range .a}")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (15000.0, "15000"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1.5, "1.5"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1234567.0, "1.234567e+06"),
        (-2.0, "-2"),
    ],
)
def test_go_float_printing(value: float, text: str) -> None:
    assert go_float(value) == text


# REFERENCE §1.6 env: (output, env, found, value)
ENVS = [
    ("ETCD_AUTO_TLS=false\nOTHER=1", "ETCD_AUTO_TLS", True, "false"),
    ("OTHER=1\nETCD_AUTO_TLS=true", "ETCD_AUTO_TLS", True, "true"),
    ("XFOO=1", "FOO", True, "1"),  # not anchored
    ("FOO=\nBAR=1", "FOO", False, ""),  # empty value counts as not found
    ("BAR=1", "FOO", False, ""),
    ("", "FOO", False, ""),
]


@pytest.mark.parametrize(("output", "env", "found", "value"), ENVS)
def test_env_lookup(output: str, env: str, found: bool, value: str) -> None:
    assert find_env(output, env) == (found, value)


def test_set_false_passes_only_when_absent() -> None:
    item = CheckItem(flag="--x", is_set=False, op="eq", value="1")  # compare is ignored
    assert run_item(item, "--y", "flag", False).passed
    gone = run_item(item, "--x=1", "flag", False)
    assert not gone.passed and gone.expected == "'--x' is not present"


def test_presence_text() -> None:
    assert run_item(CheckItem(flag="--x"), "--x", "flag", False).expected == "'--x' is present"


def test_use_multiple_values_every_line_must_pass_and_empty_line_fails() -> None:
    item = CheckItem(flag="permissions", op="bitmask", value="600")
    assert run_item(item, "permissions=600\npermissions=400\n", "flag", True).passed
    assert not run_item(item, "permissions=600\npermissions=644", "flag", True).passed
    assert not run_item(item, "permissions=600\n\npermissions=600", "flag", True).passed
    assert not run_item(item, "", "flag", True).passed


def test_output_is_trimmed_right_of_blanks_and_newlines() -> None:
    result = run_item(CheckItem(flag="root:root"), "root:root \n\n", "flag", False)
    assert result.passed and result.actual == "root:root"


# REFERENCE §1.7 fallback: flag first; config only when the flag is not found
def test_flag_wins_over_config() -> None:
    item = CheckItem(
        flag="--anonymous-auth", path="{.authentication.anonymous.enabled}", op="eq", value="false"
    )
    cfg = "authentication: {anonymous: {enabled: false}}"
    out = Outputs(audit="kubelet --anonymous-auth=true", config=cfg, has_config=True)
    result = evaluate_item(item, out, False)
    assert not result.passed and result.expected == "'--anonymous-auth' is equal to 'false'"


def test_config_used_when_flag_absent() -> None:
    item = CheckItem(
        flag="--anonymous-auth", path="{.authentication.anonymous.enabled}", op="eq", value="false"
    )
    cfg = "authentication: {anonymous: {enabled: false}}"
    out = Outputs(audit="kubelet --config=/x", config=cfg, has_config=True)
    result = evaluate_item(item, out, False)
    assert result.passed
    assert result.expected == "'{.authentication.anonymous.enabled}' is equal to 'false'"


def test_env_used_when_flag_and_config_absent() -> None:
    item = CheckItem(flag="--auto-tls", env="ETCD_AUTO_TLS", op="eq", value="false")
    out = Outputs(audit="etcd --name=x", env="ETCD_AUTO_TLS=false")
    result = evaluate_item(item, out, False)
    assert result.passed and result.expected == "'ETCD_AUTO_TLS' is equal to 'false'"


def test_path_only_item_with_empty_config_is_not_found() -> None:
    item = CheckItem(path="{.readOnlyPort}", op="eq", value="0")
    result = evaluate_item(item, Outputs(audit="kubelet", config="", has_config=True), False)
    assert not result.found and not result.passed


def test_bin_op_and_or_and_expected_join() -> None:
    items = (CheckItem(flag="--a"), CheckItem(flag="--b"))
    out = Outputs(audit="--a")
    assert execute(items, "", out, False) == (False, "'--a' is present AND '--b' is present", "--a")
    assert execute(items, "or", out, False)[:2] == (True, "'--a' is present OR '--b' is present")


@pytest.mark.parametrize("bin_op", ["AND", "xor"])
def test_unknown_bin_op_is_an_error(bin_op: str) -> None:
    with pytest.raises(BinOpError, match="unknown binary operator"):
        execute((CheckItem(flag="--a"),), bin_op, Outputs(audit="--a"), False)
