"""`rmtui migrate`: a version-0 program becomes a version-1 one in one commit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, git, tree_digest

from rmtui.core import migrate, settings

V0 = FIXTURES / "v0-program"


@pytest.fixture
def old(tmp_path: Path) -> Path:
    root = tmp_path / "acme"
    shutil.copytree(V0, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the program as rmtui 0.0 left it")
    return root


def test_every_version_has_a_step_up_to_the_current_one() -> None:
    version = 0
    while version < settings.SCHEMA_VERSION:
        step = migrate.STEPS[version]
        assert step.source == version and step.target == version + 1
        version = step.target


def test_validate_on_an_old_program_says_to_migrate(old, rmtui) -> None:
    run = rmtui("-C", old, "validate")
    assert run.code == 1
    assert "program.toml:1:1: error[schema-version]: this program uses rmtui's file format " \
           "version 0; this rmtui reads version 1" in run.out
    assert "run `rmtui migrate`" in run.out
    assert "1 error(s)" in run.out  # that one message, not one per old field
    other = rmtui("-C", old, "participant", "list")
    assert other.code == 1 and "rmtui migrate" in other.err


def test_migrate_upgrades_in_one_commit_keeping_comments(old, rmtui) -> None:
    commits = len(git(old, "log", "--format=%s").splitlines())
    run = rmtui("-C", old, "migrate")
    assert run.code == 0, run.err
    assert "0 -> 1" in run.err
    # and this clone merges program files with rmtui's driver from now on
    assert "merge-file" in git(old, "config", "merge.rmtui.driver")
    log = git(old, "log", "--format=%s").splitlines()
    assert len(log) == commits + 1
    assert log[0] == "program: migrate from file format version 0 to 1"
    assert git(old, "show", "-s", "--format=%B", "HEAD").rstrip().endswith(
        "Rmtui-Op: program.migrate")
    assert sorted(git(old, "show", "--name-only", "--format=", "HEAD").split()) == [
        ".gitattributes", "participants/ada-berg.yaml", "participants/carl-dahl.yaml", "program.toml",
        "sessions/ada-berg--carl-dahl/2026-02-03.yaml"]
    assert git(old, "status", "--porcelain") == ""
    toml = (old / "program.toml").read_text()
    assert toml.startswith("# Acme reverse mentoring, set up with rmtui 0.0.\n")
    assert "schema_version = 1\n" in toml
    assert 'name = "Acme reverse mentoring 2026"   # the name people see' in toml
    assert "[weights]\nskills = 0.5     # what matters most to us" in toml
    assert "[targets]\nmatch_rate = 0.8" in toml
    assert (old / "participants" / "ada-berg.yaml").read_text() == (
        "id: ada-berg\nname: Ada Berg\nrole: mentor\n# seniority, 1 = most junior\ngrade: 2\n"
        "department: IT    # her department\nlanguages:\n  - en\n  - sv\nstatus: active\n"
        "training_completed: 2026-01-05\n")
    session = (old / "sessions" / "ada-berg--carl-dahl" / "2026-02-03.yaml").read_text()
    assert "duration_minutes: 45\nratings:\n  mentor: 4\n  mentee: 5   # \"best one yet\"" in session
    # pairs had nothing to rename: untouched
    assert (old / "pairs" / "ada-berg--carl-dahl.yaml").read_bytes() == \
        (V0 / "pairs" / "ada-berg--carl-dahl.yaml").read_bytes()
    check = rmtui("-C", old, "validate")
    assert check.code == 0, check.out
    s = settings.load(old)
    assert s.name == "Acme reverse mentoring 2026"
    assert s.get("weights.skills") == 0.5 and s.get("targets.match_rate") == 0.8
    assert s.get("kpi.at_risk_days") == 40 and s.get("matching.objective") == "score"


def test_migrate_twice_changes_nothing(old, rmtui) -> None:
    assert rmtui("-C", old, "migrate").code == 0
    head, digest = git(old, "rev-parse", "HEAD"), tree_digest(old)
    run = rmtui("-C", old, "migrate")
    assert run.code == 0
    assert "already at file format version 1" in run.err
    assert git(old, "rev-parse", "HEAD") == head and tree_digest(old) == digest


def test_a_new_program_needs_no_migration(program, rmtui) -> None:
    run = rmtui("-C", program.root, "migrate")
    assert run.code == 0 and "already at file format version 1" in run.err


def test_a_program_from_a_newer_rmtui_is_refused(program, rmtui) -> None:
    path = program.root / "program.toml"
    path.write_text(path.read_text().replace("schema_version = 1", "schema_version = 7"))
    digest = tree_digest(program.root)
    run = rmtui("-C", program.root, "validate")
    assert run.code == 1 and "newer rmtui" in run.out
    run = rmtui("-C", program.root, "migrate")
    assert run.code == 2 and "newer than this rmtui" in run.err
    assert tree_digest(program.root) == digest


def test_what_cannot_be_migrated_is_refused_and_nothing_changes(old, rmtui) -> None:
    path = old / "program.toml"
    path.write_text(path.read_text() + "\n[reports]\nlogo = \"acme.png\"\n")
    git(old, "commit", "-q", "-am", "a table version 1 does not know")
    digest, head = tree_digest(old), git(old, "rev-parse", "HEAD")
    run = rmtui("-C", old, "migrate")
    assert run.code == 1
    assert "cannot be migrated automatically" in run.err and "reports" in run.err
    assert tree_digest(old) == digest and git(old, "rev-parse", "HEAD") == head
