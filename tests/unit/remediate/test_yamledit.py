import pytest
import yaml

from hardening.remediate.yamledit import YamlEditError, manifest_flag, merged, scalar, set_keys

KUBELET = """\
# written by hand: keep this comment
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: true   # TODO turn off
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
clusterDNS:
  - 10.96.0.10
readOnlyPort: 10255
notes: |
  first
  second
"""


def changed_lines(old: str, new: str) -> tuple[set[str], set[str]]:
    a, b = set(old.splitlines()), set(new.splitlines())
    return a - b, b - a


def test_set_keys_changes_only_the_lines_of_the_keys_it_sets() -> None:
    changes = {
        "authentication": {"anonymous": {"enabled": False}, "x509": {"clientCAFile": "/ca.crt"}},
        "readOnlyPort": 0,
        "podPidsLimit": 4096,
    }
    new = set_keys(KUBELET, changes)
    assert yaml.safe_load(new) == merged(yaml.safe_load(KUBELET), changes)
    gone, added = changed_lines(KUBELET, new)
    assert gone == {"    enabled: true   # TODO turn off", "readOnlyPort: 10255"}
    assert added == {
        "    enabled: false   # TODO turn off",
        "  x509:",
        "    clientCAFile: /ca.crt",
        "readOnlyPort: 0",
        "podPidsLimit: 4096",
    }
    assert new.index("  x509:") < new.index("authorization:")  # inside its parent mapping
    assert new.startswith("# written by hand: keep this comment\n")


def test_set_keys_keeps_an_already_compliant_file_byte_for_byte() -> None:
    assert set_keys(KUBELET, {"authorization": {"mode": "AlwaysAllow"}}) == KUBELET


@pytest.mark.parametrize(
    "text",
    [
        '{"authentication": {"anonymous": {"enabled": true}}}\n',  # JSON (flow style)
        "a: 1\n---\nb: 2\n",  # two documents
        "authentication: &x\n  anonymous:\n    enabled: true\nother: *x\n",  # an alias
        "authentication:\n  anonymous: [1, 2]\n",  # a list where a mapping is set
    ],
)
def test_layouts_beyond_a_line_edit_are_refused(text: str) -> None:
    with pytest.raises(YamlEditError):
        set_keys(text, {"authentication": {"anonymous": {"enabled": False}}})


def test_scalars_load_back_as_what_was_set() -> None:
    for value in (True, False, 0, 4096, "Webhook", "4h0m0s", "/etc/ca.crt", "yes", "5", "a: b", ""):
        assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver  # static pod
spec:
  containers:
    - command:
        - kube-apiserver
        - --anonymous-auth=true
        - --profiling
        - --advertise-address=10.0.0.1
      image: registry.k8s.io/kube-apiserver:v1.31.0
      name: kube-apiserver
"""


def test_manifest_flag_replaces_its_lines_and_keeps_the_rest() -> None:
    new = manifest_flag(MANIFEST, "--anonymous-auth", "false")
    gone, added = changed_lines(MANIFEST, new)
    assert gone == {"        - --anonymous-auth=true"}
    assert added == {"        - --anonymous-auth=false"}
    cmd = yaml.safe_load(new)["spec"]["containers"][0]["command"]
    assert cmd[-1] == "--anonymous-auth=false" and cmd.count("--profiling") == 1
    boolean = manifest_flag(MANIFEST, "--profiling", "false")
    assert changed_lines(MANIFEST, boolean) == (
        {"        - --profiling"},
        {"        - --profiling=false"},
    )


def test_a_manifest_in_flow_style_is_refused() -> None:
    flow = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: [a, --x=1]\n"
    with pytest.raises(YamlEditError):
        manifest_flag(flow, "--x", "2")
