"""git behaviour: no commit mid-merge, hand changes left alone, history, undo, hooks,
identity, and one writer at a time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import git, tree_digest

from rmtui.core.lock import program_lock

PAIR = "asa-oberg--nguyen-van-duc"
ASA = "participants/asa-oberg.yaml"


def sh(root: Path, *args: str) -> subprocess.CompletedProcess:
    """git that may fail (a merge that stops on a conflict)."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def head_files(root: Path) -> list[str]:
    return git(root, "show", "--name-only", "--format=", "HEAD").split()


def porcelain(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


def set_grade(root: Path, grade: int, message: str) -> str:
    path = root / ASA
    text = path.read_text(encoding="utf-8")
    lines = [f"grade: {grade}" if line.startswith("grade:") else line
             for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", message)
    return head(root)


def branch(root: Path) -> str:
    return git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()


# --------------------------------------------------------------------------
# No commit while git is in the middle of something
# --------------------------------------------------------------------------


def _merge(root: Path) -> None:
    main = branch(root)
    git(root, "checkout", "-q", "-b", "other")
    set_grade(root, 4, "grade 4 on other")
    git(root, "checkout", "-q", main)
    set_grade(root, 5, "grade 5 on main")
    assert sh(root, "merge", "other").returncode != 0


def _rebase(root: Path) -> None:
    main = branch(root)
    git(root, "checkout", "-q", "-b", "topic")
    set_grade(root, 4, "grade 4 on topic")
    git(root, "checkout", "-q", main)
    set_grade(root, 5, "grade 5 on main")
    git(root, "checkout", "-q", "topic")
    assert sh(root, "rebase", main).returncode != 0


def _cherry_pick(root: Path) -> None:
    main = branch(root)
    git(root, "checkout", "-q", "-b", "other")
    sha = set_grade(root, 4, "grade 4 on other")
    git(root, "checkout", "-q", main)
    set_grade(root, 5, "grade 5 on main")
    assert sh(root, "cherry-pick", sha).returncode != 0


def _revert(root: Path) -> None:
    first = set_grade(root, 4, "grade 4")
    set_grade(root, 5, "grade 5")
    assert sh(root, "revert", "--no-edit", first).returncode != 0


def _stash_pop(root: Path) -> None:
    """Conflict entries in the index with no operation under way."""
    (root / ASA).write_text((root / ASA).read_text(encoding="utf-8").replace(
        "grade: 2", "grade: 4"), encoding="utf-8")
    git(root, "stash", "-q")
    set_grade(root, 5, "grade 5")
    assert sh(root, "stash", "pop").returncode != 0


BUSY = [
    (_merge, "merge", "git merge --abort"),
    (_rebase, "rebase", "git rebase --continue"),
    (_cherry_pick, "cherry-pick", "git cherry-pick --abort"),
    (_revert, "revert", "git revert --abort"),
    (_stash_pop, "unresolved conflicts", ASA),
]

MUTATIONS = [
    ["participant", "edit", "nguyen-van-duc", "--set", "grade=9"],
    ["participant", "add", "--name", "Maria Rossi", "--role", "mentor"],
    ["session", "log", PAIR, "--date", "2027-02-10"],
    ["goal", "remove", "nothing-here"],
]


@pytest.mark.parametrize(("make", "what", "how"), BUSY, ids=[b[1] for b in BUSY])
def test_no_commit_while_git_is_busy(people_program, rmtui, make, what, how) -> None:
    root = people_program.root
    make(root)
    before = tree_digest(root)
    status = porcelain(root)
    sha = head(root)
    for args in MUTATIONS[:3]:
        run = rmtui("-C", root, *args)
        assert run.code == 3, (args, run.err)
        assert what in run.err
        assert how in run.err
        assert run.out == ""
        assert tree_digest(root) == before
        assert porcelain(root) == status
        assert head(root) == sha
    assert not (root / "participants/maria-rossi.yaml").exists()
    undo = rmtui("-C", root, "undo")
    assert undo.code == 3
    assert what in undo.err
    assert tree_digest(root) == before and head(root) == sha


def test_the_busy_message_says_how_to_finish(people_program, rmtui) -> None:
    root = people_program.root
    _merge(root)
    run = rmtui("-C", root, "participant", "edit", "nguyen-van-duc", "--set", "grade=9")
    assert run.err.splitlines() == [
        "error: a git merge is in progress; rmtui will not commit in the middle of it",
        "hint: finish it with `git commit`, or abort it with `git merge --abort`",
    ]
    # once the merge is finished, rmtui commits again
    git(root, "checkout", "-q", "--theirs", ASA)
    git(root, "add", ASA)
    git(root, "commit", "-q", "--no-edit")
    run = rmtui("-C", root, "participant", "edit", "nguyen-van-duc", "--set", "grade=9")
    assert run.code == 0, run.err
    assert head_files(root) == ["participants/nguyen-van-duc.yaml"]


def test_no_commit_flag_still_writes_during_a_merge(people_program, rmtui) -> None:
    """--no-commit makes no commit, so a merge under way does not stop it."""
    root = people_program.root
    _merge(root)
    sha = head(root)
    run = rmtui("-C", root, "participant", "edit", "nguyen-van-duc", "--set", "grade=9",
                "--no-commit")
    assert run.code == 0, run.err
    assert "grade: 9" in (root / "participants/nguyen-van-duc.yaml").read_text(encoding="utf-8")
    assert head(root) == sha


# --------------------------------------------------------------------------
# Hand-made changes stay out of rmtui's commits
# --------------------------------------------------------------------------


def test_changes_made_by_hand_stay_out_of_rmtuis_commit(people_program, rmtui) -> None:
    root = people_program.root
    lucia = root / "participants/lucia-d-angelo.yaml"
    joost = root / "participants/joost-van-der-meer.yaml"
    lucia.write_text(lucia.read_text(encoding="utf-8") + "location: Rome\n", encoding="utf-8")
    joost.write_text(joost.read_text(encoding="utf-8") + "location: Utrecht\n", encoding="utf-8")
    git(root, "add", "participants/joost-van-der-meer.yaml")
    run = rmtui("-C", root, "participant", "add", "--name", "Maria Rossi", "--role", "mentor",
                "--no-commit")
    assert run.code == 0, run.err
    before = count(root)

    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=1")
    assert run.code == 0, run.err
    assert count(root) == before + 1
    assert head_files(root) == [ASA]
    assert sorted(porcelain(root).splitlines()) == [
        " M participants/lucia-d-angelo.yaml",
        "?? participants/maria-rossi.yaml",
        "M  participants/joost-van-der-meer.yaml",
    ]
    assert "Rome" not in git(root, "show", "HEAD:participants/lucia-d-angelo.yaml")
    assert "Utrecht" not in git(root, "show", "HEAD:participants/joost-van-der-meer.yaml")
    assert git(root, "diff", "--cached", "--name-only").split() == \
        ["participants/joost-van-der-meer.yaml"]
    assert "Utrecht" in git(root, "diff", "--cached")
    assert "Rome" in git(root, "diff")

    # a session logged now is one commit of its own file, too
    run = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10")
    assert run.code == 0, run.err
    assert head_files(root) == [f"sessions/{PAIR}/2027-02-10.yaml"]
    assert git(root, "diff", "--cached", "--name-only").split() == \
        ["participants/joost-van-der-meer.yaml"]


def test_the_first_commit_of_a_repository_holds_only_the_program(tmp_path, rmtui) -> None:
    outer = tmp_path / "work"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "notes.txt").write_text("draft\n", encoding="utf-8")
    git(outer, "add", "notes.txt")
    run = rmtui("init", outer / "acme", "--name", "Acme")
    assert run.code == 0, run.err
    committed = git(outer, "show", "--name-only", "--format=", "HEAD").split()
    assert "notes.txt" not in committed
    assert "acme/program.toml" in committed
    assert git(outer, "diff", "--cached", "--name-only").split() == ["notes.txt"]


# --------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------


def test_history_lists_the_commits(people_program, rmtui) -> None:
    root = people_program.root
    run = rmtui("-C", root, "history", "--fields", "date,author,subject,op")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "date\tauthor\tsubject\top",
        f"2027-03-01\tPat Owner\tsession: log {PAIR} on 2027-02-03\tsession.log",
        f"2027-03-01\tPat Owner\tpair: edit {PAIR} (started, status)\tpair.edit",
        f"2027-03-01\tPat Owner\tpair: add {PAIR}\tpair.add",
        "2027-03-01\tPat Owner\tparticipant: add lucia-d-angelo (Lucia D'Angelo)\tparticipant.add",
        "2027-03-01\tPat Owner\tparticipant: add joost-van-der-meer (Joost van der Meer)"
        "\tparticipant.add",
        "2027-03-01\tPat Owner\tparticipant: add nguyen-van-duc (Nguyễn Văn Đức)\tparticipant.add",
        "2027-03-01\tPat Owner\tparticipant: add asa-oberg (Åsa Öberg)\tparticipant.add",
        "2027-03-01\tPat Owner\tprogram: create Test program\tprogram.init",
    ]
    full = rmtui("-C", root, "history")
    lines = full.out.splitlines()
    assert lines[0] == "commit\tdate\tauthor\tsubject"
    assert len(lines) == count(root) + 1
    newest = lines[1].split("\t")
    assert newest[0] == head(root)[:10]
    assert newest[1:] == ["2027-03-01", "Pat Owner", f"session: log {PAIR} on 2027-02-03"]
    limited = rmtui("-C", root, "history", "-n", "2", "-f", "json")
    data = __import__("json").loads(limited.out)
    assert [c["sha"] for c in data] == git(root, "log", "-2", "--format=%H").split()
    # a commit made by hand has an empty op
    (root / "README.md").write_text("by hand\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "by hand")
    run = rmtui("-C", root, "history", "-n", "1", "--fields", "subject,op", "-f", "csv")
    assert run.out.splitlines() == ["subject,op", "by hand,"]


def test_history_of_one_pair_has_its_sessions_and_nothing_else(people_program, rmtui) -> None:
    root = people_program.root
    git(root, "commit", "-q", "--allow-empty", "-m", "unrelated, by hand")
    run = rmtui("-C", root, "history", PAIR, "--fields", "subject")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "subject",
        f"session: log {PAIR} on 2027-02-03",
        f"pair: edit {PAIR} (started, status)",
        f"pair: add {PAIR}",
    ]
    run = rmtui("-C", root, "history", "asa-oberg", "--fields", "subject")
    assert run.out.splitlines() == ["subject", "participant: add asa-oberg (Åsa Öberg)"]
    run = rmtui("-C", root, "history", f"{PAIR}/2027-02-03", "--kind", "session",
                "--fields", "subject")
    assert run.out.splitlines() == ["subject", f"session: log {PAIR} on 2027-02-03"]
    bad = rmtui("-C", root, "history", "../../etc")
    assert bad.code == 2


# --------------------------------------------------------------------------
# undo
# --------------------------------------------------------------------------


def test_undo_reverts_rmtuis_last_commit_with_a_new_commit(people_program, rmtui) -> None:
    root = people_program.root
    rel = f"sessions/{PAIR}/2027-02-03.yaml"
    session_text = (root / rel).read_text(encoding="utf-8")
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=1")
    assert run.code == 0, run.err
    edited = (root / ASA).read_text(encoding="utf-8")
    # a commit made by hand in between is left alone
    (root / "README.md").write_text("by hand\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "readme by hand")
    before = count(root)

    run = rmtui("-C", root, "undo")
    assert run.code == 0, run.err
    assert "undid 'participant: edit asa-oberg (grade)'" in run.err
    assert count(root) == before + 1
    assert git(root, "log", "-1", "--format=%s").strip() == \
        "undo: participant: edit asa-oberg (grade)"
    assert "Rmtui-Op: undo" in git(root, "log", "-1", "--format=%B")
    assert head_files(root) == [ASA]
    assert "grade: 2\n" in (root / ASA).read_text(encoding="utf-8")
    assert (root / "README.md").read_text(encoding="utf-8") == "by hand\n"
    assert porcelain(root) == ""

    again = rmtui("-C", root, "undo")  # undoing the undo re-applies the change
    assert again.code == 0, again.err
    assert (root / ASA).read_text(encoding="utf-8") == edited
    assert count(root) == before + 2
    assert git(root, "log", "-1", "--format=%s").strip().startswith("undo: undo: ")

    # a session logged, then undone: its file goes away
    rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10")
    assert rmtui("-C", root, "undo").code == 0
    assert not (root / f"sessions/{PAIR}/2027-02-10.yaml").exists()
    assert (root / rel).read_text(encoding="utf-8") == session_text


def test_undo_refuses_when_there_is_nothing_to_undo(program, rmtui) -> None:
    root = program.root
    before = count(root)
    run = rmtui("-C", root, "undo")
    assert run.code == 2
    assert "nothing to undo" in run.err or "no rmtui change to undo" in run.err
    assert count(root) == before == 1
    assert porcelain(root) == ""


def test_undo_refuses_with_staged_changes(people_program, rmtui) -> None:
    root = people_program.root
    (root / "README.md").write_text("staged by hand\n", encoding="utf-8")
    git(root, "add", "README.md")
    before, digest, sha = count(root), tree_digest(root), head(root)
    run = rmtui("-C", root, "undo")
    assert run.code == 3
    assert "staged" in run.err
    assert count(root) == before and head(root) == sha
    assert tree_digest(root) == digest
    assert porcelain(root) == "M  README.md\n"


# --------------------------------------------------------------------------
# A hook that says no
# --------------------------------------------------------------------------


def _failing_hook(root: Path) -> None:
    hook = Path(git(root, "rev-parse", "--git-path", "hooks").strip())
    hook = (root / hook) if not hook.is_absolute() else hook
    hook.mkdir(parents=True, exist_ok=True)
    (hook / "pre-commit").write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n",
                                     encoding="utf-8")
    (hook / "pre-commit").chmod(0o755)


@pytest.mark.parametrize("args", [
    ["participant", "edit", "asa-oberg", "--set", "grade=1"],
    ["participant", "add", "--name", "Maria Rossi", "--role", "mentor"],
    ["goal", "add", "--title", "Learn Copilot", "--owner", "nguyen-van-duc"],
    ["session", "log", PAIR, "--date", "2027-02-10"],
    ["session", "remove", f"{PAIR}/2027-02-03"],
    ["participant", "remove", "lucia-d-angelo"],
    ["undo"],
], ids=lambda a: " ".join(a[:2]))
def test_a_hook_that_rejects_the_commit_leaves_everything_as_it_was(people_program, rmtui,
                                                                    args) -> None:
    root = people_program.root
    # a change by hand, staged, to the same kind of file: it must survive too
    (root / "README.md").write_text("mine\n", encoding="utf-8")
    if args != ["undo"]:
        git(root, "add", "README.md")
    _failing_hook(root)
    before, status, sha = tree_digest(root), porcelain(root), head(root)
    staged = git(root, "ls-files", "-s")
    run = rmtui("-C", root, *args)
    assert run.code == 3, run.err
    assert "policy: no commits today" in run.err
    assert tree_digest(root) == before
    assert porcelain(root) == status
    assert git(root, "ls-files", "-s") == staged
    assert head(root) == sha
    assert not (root / ".git" / "REVERT_HEAD").exists()
    assert not (root / "sessions" / PAIR / "2027-02-10.yaml").exists()


# --------------------------------------------------------------------------
# Who commits
# --------------------------------------------------------------------------


def test_a_commit_without_any_git_identity_uses_the_fallback(program, rmtui,
                                                             monkeypatch) -> None:
    root = program.root
    for who in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{who}_{what}", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    global_config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    global_config.write_text("", encoding="utf-8")
    assert sh(root, "config", "user.name").stdout == ""
    run = rmtui("-C", root, "participant", "add", "--name", "Åsa Öberg", "--role", "mentor")
    assert run.code == 0, run.err
    assert git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == \
        "rmtui <rmtui@localhost>|rmtui <rmtui@localhost>"
    # an identity the user configured wins over the fallback
    git(root, "config", "user.name", "Kim Lead")
    git(root, "config", "user.email", "kim@example.com")
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=2")
    assert run.code == 0, run.err
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Kim Lead <kim@example.com>"
    # and undo commits with it too
    assert rmtui("-C", root, "undo").code == 0
    assert git(root, "log", "-1", "--format=%an").strip() == "Kim Lead"


def test_a_fresh_machine_can_init_a_program(tmp_path, rmtui, monkeypatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{who}_{what}", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    run = rmtui("init", tmp_path / "acme", "--name", "Acme")
    assert run.code == 0, run.err
    assert git(tmp_path / "acme", "log", "--format=%an").strip() == "rmtui"


# --------------------------------------------------------------------------
# One writer at a time
# --------------------------------------------------------------------------


def test_a_second_writer_is_refused_while_the_program_is_locked(people_program, rmtui) -> None:
    root = people_program.root
    before, sha = tree_digest(root), head(root)
    with program_lock(root):
        run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=1",
                    env={"RMTUI_LOCK_TIMEOUT": "0.2"})
        assert run.code == 3
        assert "another rmtui is changing this program" in run.err
        assert tree_digest(root) == before and head(root) == sha
        # reading is never blocked
        assert rmtui("-C", root, "participant", "list").code == 0
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=1")
    assert run.code == 0, run.err


def test_the_lock_is_held_by_another_process(people_program, rmtui) -> None:
    import sys

    root = people_program.root
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pathlib import Path\n"
         "from rmtui.core.lock import program_lock\n"
         "with program_lock(Path(sys.argv[1])):\n"
         "    print('locked', flush=True)\n"
         "    sys.stdin.readline()\n", str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10",
                    env={"RMTUI_LOCK_TIMEOUT": "0.2"})
        assert run.code == 3
        assert "another rmtui is changing this program" in run.err
        assert not (root / "sessions" / PAIR / "2027-02-10.yaml").exists()
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    run = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-10")
    assert run.code == 0, run.err


def test_a_lock_timeout_that_is_not_a_number_is_ignored(people_program, rmtui) -> None:
    run = rmtui("-C", people_program.root, "participant", "edit", "asa-oberg", "--set",
                "grade=1", env={"RMTUI_LOCK_TIMEOUT": "soon"})
    assert run.code == 0, run.err


# --------------------------------------------------------------------------
# Outside git
# --------------------------------------------------------------------------


def test_a_program_outside_git_is_changed_with_a_warning(program, rmtui) -> None:
    import shutil

    root = program.root
    shutil.rmtree(root / ".git")
    run = rmtui("-C", root, "participant", "add", "--name", "Åsa Öberg", "--role", "mentor")
    assert run.code == 0, run.err
    assert run.out == "asa-oberg\n"
    assert "not in a git repository" in run.err
    assert (root / ASA).is_file()
    for args in (["history"], ["undo"]):
        run = rmtui("-C", root, *args)
        assert run.code == 3
        assert "not in a git repository" in run.err


def test_a_program_folder_with_any_name_is_committed_whole(tmp_path, rmtui) -> None:
    """git quotes non-ASCII paths unless asked not to; a removal must still be committed."""
    outer = tmp_path / "hr"
    outer.mkdir()
    git(outer, "init", "-q")
    prog = outer / "Malmö [2027] *"
    assert rmtui("init", prog, "--name", "Malmö").code == 0
    # a sibling whose name the folder's name matches as a pattern, with a change by hand
    sibling = outer / "Malmö 2 old" / ASA
    sibling.parent.mkdir(parents=True)
    sibling.write_text("id: asa-oberg\nname: Åsa Öberg\nrole: mentor\n", encoding="utf-8")
    git(outer, "add", ".")
    git(outer, "commit", "-q", "-m", "old program")
    sibling.write_text("id: asa-oberg\nname: Åsa Öberg\nrole: mentee\n", encoding="utf-8")
    run = rmtui("-C", prog, "participant", "add", "--name", "Åsa Öberg", "--role", "mentor")
    assert run.code == 0, run.err
    assert git(outer, "show", "--name-only", "--format=", "-z", "HEAD").strip("\n\0") == \
        "Malmö [2027] */participants/asa-oberg.yaml"
    assert git(outer, "status", "--porcelain", "-z") == " M Malmö 2 old/participants/asa-oberg.yaml\0"
    sibling.write_text("id: asa-oberg\nname: Åsa Öberg\nrole: mentor\n", encoding="utf-8")
    run = rmtui("-C", prog, "participant", "remove", "asa-oberg")
    assert run.code == 0, run.err
    assert "not committed" not in run.err
    assert git(outer, "log", "-1", "--format=%s").strip() == "participant: remove asa-oberg"
    assert git(outer, "status", "--porcelain") == ""
    run = rmtui("-C", prog, "undo")
    assert run.code == 0, run.err
    assert (prog / ASA).is_file()
    assert git(outer, "status", "--porcelain") == ""
