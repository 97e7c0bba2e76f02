"""Problems: every diagnostic of ``rmtui validate``, checked again whenever the program
changes; enter opens the entity of the file, ``e`` opens the file in $EDITOR at the line."""

from __future__ import annotations

import os
import shlex
import subprocess
import time

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import RmtuiError
from rmtui.core.kinds import of_path
from rmtui.tui.jobs import Cancelled, check_program, run_in_process
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.base import ProgramScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

COLUMNS = [Column("where", "Where", 40), Column("severity", "Severity", 8),
           Column("rule", "Rule", 16, drop=1), Column("message", "Message", 0)]


def keyed(diagnostics: list[Diagnostic]) -> dict[str, Diagnostic]:
    """Each diagnostic under its ``path:line:col`` (``#2``, ``#3``... for more at one place)."""
    out: dict[str, Diagnostic] = {}
    for d in diagnostics:
        key, n = d.location(), 1
        while key in out:
            n += 1
            key = f"{d.location()} #{n}"
        out[key] = d
    return out


def rows_of(by_key: dict[str, Diagnostic]) -> list[tuple]:
    return [(key, d.severity, d.rule, d.message) for key, d in by_key.items()]


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    checked = f"{files} file{'s' if files != 1 else ''}"
    if not diagnostics:
        return f"No problems: {checked} checked."
    return (f"{errors} error{'s' if errors != 1 else ''}, {warnings} "
            f"warning{'s' if warnings != 1 else ''} in {checked}")


def detail(d: Diagnostic) -> str:
    text = f"{d.headline()}"
    if d.hint:
        text += f"\nhint: {d.hint}"
    found = of_path(d.path)
    if found is not None:
        text += f"\nenter: open {found[0].name} {found[1]} · e: edit the file"
    else:
        text += "\ne: edit the file"
    return text


def editor_command() -> list[str]:
    """$EDITOR as a command line (vi when unset); raises ValueError if it cannot be split."""
    editor = os.environ.get("EDITOR", "").strip() or "vi"
    return shlex.split(editor) or ["vi"]


class ProblemsScreen(ProgramScreen):
    TITLE_TEXT = "Problems"
    AUTO_FOCUS = "#problems"
    HELP = ("What `rmtui validate` finds: broken YAML, values the schema refuses, references "
            "to people or pairs that do not exist, broken pairing rules. The list is checked "
            "again whenever the program changes (here or on disk). enter opens the entity of "
            "the selected file on its screen; e opens the file in $EDITOR at the line (vi when "
            "EDITOR is unset), and the app reloads when the editor closes. s sorts.")
    BINDINGS = [
        Binding("e", "edit_file", "Edit file"),
        Binding("enter", "open", "Open entity", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.diagnostics: list[Diagnostic] = []
        self.by_key: dict[str, Diagnostic] = {}
        self.files = 0
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("Checking the program…", id="problems-count", classes="count",
                         markup=False)
            yield VirtualTable(COLUMNS, id="problems")
            with VerticalScroll(id="problem-pane"):
                yield Static("", id="problem", markup=False)
        yield Footer()

    # -- checking -----------------------------------------------------------------

    def reload(self) -> None:
        if self._loaded:
            self.query_one("#problems-count", Static).update(
                summary(self.diagnostics, self.files) + " · checking again…")
        self._check()

    @work(thread=True, exclusive=True, group="problems", exit_on_error=False)
    def _check(self) -> None:
        last = [0.0]
        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.25:
                last[0] = now
                self.app.call_from_thread(self._progress, f"Checking: {stage} {done}/{total}…")

        try:  # in a child process: a big program's check would stall the app
            diagnostics, files = run_in_process(check_program, str(self.program.root),
                                                progress=progress,
                                                cancelled=lambda: worker.is_cancelled)
        except Cancelled:
            return
        except RmtuiError as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._show, diagnostics, files)

    def _progress(self, text: str) -> None:
        if not self._loaded:
            self.query_one("#problems-count", Static).update(text)

    def _failed(self, error: RmtuiError) -> None:
        self.query_one("#problems-count", Static).update(f"Could not check: {error.message}")
        self.query_one("#problem", Static).update(error.hint or "")

    def _show(self, diagnostics: list[Diagnostic], files: int) -> None:
        self._loaded = True
        self.diagnostics, self.files = diagnostics, files
        self.by_key = keyed(diagnostics)
        table = self.query_one(VirtualTable)
        table.set_rows(rows_of(self.by_key))
        self.rapp.loaded()
        self.query_one("#problems-count", Static).update(summary(diagnostics, files))
        self._show_problem(table.cursor_key)

    # -- the selected problem ---------------------------------------------------------

    @on(VirtualTable.Highlighted, "#problems")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_problem(event.key)

    def _selected(self) -> Diagnostic | None:
        key = self.query_one(VirtualTable).cursor_key
        return None if key is None else self.by_key.get(key)

    def _show_problem(self, key: str | None) -> None:
        pane = self.query_one("#problem", Static)
        d = self._selected() if key is not None else None
        if d is None:
            pane.update("Nothing to fix." if not self.diagnostics else "No problem selected.")
            return
        pane.update(detail(d))

    # -- going to the file ------------------------------------------------------------

    @on(VirtualTable.Selected, "#problems")
    def _enter(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        d = self._selected()
        if d is None:
            self.notify("Select a problem first.", severity="warning")
            return
        found = of_path(d.path)
        if found is None:
            self.notify(f"{d.path} is not the file of a participant, pair, goal, session, "
                        "survey or response; press e to edit it.", severity="warning",
                        markup=False)
            return
        kind, entity_id = found
        self.post_message(OpenEntity(kind.name, entity_id))

    def action_edit_file(self) -> None:
        d = self._selected()
        if d is None:
            self.notify("Select a problem first.", severity="warning")
            return
        path = self.program.root / d.path
        try:
            command = editor_command()
        except ValueError as e:
            self.rapp.show_error(RmtuiError(
                f"$EDITOR cannot be read as a command: {e}",
                hint="set EDITOR to a command such as `nano` or `vim`, then restart rmtui"))
            return
        command += [f"+{d.line}", str(path)] if d.line else [str(path)]
        if self.app.is_web:
            self.rapp.show_error(RmtuiError(
                "an editor cannot be opened from the browser",
                hint=f"open {d.location(str(path))} in your editor; this list updates "
                     "when the file is saved"))
            return
        try:
            code = self._run_editor(command)
        except OSError as e:
            self.rapp.show_error(RmtuiError(
                f"the editor {command[0]!r} could not be started: {e.strerror or e}",
                hint="set EDITOR to an installed editor (nano, vim, ...), then restart rmtui"))
            return
        if code != 0:
            self.notify(f"The editor exited with status {code}.", severity="warning")
        self.rapp.action_reload()

    def _run_editor(self, command: list[str]) -> int:
        """Run the editor with the terminal handed over to it; the exit status."""
        try:
            with self.app.suspend():
                return subprocess.run(command).returncode
        except SuspendNotSupported:
            if not self.app.is_headless:
                raise OSError("this terminal cannot hand itself over to another program") \
                    from None
            # in tests: nothing to hand over
            return subprocess.run(command, stdin=subprocess.DEVNULL).returncode


SCREEN = ProblemsScreen
