"""History: the program's git log, newest first; the selected commit's diff with its
YAML highlighted; ``u`` undoes rmtui's last change with a new commit."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from rmtui.core import ops
from rmtui.core.errors import RmtuiError
from rmtui.core.gitrepo import Commit
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.screens.base import ProgramScreen
from rmtui.tui.widgets.diff import render_diff
from rmtui.tui.widgets.lines import TextLines, split_lines
from rmtui.tui.widgets.vtable import Column, VirtualTable

LIMIT = 300  # the most recent commits listed (a big program's history is long)
DIFF_CHARS = 40_000  # of one commit's diff (a demo's first commit adds every file)
COLUMNS = [Column("commit", "Commit", 10, drop=2), Column("date", "Date", 16, drop=1),
           Column("subject", "Change", 0), Column("author", "By", 14, drop=3),
           Column("how", "Made", 7)]


def row_of(c: Commit) -> tuple:
    when = c.date[:16].replace("T", " ")
    return (c.sha[:10], when, c.subject, c.author, "rmtui" if c.op else "by hand")


class HistoryScreen(ProgramScreen):
    TITLE_TEXT = "History"
    AUTO_FOCUS = "#commits"
    HELP = ("Every change to the program is a git commit, newest first (the most recent "
            f"{LIMIT}). The selected commit's diff shows below: added lines start with +, "
            "removed lines with -. Made says whether rmtui made the commit or a person did "
            "by hand. u undoes rmtui's last change with a new commit that reverts it (the "
            "dialog names it first); changes made by hand are left alone, and undo again "
            "undoes the undo. enter moves into the diff to scroll it; esc comes back.")
    BINDINGS = [
        Binding("u", "undo", "Undo last change"),
        Binding("enter", "read_diff", "Read diff", show=False),
        Binding("escape", "back", "Back to list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.commits: dict[str, Commit] = {}
        self.shown: str | None = None  # the sha whose diff is shown
        self._to_top = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("Reading the history…", id="history-count", classes="count",
                         markup=False)
            yield VirtualTable(COLUMNS, id="commits")
            yield TextLines(id="diff")
        yield Footer()

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _load(self) -> None:
        try:
            commits = ops.history(self.program, limit=LIMIT)
            target = ops.undo_target(self.program)
        except RmtuiError as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._show_commits, commits, target)

    def _failed(self, error: RmtuiError) -> None:
        self.query_one("#history-count", Static).update(f"No history: {error.message}")
        self.query_one(TextLines).set_lines(error.hint or "")

    def _show_commits(self, commits: list[Commit], target: Commit | None) -> None:
        self.commits = {c.sha[:10]: c for c in commits}
        table = self.query_one(VirtualTable)
        table.set_rows([row_of(c) for c in commits], keep_cursor=not self._to_top)
        self._to_top = False
        n = len(commits)
        text = (f"the {n} most recent commits" if n >= LIMIT
                else f"{n} commit{'s' if n != 1 else ''}") + ", newest first"
        if target is not None:
            text += f" · u undoes: {target.subject}"
        self.query_one("#history-count", Static).update(text)
        self._show_diff(table.cursor_key)

    # -- the diff -------------------------------------------------------------------

    @on(VirtualTable.Highlighted, "#commits")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_diff(event.key)

    def _show_diff(self, key: str | None) -> None:
        commit = self.commits.get(key or "")
        if commit is None:
            self.shown = None
            self.query_one(TextLines).set_lines("No commit selected.")
            return
        if commit.sha == self.shown:
            return
        self.shown = commit.sha
        self._load_diff(commit.sha)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def _load_diff(self, sha: str) -> None:
        try:
            shown = ops.show(self.program, sha, DIFF_CHARS)
            lines = split_lines(render_diff(shown.text, shown.truncated, sha))
        except RmtuiError as e:
            lines = split_lines(f"{e.message}\n{e.hint or ''}")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._put_diff, sha, lines)

    def _put_diff(self, sha: str, lines: list) -> None:
        if sha == self.shown:
            self.query_one(TextLines).set_lines(lines)

    def action_read_diff(self) -> None:
        self.query_one(TextLines).focus()

    def action_back(self) -> None:
        self.query_one(VirtualTable).focus()

    @on(VirtualTable.Selected, "#commits")
    def _selected(self) -> None:
        self.action_read_diff()

    # -- undo ----------------------------------------------------------------------

    def action_undo(self) -> None:
        self._find_target()

    @work(thread=True, exclusive=True, group="undo-target", exit_on_error=False)
    def _find_target(self) -> None:
        try:
            target = ops.undo_target(self.program)
        except RmtuiError as e:
            self.app.call_from_thread(self.rapp.show_error, e)
            return
        self.app.call_from_thread(self._confirm_undo, target)

    def _confirm_undo(self, target: Commit | None) -> None:
        if target is None:
            self.notify("There is no rmtui change to undo: the history holds only the "
                        "program's creation and changes made by hand.", severity="warning")
            return

        def undo(yes: bool | None) -> None:
            if yes:
                self._to_top = True
                self.rapp.run_op(ops.undo, self.program, expected=target.sha)

        when = target.date[:16].replace("T", " ")
        self.app.push_screen(ConfirmDialog(
            f"Undo {target.sha[:10]}?",
            f"{escape(target.subject)}\n{when} by {escape(target.author)}\n\n"
            "A new commit reverts this change: its files go back to how they were before "
            "it. Changes made by hand since are kept. Undo again to undo the undo.",
            yes="Undo"), undo)


SCREEN = HistoryScreen
