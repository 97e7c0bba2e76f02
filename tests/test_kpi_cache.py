"""The stored KPI snapshot is never stale: whatever changed, by rmtui, by hand or by
git, the KPIs read from it equal those read from every file afresh."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import git
from kpi_program import P1, P2, TODAY, build

from rmtui.core import kpi, kpi_cache, ops
from rmtui.core.store import CACHE_DIR, Program

_BUILT: dict[str, Path] = {}


@pytest.fixture
def prog(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Program:
    if "root" not in _BUILT:
        _BUILT["root"] = build(tmp_path_factory.mktemp("cache") / "prog").root
    shutil.copytree(_BUILT["root"], tmp_path / "prog", symlinks=True)
    git(tmp_path / "prog", "update-index", "-q", "--refresh")  # a copy: new inodes
    monkeypatch.setenv("RMTUI_TODAY", TODAY)
    return Program(tmp_path / "prog")


def fresh(prog: Program) -> kpi.Snapshot:
    """The snapshot read from every file, without the stored one."""
    entries = kpi_cache.full(Program(prog.root), kpi.KPI_KINDS)
    data = {k: {i: d for i, d in entries[k].items() if d is not None} for k in kpi.KPI_KINDS}
    return kpi.Snapshot(Program(prog.root).settings, data,
                        sum(len(entries[k]) - len(data[k]) for k in kpi.KPI_KINDS))


def same(prog: Program) -> kpi.Snapshot:
    got = kpi.snapshot(Program(prog.root))
    want = fresh(prog)
    assert got.data == want.data
    assert got.skipped == want.skipped
    assert kpi.compute(got) == kpi.compute(want)
    return got


def stored(prog: Program) -> Path:
    return prog.root / CACHE_DIR / kpi_cache.FILE


def test_the_snapshot_is_stored_and_read_again(prog, monkeypatch) -> None:
    stored(prog).unlink(missing_ok=True)
    first = same(prog)
    assert stored(prog).is_file()
    read: list[str] = []
    check = kpi_cache.check_file
    monkeypatch.setattr(kpi_cache, "check_file", lambda *a: read.append(a[2]) or check(*a))
    assert kpi.snapshot(prog).data == first.data
    assert read == []  # nothing changed since: no file is read
    (prog.root / f"sessions/{P1}/2027-01-18.yaml").touch()
    (prog.root / "goals/post-on-linkedin.yaml").write_text(
        (prog.root / "goals/post-on-linkedin.yaml").read_text().replace("06-30", "07-31"))
    assert kpi.snapshot(prog).data["goal"]["post-on-linkedin"]["due"] == "2027-07-31"
    assert sorted(read) == ["goals/post-on-linkedin.yaml", f"sessions/{P1}/2027-01-18.yaml"]
    # what the KPIs never read is not kept
    session = first.data["session"][f"{P1}/2027-01-18"]
    assert set(session) == {"pair", "date", "duration_minutes", "ratings"}
    assert "PRIVATE" not in repr(first.data)


def test_changes_by_hand_committed_or_not_are_seen(prog) -> None:
    root = prog.root
    same(prog)
    path = root / f"sessions/{P2}/2027-01-20.yaml"
    original = path.read_text()
    path.write_text(original.replace("duration_minutes: 30", "duration_minutes: 45"))
    assert same(prog).data["session"][f"{P2}/2027-01-20"]["duration_minutes"] == 45
    path.write_text(original)                       # back as committed: clean again
    assert same(prog).data["session"][f"{P2}/2027-01-20"]["duration_minutes"] == 30
    (root / f"sessions/{P2}/2027-05-30.yaml").write_text(     # a new file, not committed
        f"pair: {P2}\ndate: 2027-05-30\nduration_minutes: 60\n")
    assert kpi.compute(same(prog), TODAY)["at_risk_pairs"].value == 0
    git(root, "add", "-A")                          # staged, not committed
    same(prog)
    git(root, "commit", "-qm", "a session logged by hand")   # HEAD moves
    same(prog)
    (root / f"sessions/{P2}/2027-05-30.yaml").unlink()        # deleted, not committed
    assert f"{P2}/2027-05-30" not in same(prog).data["session"]
    (root / "participants/maja-mott.yaml").write_text("id: maja-mott\nname: [\n")  # broken
    assert same(prog).skipped == 1


def test_commits_made_by_rmtui_and_git_moving_back(prog) -> None:
    root = prog.root
    same(prog)
    ops.log_session(prog, P2, date="2027-05-28", duration=60, rating_mentor=5, rating_mentee=5)
    assert f"{P2}/2027-05-28" in same(prog).data["session"]
    git(root, "reset", "-q", "--hard", "HEAD~1")    # the tree goes back
    assert f"{P2}/2027-05-28" not in same(prog).data["session"]


def test_a_damaged_or_foreign_cache_is_rebuilt(prog) -> None:
    same(prog)
    stored(prog).write_bytes(b"not marshal data")
    same(prog)
    stored(prog).write_bytes(b"")
    same(prog)


def test_outside_git_every_file_is_read(prog) -> None:
    shutil.rmtree(prog.root / ".git")
    same(prog)


def test_a_program_in_a_subfolder_of_a_repository(prog, tmp_path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    shutil.rmtree(prog.root / ".git")
    shutil.move(str(prog.root), outer / "acme")
    subprocess.run(["git", "init", "-q"], cwd=outer, check=True)
    (outer / "README.md").write_text("several programs\n")
    git(outer, "add", "-A")
    git(outer, "commit", "-qm", "programs")
    inner = Program(outer / "acme")
    same(inner)
    (inner.root / f"sessions/{P2}/2027-01-20.yaml").unlink()
    assert f"{P2}/2027-01-20" not in same(inner).data["session"]
    (outer / "README.md").write_text("changed outside the program\n")
    same(inner)
