"""History: the log, a commit's diff, and undo with a confirmation that names the commit."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import Static
from tui_kit import SIZE, clean, commits, make_app, press, run, text_of

from rmtui.core import ops
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.screens.history import HistoryScreen
from rmtui.tui.widgets.diff import render_diff
from rmtui.tui.widgets.lines import TextLines
from rmtui.tui.widgets.vtable import VirtualTable

PID = "charlotte-hughes"
REL = f"participants/{PID}.yaml"




def _edit(program) -> str:
    """An rmtui change to undo: Charlotte's grade, 3 -> 5; its commit sha."""
    return ops.edit(program, "participant", PID, [ops.Assignment("grade", "set", 5)]).commit


async def _open(pilot) -> VirtualTable:
    await press(pilot, "6")
    assert isinstance(pilot.app.screen, HistoryScreen)
    return pilot.app.screen.query_one("#commits", VirtualTable)


def test_the_log_and_the_selected_commits_diff(demo_copy) -> None:
    sha = _edit(demo_copy)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open(pilot)
            assert table.total == len(commits(demo_copy.root)) == 3
            first = table.row(0)
            assert first[0] == sha[:10]
            assert first[2] == f"participant: edit {PID} (grade)"
            assert first[4] == "rmtui"
            count = text_of(app.screen.query_one("#history-count", Static))
            assert count.startswith("3 commits, newest first")
            assert f"u undoes: participant: edit {PID} (grade)" in count
            diff = app.screen.query_one(TextLines).plain
            assert diff.startswith(f"participant: edit {PID} (grade)\n")
            assert "-grade: 3\n+grade: 5\n" in diff  # the markers stay: readable without colour
            assert f"{REL} (changed)" in diff
            # the next commit's diff when the cursor moves; enter moves into the diff
            await press(pilot, "down")
            diff = app.screen.query_one(TextLines).plain
            assert diff.startswith("demo: 60 participants")
            assert "agreements/" in diff and " (added)\n@@ -0,0 +1," in diff
            assert "… cut here" in diff  # the whole demo is too long to show
            await pilot.press("enter")
            assert app.focused.id == "diff"
            await pilot.press("escape")
            assert app.focused is table

    run(flow())


def test_undo_asks_naming_the_commit_then_reverts_it_with_a_new_commit(demo_copy) -> None:
    before_text = (demo_copy.root / REL).read_text(encoding="utf-8")
    sha = _edit(demo_copy)
    assert "grade: 5\n" in (demo_copy.root / REL).read_text(encoding="utf-8")

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open(pilot)
            await pilot.press("down")  # undo is about rmtui's last change, wherever the cursor
            await press(pilot, "u")
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            assert dialog.title_text == f"Undo {sha[:10]}?"
            assert f"participant: edit {PID} (grade)" in dialog.body
            await press(pilot, "y")
            assert isinstance(app.screen, HistoryScreen)
            assert table.total == 4
            assert table.cursor == 0  # on the new commit
            assert table.row(0)[2] == f"undo: participant: edit {PID} (grade)"
            assert "+grade: 3" in app.screen.query_one(TextLines).plain

    run(flow())
    log = commits(demo_copy.root)
    assert log[0] == f"undo: participant: edit {PID} (grade)"
    assert log[1] == f"participant: edit {PID} (grade)"
    assert (demo_copy.root / REL).read_text(encoding="utf-8") == before_text
    assert clean(demo_copy.root)


def test_cancelled_undo_writes_nothing(demo_copy) -> None:
    _edit(demo_copy)
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open(pilot)
            await press(pilot, "u")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "escape")
            assert isinstance(app.screen, HistoryScreen)

    run(flow())
    assert commits(demo_copy.root) == before
    assert clean(demo_copy.root)


def test_undo_is_refused_when_another_change_came_in_meanwhile(demo_copy) -> None:
    _edit(demo_copy)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open(pilot)
            await press(pilot, "u")
            assert isinstance(app.screen, ConfirmDialog)
            # another rmtui (or the CLI) changes the program while the dialog is open
            ops.edit(demo_copy, "participant", PID, [ops.Assignment("grade", "set", 4)])
            before = commits(demo_copy.root)
            await press(pilot, "y")
            messages = [n.message for n in app._notifications]
            assert any("not the one shown; nothing was undone" in m for m in messages)
            assert commits(demo_copy.root) == before

    run(flow())
    assert "grade: 4\n" in (demo_copy.root / REL).read_text(encoding="utf-8")
    assert clean(demo_copy.root)


def test_the_diff_keeps_its_markers_and_tints_changed_lines() -> None:
    diff = ("commit abc\nAuthor: A <a@b>\nDate:   2027-03-01T09:00:00+00:00\n\nsubject\n\n"
            "Rmtui-Op: participant.edit\n\n---\n a.yaml | 2 +-\n b.yaml | 1 +\n"
            " 2 files changed\n\n"
            "diff --git a/a.yaml b/a.yaml\nindex 1..2 100644\n--- a/a.yaml\n+++ b/a.yaml\n"
            "@@ -1,2 +1,2 @@\n name: Ann\n-grade: 3\n+grade: 5\n"
            "diff --git a/b.yaml b/b.yaml\nnew file mode 100644\nindex 0..3\n--- /dev/null\n"
            "+++ b/b.yaml\n@@ -0,0 +1 @@\n+name: Bo\n")
    text = render_diff(diff, truncated=True, commit="abc")
    assert isinstance(text, Text)
    assert text.plain.splitlines() == [
        "subject", "", "Rmtui-Op: participant.edit", "",
        "a.yaml (changed)", "@@ -1,2 +1,2 @@", " name: Ann", "-grade: 3", "+grade: 5", "",
        "b.yaml (added)", "@@ -0,0 +1 @@", "+name: Bo",
        "… cut here: the commit is longer than shown; `git show abc` prints all of it."]
    added = text.plain.index("+grade: 5")
    styles = [s.style for s in text.spans if s.start <= added < s.end]
    assert any(getattr(s, "bgcolor", None) is not None for s in styles)


@pytest.mark.parametrize("size", [SIZE, (120, 35)])
def test_snapshot_history(snap_compare, demo_copy, size) -> None:
    _edit(demo_copy)

    async def before(pilot) -> None:
        await press(pilot, "6")

    assert snap_compare(make_app(demo_copy.root), terminal_size=size, run_before=before)


def test_snapshot_undo_dialog(snap_compare, demo_copy) -> None:
    _edit(demo_copy)

    async def before(pilot) -> None:
        await press(pilot, "6")
        await press(pilot, "u")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=before)
