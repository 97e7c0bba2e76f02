"""Problems: validate's diagnostics, live; enter opens the entity, e opens $EDITOR."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_kit import SIZE, clean, commits, make_app, press, run, settle, text_of

from rmtui.tui.screens import people
from rmtui.tui.screens.people import PeopleScreen
from rmtui.tui.screens.problems import ProblemsScreen
from rmtui.tui.widgets.vtable import VirtualTable

PID = "charlotte-hughes"  # not the first participant, so opening her moves the cursor
REL = f"participants/{PID}.yaml"




def _break(root: Path) -> str:
    """A mistake on a line of its own (the last): a status the schema refuses."""
    path = root / REL
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: accepted\n", "status: retired\n"), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    return str(lines.index("status: retired") + 1)


async def _open(pilot) -> VirtualTable:
    await press(pilot, "7")
    assert isinstance(pilot.app.screen, ProblemsScreen)
    return pilot.app.screen.query_one("#problems", VirtualTable)


def test_a_file_broken_on_disk_shows_up_and_enter_opens_the_person(demo_copy,
                                                                   monkeypatch) -> None:
    root = demo_copy.root
    # People loads slowly (as with 10,000 people): the person is selected all the same
    slow = people.rows_of
    monkeypatch.setattr(people, "rows_of", lambda columns: (time.sleep(0.3), slow(columns))[1])
    assert "status: accepted\n" in (root / REL).read_text(encoding="utf-8")

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open(pilot)
            assert table.total == 0
            assert text_of(app.screen.query_one("#problems-count", Static)).startswith(
                "No problems:")
            line = _break(root)
            app.data_version += 1  # what the file watcher does when the file changes
            await settle(pilot)
            assert table.total == 1
            where, severity, rule, message = table.row(0)
            assert (severity, where.split(":")[:2], rule) == ("error", [REL, line], "schema")
            assert "retired" in message
            assert text_of(app.screen.query_one("#problems-count", Static)).startswith(
                "1 error, 0 warnings in ")
            pane = text_of(app.screen.query_one("#problem", Static))
            assert pane.startswith(f"{REL}:{line}:")
            assert f"enter: open participant {PID}" in pane
            await press(pilot, "enter")
            assert isinstance(app.screen, PeopleScreen)
            assert app.screen.query_one("#people", VirtualTable).cursor_key == PID

    run(flow())
    assert commits(root)[0].startswith("demo:")  # looking changes nothing


def _editor(tmp_path: Path, log: Path, fix: bool) -> str:
    """An $EDITOR that notes its arguments and, if asked, puts the status back."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(log)!r}).open('a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        + ("p = pathlib.Path(sys.argv[-1])\n"
           "p.write_text(p.read_text().replace('status: retired', 'status: accepted'))\n"
           if fix else ""), encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def test_e_opens_editor_at_the_line_and_reloads_when_it_closes(demo_copy, tmp_path,
                                                               monkeypatch) -> None:
    root = demo_copy.root
    line = _break(root)
    log = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, log, fix=True))

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open(pilot)
            assert table.total == 1
            version = app.data_version
            await press(pilot, "e")
            assert log.read_text(encoding="utf-8") == f"+{line} {root / REL}\n"
            assert app.data_version > version  # reloaded
            assert table.total == 0
            assert text_of(app.screen.query_one("#problems-count", Static)).startswith(
                "No problems:")

    run(flow())
    assert clean(root)  # the editor put the file back as it was


@pytest.mark.parametrize("editor", ["no-such-editor-here", "vim 'unclosed"])
def test_an_editor_that_cannot_start_is_an_error_not_a_crash(demo_copy, monkeypatch,
                                                             editor) -> None:
    _break(demo_copy.root)
    monkeypatch.setenv("EDITOR", editor)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open(pilot)
            await press(pilot, "e")
            assert isinstance(app.screen, ProblemsScreen)
            errors = [n for n in app._notifications if n.severity == "error"]
            assert errors and "EDITOR" in errors[-1].message

    run(flow())


def test_unset_editor_means_vi(monkeypatch) -> None:
    from rmtui.tui.screens.problems import editor_command

    monkeypatch.delenv("EDITOR", raising=False)
    assert editor_command() == ["vi"]
    monkeypatch.setenv("EDITOR", "code --wait")
    assert editor_command() == ["code", "--wait"]


def test_snapshot_problems(snap_compare, demo_copy) -> None:
    _break(demo_copy.root)
    (demo_copy.root / "pairs/stray.txt").write_text("not yaml\n", encoding="utf-8")

    async def before(pilot) -> None:
        await press(pilot, "7")
        await press(pilot, "down")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=before)


def test_the_check_runs_in_a_child_process_that_reports_back(demo_copy) -> None:
    import os
    import threading

    from rmtui.core.errors import RmtuiError
    from rmtui.core.ids import check_id
    from rmtui.tui.jobs import Cancelled, check_program, run_in_process

    _break(demo_copy.root)
    stages = []
    diagnostics, files = run_in_process(check_program, str(demo_copy.root),
                                        progress=lambda *p: stages.append(p))
    assert [d.path for d in diagnostics] == [REL] and files > 400
    assert stages and all(len(s) == 3 for s in stages)
    # an RmtuiError in the child comes back as one, with its hint
    with pytest.raises(RmtuiError) as caught:
        run_in_process(check_id, "Not An Id", "an id")
    assert "Not An Id" in caught.value.message and caught.value.hint
    # a child that dies says so
    with pytest.raises(RmtuiError, match="stopped unexpectedly .exit code 3"):
        run_in_process(os._exit, 3)
    # a cancelled worker stops the child at once
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_in_process(time.sleep, 30, cancelled=stop.is_set)
    assert time.monotonic() - started < 5
