from hardening.remediate.changes import as_dicts, closing_line, combine
from hardening.remediate.runner import Change, DiffPart, diff_parts

CONFIG = "/var/lib/kubelet/config.yaml"


def text_change(tag: str, before: str, after: str, host: str = "w1") -> Change:
    return Change(host, tag, f"{tag}: write", "", (DiffPart(CONFIG, before, after),))


def mode_change(tag: str, before: str, after: str, host: str = "w1") -> Change:
    part = DiffPart(CONFIG, {"path": CONFIG, "mode": before}, {"path": CONFIG, "mode": after})
    return Change(host, tag, f"{tag}: chmod", "", (part,))


def test_one_file_edited_by_several_controls_is_one_diff_from_first_to_last() -> None:
    # the task files chain their edits: each after holds the edits before it
    base = "a: 1\nb: 1\n"
    files = combine(
        [
            text_change("t-a", base, "a: 2\nb: 1\n"),
            mode_change("t-m", "0666", "0600"),
            text_change("t-b", base, "a: 2\nb: 2\n"),
            mode_change("t-w", "0666", "0664"),  # o-w, checked against the original mode
        ]
    )
    (f,) = files
    assert (f.host, f.path, f.tags) == ("w1", CONFIG, ("t-a", "t-m", "t-b", "t-w"))
    assert f.attributes == ("mode 0666 -> 0600",)  # 600 and o-w together, not the last one
    assert f.diff.count(f"--- {CONFIG}") == 1
    assert "-a: 1\n-b: 1\n+a: 2\n+b: 2\n" in f.diff
    assert closing_line(files, applied=False) == "4 changes in 1 file on 1 host; rerun with --apply"
    assert closing_line(files, applied=True) == "4 changes in 1 file on 1 host"


def test_files_are_counted_per_host_and_changes_without_a_file_are_kept() -> None:
    files = combine(
        [
            text_change("t-a", "x\n", "y\n", host="w1"),
            text_change("t-a", "x\n", "y\n", host="w2"),
            Change("w2", "t-s", "t-s: load", "", ()),
        ]
    )
    assert [(f.host, f.path) for f in files] == [("w1", CONFIG), ("w2", CONFIG), ("w2", "")]
    assert closing_line(files, applied=False) == (
        "3 changes in 2 files on 2 hosts; rerun with --apply"
    )
    assert as_dicts(files)[2]["task"] == "t-s: load"
    assert closing_line([], applied=False) == "no change would be made"


def test_diff_parts_name_the_file() -> None:
    (text,) = diff_parts(
        {
            "diff": [
                {"before_header": CONFIG, "after_header": "/tmp/x.j2", "before": "a", "after": "b"}
            ]
        }
    )
    assert (text.path, text.before, text.after) == (CONFIG, "a", "b")
    (attrs,) = diff_parts({"diff": {"before": {"path": CONFIG, "mode": "0644"}, "after": {}}})
    assert attrs.path == CONFIG and attrs.before["mode"] == "0644"
