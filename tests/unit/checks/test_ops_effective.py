"""Ops and the effective-setting resolver."""

from __future__ import annotations

import pytest

from hardening.checks.components.registry import MODELS
from hardening.checks.layers import Layers, resolve
from hardening.checks.ops import canonical, check_op, compare, number
from hardening.parsers.flags import flag_value, map_flag_value


@pytest.mark.parametrize(
    ("op", "observed", "value", "ok"),
    [
        ("bitmask", "640", "644", True),
        ("bitmask", "777", "644", False),
        ("bitmask", "211", "644", False),
        ("bitmask", "444", "644", True),
        ("bitmask", "rw", "644", False),
        ("eq", "false", "false", True),
        ("noteq", "", "0", True),
        ("has", "Node,RBAC", "RBAC", True),
        ("has", "NodeRestriction", "Node", False),
        ("nothas", "AlwaysAdmit,X", "AlwaysAdmit", False),
        ("in", "prohibit-password", ("no", "prohibit-password"), True),
        ("valid_elements", "TLS_A,TLS_B", ("TLS_A", "TLS_B", "TLS_C"), True),
        ("valid_elements", "TLS_A,RC4", ("TLS_A",), False),
        ("valid_elements", "", ("A",), False),
        ("gt", "5", "0", True),
        ("gt", "abc", "0", False),
        ("gte", "4h0m0s", "5m", True),
        ("lte", "30s", "5m", True),
        ("regex", "abc123", r"\d+$", True),
        ("set", "x", None, True),
        ("set", "", None, False),
        ("unset", "", None, True),
    ],
)
def test_ops(op: str, observed: str, value: object, ok: bool) -> None:
    assert compare(op, observed, value, "n")[0] is ok


def test_op_validation_messages() -> None:
    assert "unknown op 'noteqx'" in (check_op("noteqx", "1") or "")
    assert "needs a value" in (check_op("eq", None) or "")
    assert "invalid regex" in (check_op("regex", "(") or "")
    assert "octal" in (check_op("bitmask", "9z") or "")
    assert check_op("gte", "5m") is None


def test_canonical_and_number() -> None:
    assert canonical(True) == "true" and canonical([1, "a"]) == "1,a" and canonical(None) == ""
    assert number("1h30m") == 5400 and number("x") is None


@pytest.mark.parametrize(
    ("argv", "is_bool", "want"),
    [
        (("k", "--a=1", "--a=2"), False, "2"),
        (("k", "--a", "3"), False, "3"),
        (("k", "--a"), True, "true"),
        (("k", "--a", "false"), True, "true"),
        (("k", "--a=false"), True, "false"),
        (("k", "-a=5"), False, "5"),
        (("k", "--a"), False, ""),
        (("k", "--ab=1"), False, None),
        (("k", "--", "--a=1"), False, None),
    ],
)
def test_flag_value(argv: tuple[str, ...], is_bool: bool, want: str | None) -> None:
    assert flag_value(argv, "--a", is_bool=is_bool) == want


def test_resolve_records_winner_and_shadowed() -> None:
    layers = Layers(
        ("kubelet", "--read-only-port=10255"),
        "process 1",
        MODELS["kubelet"],
        ("/c.yaml", {"readOnlyPort": 0}),
    )
    s = resolve(layers, flag="--read-only-port", key="readOnlyPort")
    assert (s.value, s.origin) == ("10255", "flag")
    assert s.shadowed[0] == "overridden: /c.yaml: readOnlyPort: 0"
    assert s.shadowed[1].startswith("overridden: KubeletConfiguration v1beta1 default")


FG = "--feature-gates"


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        (("kubelet",), None),
        (("kubelet", "--feature-gates=A=true,RotateKubeletServerCertificate=false"), "false"),
        (("kubelet", "--feature-gates", "RotateKubeletServerCertificate=true, B=false"), "true"),
        # occurrences merge key by key: a later flag that does not name the key keeps it
        (
            (
                "kubelet",
                "--feature-gates=RotateKubeletServerCertificate=false",
                "--feature-gates=B=true",
            ),
            "false",
        ),
        (
            (
                "kubelet",
                "--feature-gates=RotateKubeletServerCertificate=false",
                "--feature-gates=RotateKubeletServerCertificate=true",
            ),
            "true",
        ),
        (("kubelet", "--feature-gates=XRotateKubeletServerCertificate=false"), None),
        (("kubelet", "--feature-gates=RotateKubeletServerCertificate"), None),  # no '=': no value
    ],
)
def test_map_flag_value(argv: tuple[str, ...], want: str | None) -> None:
    assert map_flag_value(argv, FG, "RotateKubeletServerCertificate") == want


def test_map_flag_key_wins_over_the_config_key_only_when_named() -> None:
    config = ("/c.yaml", {"featureGates": {"RotateKubeletServerCertificate": False}})
    args = {
        "flag": FG,
        "key": "featureGates.RotateKubeletServerCertificate",
        "flag_key": "RotateKubeletServerCertificate",
    }

    def layers(*argv: str) -> Layers:
        return Layers(argv, "process 1", MODELS["kubelet"], config)

    s = resolve(layers("kubelet", "--feature-gates=Other=true"), **args)
    assert (s.value, s.origin) == ("false", "config")
    s = resolve(layers("kubelet", "--feature-gates=RotateKubeletServerCertificate=true"), **args)
    assert (s.value, s.origin) == ("true", "flag")
    assert s.source == "process 1: --feature-gates: RotateKubeletServerCertificate=true"
    assert s.shadowed[0] == (
        "overridden: /c.yaml: featureGates.RotateKubeletServerCertificate: false"
    )


def test_canonical_never_shows_secret_values() -> None:
    aes = {"aescbc": {"keys": [{"name": "k1", "secret": "c2VjcmV0"}]}}
    enc = {
        "resources": [{"providers": [aes, {"identity": {}}]}],
        "users": [{"user": {"token": "abc123"}}],
    }
    text = canonical(enc)
    assert "c2VjcmV0" not in text and "abc123" not in text and "aescbc" in text
