"""Many owners, one program: real branches, clones, merges, rebases and `rmtui sync`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import add_people, git, tree_digest

from rmtui.core import merge, ops
from rmtui.core.store import Program

PAIR = "asa-oberg--nguyen-van-duc"


def sh(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


@pytest.fixture
def shared(tmp_path: Path, rmtui) -> dict[str, Path]:
    """An origin and two owners' clones of one program with an active pair."""
    a = tmp_path / "alice"
    ops.init_program(a, "Shared program")
    prog = Program(a)
    add_people(prog)
    ops.add(prog, "pair", {"mentor": "asa-oberg", "mentee": "nguyen-van-duc",
                           "proposed": "2027-01-10"})
    ops.edit(prog, "pair", PAIR, [ops.Assignment("status", "set", "active"),
                                  ops.Assignment("started", "set", "2027-01-20")])
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(a, "remote", "add", "origin", str(origin))
    git(a, "push", "-q", "-u", "origin", "HEAD")
    b = tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(origin), str(b))
    # a fresh clone knows the attributes but not yet the driver: one sync sets it up
    assert sh(b, "config", "merge.rmtui.driver").returncode != 0
    run = rmtui("-C", b, "sync")
    assert run.code == 0, run.err
    assert "pulled 0 commit(s), pushed 0 commit(s)" in run.err
    assert "merge-file" in git(b, "config", "merge.rmtui.driver")
    return {"origin": origin, "a": a, "b": b}


def log(root: Path, n: int = 20) -> list[str]:
    return git(root, "log", f"-{n}", "--format=%s").splitlines()


# --------------------------------------------------------------------------
# Plain git: branches and merges
# --------------------------------------------------------------------------


def test_different_entities_on_two_branches_merge_cleanly(people_program, rmtui) -> None:
    root = people_program.root
    git(root, "checkout", "-q", "-b", "other")
    assert rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "title=Analyst").code == 0
    assert rmtui("-C", root, "goal", "add", "--title", "Use Copilot weekly", "--owner",
                 "nguyen-van-duc", "--pair", PAIR).code == 0
    git(root, "checkout", "-q", "-")
    assert rmtui("-C", root, "participant", "edit", "lucia-d-angelo", "--set",
                 "title=CFO").code == 0
    assert rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10").code == 0
    merged = sh(root, "merge", "--no-edit", "other")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert rmtui("-C", root, "validate").code == 0
    text = (root / "participants" / "asa-oberg.yaml").read_text()
    assert "title: Analyst" in text
    assert "title: CFO" in (root / "participants" / "lucia-d-angelo.yaml").read_text()
    assert (root / "goals" / "use-copilot-weekly.yaml").exists()


def test_two_fields_of_one_file_on_adjacent_lines_merge_field_by_field(people_program,
                                                                       rmtui) -> None:
    """git's line merge calls changes to neighbouring lines a conflict; rmtui's driver
    sees two different fields and merges them."""
    root = people_program.root
    path = root / "participants" / "asa-oberg.yaml"
    git(root, "checkout", "-q", "-b", "other")
    assert rmtui("-C", root, "participant", "edit", "asa-oberg", "--set",
                 "timezone=Europe/Oslo").code == 0
    git(root, "checkout", "-q", "-")
    assert rmtui("-C", root, "participant", "edit", "asa-oberg", "--set",
                 "department=Digital").code == 0
    before = path.read_text()
    assert "department: Digital\ntimezone: Europe/Stockholm\n" in before  # neighbours
    merged = sh(root, "merge", "--no-edit", "other")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "department: Digital\ntimezone: Europe/Oslo\n" in path.read_text()
    assert rmtui("-C", root, "validate").code == 0
    # without the driver (a clone that never ran rmtui), git alone stops on this merge
    git(root, "reset", "-q", "--hard", "HEAD^")
    git(root, "config", "--remove-section", "merge.rmtui")
    assert sh(root, "merge", "--no-edit", "other").returncode == 1
    assert "<<<<<<<" in path.read_text()
    git(root, "merge", "--abort")


def test_same_day_sessions_on_two_branches_merge_cleanly_and_both_stay(people_program,
                                                                       rmtui) -> None:
    root = people_program.root
    day = root / "sessions" / PAIR / "2027-02-10.yaml"
    git(root, "checkout", "-q", "-b", "other")
    assert rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "45", "--rating-mentee", "5").code == 0
    theirs = day.read_text()
    git(root, "checkout", "-q", "-")
    assert rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "60", "--rating-mentor", "4", "--summary", "Copilot in Outlook").code == 0
    ours = day.read_text()
    merged = sh(root, "merge", "--no-edit", "other")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert git(root, "status", "--porcelain") == ""
    # ours is the file; theirs is kept whole, in a marked comment, until it is split
    text = day.read_text()
    assert text.startswith(ours)
    assert merge.split_text(text.encode()) == (ours.encode(), [theirs.encode()])
    run = rmtui("-C", root, "validate")
    assert run.code == 0
    assert "warning[merged-session]" in run.out and "`rmtui sync`" in run.out
    # rmtui sync (no remote here) gives the kept session its own file, in one commit
    run = rmtui("-C", root, "sync")
    assert run.code == 0, run.err
    assert day.read_text() == ours
    assert (root / "sessions" / PAIR / "2027-02-10-2.yaml").read_text() == theirs
    assert log(root, 1) == ["session: keep both sessions of a day from a merge (1 file(s))"]
    assert rmtui("-C", root, "validate", "--strict").code == 0
    assert git(root, "status", "--porcelain") == ""


def test_identical_sessions_on_two_branches_stay_one(people_program, rmtui) -> None:
    root = people_program.root
    git(root, "checkout", "-q", "-b", "other")
    assert rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "45").code == 0
    git(root, "checkout", "-q", "-")
    assert rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "45").code == 0
    assert sh(root, "merge", "--no-edit", "other").returncode == 0
    assert sorted(p.name for p in (root / "sessions" / PAIR).iterdir()) == \
        ["2027-02-03.yaml", "2027-02-10.yaml"]


# --------------------------------------------------------------------------
# Clones: git pull --rebase, and rmtui sync
# --------------------------------------------------------------------------


def test_sync_pulls_validates_and_pushes(shared, rmtui) -> None:
    a, b = shared["a"], shared["b"]
    assert rmtui("-C", a, "participant", "edit", "asa-oberg", "--set", "title=Analyst").code == 0
    run = rmtui("-C", a, "sync")
    assert run.code == 0, run.err
    assert "pushed 1 commit(s)" in run.err
    assert rmtui("-C", b, "session", "log", PAIR, "--date", "2027-02-12").code == 0
    run = rmtui("-C", b, "sync")
    assert run.code == 0, run.err
    assert "pulled 1 commit(s), pushed 1 commit(s)" in run.err
    assert "title: Analyst" in (b / "participants" / "asa-oberg.yaml").read_text()
    # history stays linear: b's commit was replayed on top of a's
    assert log(b, 2) == [f"session: log {PAIR} on 2027-02-12", "participant: edit asa-oberg (title)"]
    assert sh(b, "rev-list", "--merges", "HEAD").stdout == ""
    assert rmtui("-C", a, "sync").code == 0
    assert tree_digest(a) == tree_digest(b)


def test_same_day_sessions_in_two_clones_with_git_pull_rebase(shared, rmtui) -> None:
    a, b = shared["a"], shared["b"]
    assert rmtui("-C", a, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "30").code == 0
    git(a, "push", "-q")
    assert rmtui("-C", b, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "90").code == 0
    pulled = sh(b, "pull", "--rebase")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert git(b, "status", "--porcelain") == ""
    assert rmtui("-C", b, "validate").code == 0
    run = rmtui("-C", b, "sync")
    assert run.code == 0, run.err
    assert rmtui("-C", a, "sync").code == 0
    for root in (a, b):
        days = sorted(p.name for p in (root / "sessions" / PAIR).iterdir())
        assert days == ["2027-02-10-2.yaml", "2027-02-10.yaml"]
        durations = sorted(rmtui("-C", root, "session", "list", "--fields",
                                 "duration_minutes", "--format", "csv").out.split()[1:])
        assert durations == ["30", "90"]
    assert tree_digest(a) == tree_digest(b)


def test_same_day_sessions_in_two_clones_with_rmtui_sync(shared, rmtui) -> None:
    a, b = shared["a"], shared["b"]
    assert rmtui("-C", a, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "30").code == 0
    assert rmtui("-C", a, "sync").code == 0
    assert rmtui("-C", b, "session", "log", PAIR, "--date", "2027-02-10", "--duration",
                 "90").code == 0
    run = rmtui("-C", b, "sync")
    assert run.code == 0, run.err
    assert "split sessions kept by a merge" in run.err
    assert rmtui("-C", a, "sync").code == 0
    assert sorted(p.name for p in (a / "sessions" / PAIR).iterdir()) == \
        ["2027-02-10-2.yaml", "2027-02-10.yaml"]
    assert rmtui("-C", a, "validate", "--strict").code == 0


def test_sync_stops_on_a_conflict_and_says_which_entities(shared, rmtui) -> None:
    a, b = shared["a"], shared["b"]
    assert rmtui("-C", a, "participant", "edit", "asa-oberg", "--set", "title=Analyst").code == 0
    assert rmtui("-C", a, "sync").code == 0
    assert rmtui("-C", b, "participant", "edit", "asa-oberg", "--set", "title=Designer").code == 0
    run = rmtui("-C", b, "sync")
    assert run.code == 3
    assert "participant asa-oberg (participants/asa-oberg.yaml)" in run.err
    assert "git rebase --continue" in run.err and "git rebase --abort" in run.err
    # nothing was pushed, and the rebase waits for the person
    assert git(shared["origin"], "log", "-1", "--format=%s").strip() == \
        "participant: edit asa-oberg (title)"
    assert (b / ".git" / "rebase-merge").exists() or (b / ".git" / "rebase-apply").exists()
    # resolved by hand, sync goes on
    path = b / "participants" / "asa-oberg.yaml"
    text = path.read_text()
    keep = [line for line in text.splitlines(keepends=True)
            if not line.startswith(("<<<<<<<", "=======", ">>>>>>>", "title: Analyst"))]
    path.write_text("".join(keep))
    git(b, "add", "participants/asa-oberg.yaml")
    cont = subprocess.run(["git", "-c", "core.editor=true", "rebase", "--continue"], cwd=b,
                          capture_output=True, text=True)
    assert cont.returncode == 0, cont.stderr
    run = rmtui("-C", b, "sync")
    assert run.code == 0, run.err
    assert "title: Designer" in path.read_text()


def test_sync_pushes_nothing_invalid(shared, rmtui) -> None:
    a, b = shared["a"], shared["b"]
    # a ends the pair on Feb 1st; b logs a session on Feb 12th meanwhile
    assert rmtui("-C", a, "pair", "edit", PAIR, "--set", "status=ended",
                 "--set", "ended=2027-02-04").code == 0
    assert rmtui("-C", a, "sync").code == 0
    origin_head = git(shared["origin"], "rev-parse", "HEAD")
    assert rmtui("-C", b, "session", "log", PAIR, "--date", "2027-02-12").code == 0
    run = rmtui("-C", b, "sync")
    assert run.code == 1
    assert "nothing was pushed" in run.err
    assert git(shared["origin"], "rev-parse", "HEAD") == origin_head


def test_sync_refuses_uncommitted_program_files(shared, rmtui) -> None:
    b = shared["b"]
    assert rmtui("-C", b, "session", "log", PAIR, "--date", "2027-02-12", "--no-commit").code == 0
    path = b / "participants" / "asa-oberg.yaml"
    path.write_text(path.read_text() + "title: By hand\n")
    run = rmtui("-C", b, "sync")
    assert run.code == 3
    assert "not committed" in run.err and "participants/asa-oberg.yaml" in run.err


def test_an_older_repository_gets_the_attributes_from_sync(program, rmtui) -> None:
    root = program.root
    git(root, "rm", "-q", ".gitattributes")
    git(root, "commit", "-q", "-m", "as before rmtui knew how to merge")
    git(root, "config", "--unset", "merge.rmtui.driver")
    run = rmtui("-C", root, "sync")
    assert run.code == 0, run.err
    assert (root / ".gitattributes").read_text() == merge.ATTRIBUTES
    assert log(root, 1) == ["program: merge program files field by field (rmtui's merge driver)"]
    assert "merge-file" in git(root, "config", "merge.rmtui.driver")
