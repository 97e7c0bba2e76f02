"""A commit's diff for the History screen, the commit undo would revert, and undo
refusing when that commit is no longer rmtui's last change."""

from __future__ import annotations

import subprocess

import pytest
from helpers import commit_count, git, head_subject, porcelain

from rmtui.core import ops
from rmtui.core.errors import DataError, UsageError
from rmtui.core.store import Program


def test_show_gives_the_header_the_files_and_the_patch(people_copy) -> None:
    root = people_copy.root
    out = ops.edit(people_copy, "participant", "asa-oberg", [ops.Assignment("grade", "set", 1)])
    shown = ops.show(people_copy, out.commit[:10])
    assert shown.commit == out.commit
    assert not shown.truncated
    text = shown.text
    assert text.startswith(f"commit {out.commit}\nAuthor: Pat Owner <pat@example.com>\n")
    assert "participant: edit asa-oberg (grade)" in text
    assert "Rmtui-Op: participant.edit" in text
    assert "diff --git a/participants/asa-oberg.yaml b/participants/asa-oberg.yaml\n" in text
    assert "-grade: 2\n+grade: 1\n" in text
    assert "\x1b[" not in text  # no colour codes
    assert porcelain(root) == ""


def test_show_names_paths_relative_to_a_program_in_a_subfolder(tmp_path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "other.txt").write_text("x\n", encoding="utf-8")
    ops.init_program(repo / "prog", "Nested")
    prog = Program(repo / "prog")
    out = ops.add(prog, "participant", {"name": "Ann Lee", "role": "mentor", "grade": 3,
                                        "department": "IT", "email": "ann@example.com"})
    text = ops.show(prog, out.commit).text
    assert f"participants/{out.entity_id}.yaml" in text
    assert "prog/participants" not in text


def test_show_cuts_a_huge_commit_at_a_line(people_copy) -> None:
    shown = ops.show(people_copy, git(people_copy.root, "rev-list", "--max-parents=0",
                                      "HEAD").strip(), max_chars=300)
    assert shown.truncated
    assert len(shown.text) <= 300
    assert shown.text.endswith("\n")


def test_show_of_an_unknown_commit_is_a_usage_error(people_copy) -> None:
    with pytest.raises(UsageError, match="no commit"):
        ops.show(people_copy, "deadbeef")
    with pytest.raises(UsageError):
        ops.show(people_copy, "--output=/tmp/x")


def test_undo_target_is_rmtuis_last_change_and_undo_checks_it(people_copy) -> None:
    root = people_copy.root
    out = ops.edit(people_copy, "participant", "asa-oberg", [ops.Assignment("grade", "set", 1)])
    target = ops.undo_target(people_copy)
    assert target is not None and target.sha == out.commit
    # a commit by hand in between is not a candidate
    (root / "README.md").write_text("by hand\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "readme by hand")
    assert ops.undo_target(people_copy).sha == out.commit

    # another rmtui change meanwhile: undo of the one shown is refused, nothing written
    later = ops.edit(people_copy, "participant", "asa-oberg",
                     [ops.Assignment("grade", "set", 3)])
    before = commit_count(root)
    with pytest.raises(DataError, match="not the one shown"):
        ops.undo(people_copy, expected=out.commit)
    assert commit_count(root) == before
    assert porcelain(root) == ""

    done = ops.undo(people_copy, expected=later.commit)
    assert head_subject(root) == "undo: participant: edit asa-oberg (grade)"
    assert done.paths == ["participants/asa-oberg.yaml"]
    assert "grade: 1\n" in (root / "participants/asa-oberg.yaml").read_text(encoding="utf-8")


def test_a_new_program_has_nothing_to_undo(program) -> None:
    assert ops.undo_target(program) is None
