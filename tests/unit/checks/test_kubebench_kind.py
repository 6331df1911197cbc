"""The kubebench kind's state rules (REFERENCE §1.8): scored/type/tests/audit errors."""

from __future__ import annotations

from hardening.checks.kinds.kubebench import Params, Scripts, evaluate, needs
from hardening.checks.kubebench_semantics import CheckItem
from hardening.facts.command import Command
from hardening.model.facts import CommandOutput, Facts
from hardening.model.result import Status

ITEM = (
    CheckItem(
        flag="--anonymous-auth", path="{.authentication.anonymous.enabled}", op="eq", value="false"
    ),
)
SCRIPTS = Scripts(
    audit="/bin/ps -fC $kubeletbin",
    audit_config="/bin/cat $kubeletconf",
    audit_cmd="AUDIT",
    config_cmd="CONFIG",
)


def facts(**outputs: tuple[int, str]) -> Facts:
    values = {Command(k, 20): CommandOutput(rc, out.encode()) for k, (rc, out) in outputs.items()}
    return Facts("n1", values)


def check(**kw: object) -> Params:
    base: dict[str, object] = {
        "check_id": "4.2.1",
        "scripts": SCRIPTS,
        "tests": ITEM,
        "scored": True,
    }
    base.update(kw)
    return Params(**base)  # type: ignore[arg-type]


def test_needs_one_command_per_script() -> None:
    assert needs(check()) == (Command("AUDIT", 20), Command("CONFIG", 20))
    assert needs(check(type="skip")) == ()


def test_pass_and_scored_fail() -> None:
    ok = evaluate(check(), facts(AUDIT=(0, "kubelet --anonymous-auth=false"), CONFIG=(0, "")))
    assert ok.status is Status.PASS
    assert ok.expected == "'--anonymous-auth' is equal to 'false'"
    bad = evaluate(check(), facts(AUDIT=(0, "kubelet --anonymous-auth=true"), CONFIG=(0, "")))
    assert bad.status is Status.FAIL and "anonymous-auth=true" in bad.observed


def test_unscored_failure_is_warn() -> None:
    out = evaluate(
        check(scored=False), facts(AUDIT=(0, "kubelet --anonymous-auth=true"), CONFIG=(0, ""))
    )
    assert out.status is Status.WARN


def test_scored_no_tests_key_is_warn_there_are_no_tests() -> None:
    out = evaluate(check(tests=None), facts())
    assert out.status is Status.WARN and out.reason == "There are no tests"


def test_type_skip_is_skip_and_manual_is_warn() -> None:
    assert evaluate(check(type="skip"), facts()).status is Status.SKIP
    manual = evaluate(check(type="manual"), facts())
    assert manual.status is Status.WARN and manual.reason == "Test marked as a manual test"


def test_empty_test_items() -> None:
    assert evaluate(check(tests=()), facts()).status is Status.FAIL
    assert evaluate(check(tests=(), scored=False), facts()).status is Status.WARN
    assert evaluate(check(tests=None, scored=False), facts()).status is Status.WARN


def test_audit_error_is_fail_when_scored_warn_when_not() -> None:
    f = facts(AUDIT=(1, "ps: error"), CONFIG=(0, ""))
    out = evaluate(check(), f)
    assert out.status is Status.FAIL
    assert out.reason.startswith('failed to run: "/bin/ps -fC $kubeletbin", output: "ps: error"')
    assert out.reason.endswith("error: exit status 1")
    assert evaluate(check(scored=False), f).status is Status.WARN


def test_missing_config_file_is_ignored_when_audit_has_output() -> None:
    cfg = "cat: /var/lib/kubelet/config.yaml: No such file or directory\n"
    out = evaluate(check(), facts(AUDIT=(0, "kubelet --anonymous-auth=false"), CONFIG=(1, cfg)))
    assert out.status is Status.PASS
    exit127 = evaluate(
        check(), facts(AUDIT=(0, "kubelet --anonymous-auth=false"), CONFIG=(127, ""))
    )
    assert exit127.status is Status.PASS


def test_missing_config_file_is_an_error_when_audit_output_is_empty() -> None:
    cfg = "cat: /x: No such file or directory\n"
    out = evaluate(check(), facts(AUDIT=(0, ""), CONFIG=(1, cfg)))
    assert out.status is Status.FAIL and "exit status 1" in out.reason


def test_other_config_error_is_not_ignored() -> None:
    out = evaluate(check(), facts(AUDIT=(0, "kubelet"), CONFIG=(2, "cat: permission denied")))
    assert out.status is Status.FAIL and "exit status 2" in out.reason


def test_unknown_bin_op_fails_scored() -> None:
    out = evaluate(check(bin_op="xor"), facts(AUDIT=(0, "x"), CONFIG=(0, "")))
    assert out.status is Status.FAIL and "unknown binary operator" in out.reason


def test_timeout_and_missing_fact_are_errors() -> None:
    assert evaluate(check(), facts(AUDIT=(124, ""), CONFIG=(0, ""))).status is Status.ERROR
    assert evaluate(check(), facts()).status is Status.ERROR
