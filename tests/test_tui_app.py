"""The app as a whole: opening it, help, the command palette, files changed underneath,
the welcome screen outside a program, and `rmtui serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from tui_kit import SIZE, make_app, press, run, settle

from rmtui.tui.app import RmtuiApp, describe_changes
from rmtui.tui.dialogs.help import HelpScreen
from rmtui.tui.widgets.vtable import VirtualTable


def test_every_screen_opens_by_its_key_without_error(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            for key, mode in zip("1234567", ("dashboard", "people", "matching", "pairs",
                                             "surveys", "history", "problems"), strict=True):
                await press(pilot, key)
                assert app.current_mode == mode
            await press(pilot, "2")

    run(flow())


def test_opening_a_screen_does_not_parse_the_css_again(demo_copy) -> None:
    """Every screen's CSS is read at the start, and a new screen is not restyled with
    the whole app: a full parse and restyle costs 45 ms on the event loop."""
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            parses = []
            reparse = app.stylesheet.reparse
            app.stylesheet.reparse = lambda: (parses.append(app.current_mode), reparse())[1]
            for key in "234567":
                await press(pilot, key)
            assert parses == []

    run(flow())


def test_a_screen_first_opened_after_a_theme_change_has_the_new_theme(demo_copy) -> None:
    async def footer_background(change_first: bool) -> str:
        app = make_app(demo_copy.root)
        if change_first:
            app.theme = "textual-light"
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.theme = "textual-light"
            await settle(pilot)
            await press(pilot, "4")
            return str(app.screen.query_one("Footer").styles.background)

    async def flow() -> None:
        dark = make_app(demo_copy.root)
        async with dark.run_test(size=SIZE) as pilot:
            await settle(pilot)
            dark_footer = str(dark.screen.query_one("Footer").styles.background)
        changed = await footer_background(False)
        assert changed == await footer_background(True)
        assert changed != dark_footer

    run(flow())


def test_help_lists_the_keys_of_the_screen_underneath(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = "\n".join(str(s.render()) for s in app.screen.query(Static))
            assert "People: keys" in text and "Add" in text and "Remove" in text
            assert "command palette" in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    run(flow())


def test_the_command_palette_reaches_every_screen_and_the_screens_actions(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            titles = [c.title for c in app.get_system_commands(app.screen)]
            for screen in ("Dashboard", "People", "Matching", "Pairs", "Surveys", "History",
                           "Problems"):
                assert f"Go to {screen}" in titles
            assert "People: Add" in titles and "People: Remove" in titles
            # and it works through the palette itself
            await press(pilot, "ctrl+p")
            for ch in "go to history":
                await pilot.press("space" if ch == " " else ch)
            await pilot.pause(0.5)
            await press(pilot, "enter")
            assert app.current_mode == "history"

    run(flow())


def test_a_file_changed_underneath_is_noticed_reloaded_and_named(demo_copy) -> None:
    pid = sorted(demo_copy.ids("participant"))[0]
    path = demo_copy.root / "participants" / f"{pid}.yaml"

    async def flow() -> None:
        app = RmtuiApp(demo_copy.root, watch=True)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            table = app.screen.query_one(VirtualTable)
            assert table.row(0)[0] == pid
            await pilot.pause(0.5)  # the watcher is up
            path.write_text(path.read_text(encoding="utf-8").replace(
                f"name: {demo_copy.get('participant', pid)['name']}", "name: Aaron Renamed"),
                encoding="utf-8")
            for _ in range(60):  # up to 6 s for the watcher's debounce
                await pilot.pause(0.1)
                if table.row(0)[1] == "Aaron Renamed":
                    break
            assert table.row(0)[1] == "Aaron Renamed"
            shown = [n.message for n in app._notifications]
            assert any(f"participant {pid} changed" in m for m in shown), shown

    run(flow())


def test_describe_changes_names_entities_and_counts_the_rest() -> None:
    assert describe_changes(["participants/asa.yaml"]) == "participant asa changed."
    text = describe_changes([f"sessions/p--q/2027-01-0{i}.yaml" for i in range(1, 6)])
    assert text == ("session p--q/2027-01-01, session p--q/2027-01-02, session "
                    "p--q/2027-01-03 and 2 more changed.")


def test_outside_a_program_the_app_offers_to_create_one(tmp_path: Path) -> None:
    target = tmp_path / "new-program"

    async def flow() -> None:
        app = make_app(None)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "There is no rmtui program here" in "\n".join(
                str(s.render()) for s in app.screen.query(Static))
            app.screen.query_one("#path", Input).value = str(target)
            await pilot.click("#create")
            await settle(pilot, 6)
            assert app.program is not None and app.program.root == target.resolve()
            assert app.current_mode == "dashboard"

    run(flow())
    assert (target / "program.toml").is_file() and (target / ".git").is_dir()


def test_snapshot_welcome(snap_compare, tmp_path: Path) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#path", Input).value = "/srv/programs/acme-2027"
        await settle(pilot)

    assert snap_compare(make_app(None), terminal_size=SIZE, run_before=before)


def test_snapshot_help(snap_compare, demo_copy) -> None:
    async def before(pilot) -> None:
        await press(pilot, "2")
        await press(pilot, "question_mark")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=before)


def test_no_color_is_respected(demo_copy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.no_color

    run(flow())


def test_rmtui_without_a_command_opens_the_app_in_a_terminal(demo_copy, monkeypatch) -> None:
    from rmtui import cli as cli_mod

    opened = []
    monkeypatch.setattr("rmtui.tui.run", lambda root: opened.append(root))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli_mod.main(["-C", str(demo_copy.root)])
    assert exit_.value.code == 0
    assert opened == [demo_copy.root]


def test_rmtui_without_a_command_in_a_pipe_prints_help(rmtui) -> None:
    res = rmtui()
    assert res.code == 0 and "Usage: rmtui" in res.out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost(demo_copy) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "rmtui", "-C", str(demo_copy.root), "serve",
                             "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/", timeout=2) as r:
                    assert r.status == 200
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.1)
        assert b"<html" in body.lower() and b"textual" in body.lower()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert f"on http://localhost:{port}".encode() in err


def test_serve_outside_a_program_says_so(rmtui, tmp_path: Path) -> None:
    res = rmtui("-C", str(tmp_path), "serve")
    assert res.code == 2 and not res.traceback
    assert "program.toml" in res.err


def test_messages_with_brackets_are_shown_as_written(demo_copy) -> None:
    """Data and errors may hold [brackets]: they are text, never markup."""
    from rmtui.core.errors import RmtuiError

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.show_error(RmtuiError("bad value [/x] in [bold]", hint="fix [it]"))
            await settle(pilot)
            assert any("bad value [/x] in [bold]" in n.message for n in app._notifications)

    run(flow())


def test_the_watcher_looks_at_program_files_only() -> None:
    from rmtui.tui.jobs import is_program_file

    for rel in ("participants/a.yaml", "program.toml", "sessions/p--q/2027-01-01.yaml"):
        assert is_program_file(rel), rel
    for rel in ("participants/.a.yaml.swx", "participants/.a.yaml", "participants/4913",
                "participants/a.yaml~", ".git/index", ".rmtui/cache/participant.pickle",
                ".git/refs/heads/main.yaml"):
        assert not is_program_file(rel), rel


def test_as_error_keeps_our_errors_words_os_errors_and_names_a_bug() -> None:
    from rmtui.core.errors import UsageError
    from rmtui.tui.app import as_error

    ours = UsageError("no such pair", hint="see `rmtui pair list`")
    assert as_error(ours, "loading", "report it") is ours
    disk = as_error(PermissionError(13, "Permission denied", "pairs/x.yaml"), "loading", "h")
    assert disk.message == "[Errno 13] Permission denied: 'pairs/x.yaml'" and disk.hint is None
    bug = as_error(KeyError("status"), "could not load", "report it")
    assert (bug.message, bug.hint) == ("could not load: KeyError: 'status'", "report it")
