"""People: every participant in a virtual table; type to filter, a detail pane,
add and edit through forms generated from the schema, remove with the
reference check."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Static

from rmtui.core import ops
from rmtui.core.errors import RmtuiError
from rmtui.tui import forms
from rmtui.tui.app import as_error
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.dialogs.form import FormDialog
from rmtui.tui.screens.base import FilteredListScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

FIELDS = ("name", "role", "department", "grade", "status")
COLUMNS = [Column("id", "Id", 18, drop=3), Column("name", "Name", 0), Column("role", "Role", 6),
           Column("department", "Department", 14, drop=2), Column("grade", "Grade", 5, drop=1),
           Column("status", "Status", 12)]


def rows_of(columns: dict[str, tuple | None]) -> list[tuple]:
    out = []
    for pid, values in columns.items():
        if values is None:
            out.append((pid, "(file invalid: see Problems)", None, None, None, "invalid"))
        else:
            out.append((pid, *values))
    out.sort(key=lambda r: r[0])
    return out


def detail_text(pid: str, data: dict) -> str:
    lines = [f"{pid}", ""]
    for key, value in data.items():
        if key == "id":
            continue
        lines.append(f"{key}: {forms.text_of_value(value)}")
    return "\n".join(lines)


class PeopleScreen(FilteredListScreen):
    TITLE_TEXT = "People"
    AUTO_FOCUS = "#people"
    HELP = ("Press / and type to filter: rows that contain every word (name, department, "
            "role, status...) stay; a letter that is not a key of this screen starts the "
            "filter too, and esc clears it. Sort with s (next column) and S (reverse). "
            "a adds a person, e edits the selected one, x removes them (refused while pairs "
            "or goals refer to them). Edits are checked before anything is written, and "
            "refused if the file changed on disk since it was shown.")
    BINDINGS = [
        *FilteredListScreen.FILTER_BINDINGS,
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("x", "remove", "Remove"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown: tuple[str, str, dict] | None = None  # id, digest, data
        self._open_when_loaded: str | None = None  # asked for before the rows came

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Input(placeholder="filter: type words (name, department, role, status)",
                        id="filter", select_on_focus=False)
            yield Static("Loading participants…", id="people-count", classes="count")
            with Horizontal():
                yield VirtualTable(COLUMNS, id="people")
                with VerticalScroll(id="person-pane", classes="pane"):
                    yield Static("", id="person", markup=False)
        yield Footer()

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="people", exit_on_error=False)
    def _load(self) -> None:
        try:
            with self.rapp.loading():
                rows = rows_of(self.program.columns("participant", FIELDS))
        except Exception as e:
            self.app.call_from_thread(self.rapp.show_error, as_error(
                e, "could not load the participants",
                "this is a bug in rmtui; `rmtui participant list` may say more"))
            return
        self.app.call_from_thread(self._show_rows, rows)

    def _show_rows(self, rows: list[tuple]) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows(rows)
        if self._open_when_loaded is not None:
            table.move_to(self._open_when_loaded)
            self._open_when_loaded = None
        self.rapp.loaded()
        self._count()
        if not self.query_one("#filter", Input).has_focus:
            table.focus()
        self._show_person(table.cursor_key)

    def _count(self) -> None:
        table = self.query_one(VirtualTable)
        text = f"{table.row_count} of {table.total} participants"
        self.query_one("#people-count", Static).update(text)

    def after_filter(self) -> None:
        self._count()

    # -- the detail pane ----------------------------------------------------------

    @on(VirtualTable.Highlighted, "#people")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_person(event.key)

    def _show_person(self, pid: str | None) -> None:
        pane = self.query_one("#person", Static)
        if pid is None:
            self.shown = None
            pane.update("No participant selected.")
            return
        try:
            text, digest = ops.text_of(self.program, "participant", pid)
            rec = self.program.read("participant", pid)
        except RmtuiError as e:
            self.shown = None
            pane.update(f"{pid}\n\n{e.message}")
            return
        if rec.data is None:
            self.shown = None
            pane.update(f"{pid}\n\nThis file is not valid; see Problems (7).\n\n{text}")
            return
        self.shown = (pid, digest, rec.data)
        pane.update(detail_text(pid, rec.data))

    def open_entity(self, kind: str, pid: str) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        table = self.query_one(VirtualTable)
        table.filter("")
        if not table.move_to(pid) and table.total == 0:
            self._open_when_loaded = pid  # opened before the first load finished
        table.focus()

    # -- changes --------------------------------------------------------------------

    def action_add(self) -> None:
        spec = forms.fields_for("participant", forms.PARTICIPANT_FIELDS)
        program = self.program

        def check(texts: dict[str, str]) -> dict[str, str]:
            return forms.check_add(program, "participant", texts)[1]

        def save(texts: dict[str, str] | None) -> None:
            if texts is None:
                return
            data, _ = forms.parse_texts("participant", texts)
            self.rapp.run_op(ops.add, program, "participant", data)

        self.app.push_screen(FormDialog("Add a participant", spec, {"status": "active"}, check),
                             save)

    def action_edit(self) -> None:
        if self.shown is None:
            self.notify("Select a participant first.", severity="warning")
            return
        pid, digest, data = self.shown
        spec = forms.fields_for("participant", forms.PARTICIPANT_FIELDS)
        before = {f.name: forms.text_of_value(data.get(f.name)) for f in spec}
        program = self.program

        def check(texts: dict[str, str]) -> dict[str, str]:
            return forms.check_edit(program, "participant", pid, texts, before, digest)[1]

        def save(texts: dict[str, str] | None) -> None:
            if texts is None:
                return
            edits, _ = forms.assignments_of("participant", texts, before)
            if not edits:
                self.notify("Nothing changed.")
                return
            self.rapp.run_op(ops.edit, program, "participant", pid, edits, expected=digest)

        self.app.push_screen(FormDialog(f"Edit {pid}", spec, before, check), save)

    def action_remove(self) -> None:
        if self.shown is None:
            self.notify("Select a participant first.", severity="warning")
            return
        self._refs(*self.shown[:2])

    @work(thread=True, exclusive=True, group="refs", exit_on_error=False)
    def _refs(self, pid: str, digest: str) -> None:
        from rmtui.core.kinds import KINDS

        refs = ops.references_to(self.program, KINDS["participant"], pid)
        self.app.call_from_thread(self._confirm_remove, pid, digest, refs)

    def _confirm_remove(self, pid: str, digest: str, refs: list) -> None:
        def remove(force: bool):
            return lambda yes: yes and self.rapp.run_op(
                ops.remove, self.program, "participant", pid, force=force, expected=digest)

        if not refs:
            self.app.push_screen(ConfirmDialog(
                f"Remove {pid}?", "The file is deleted in one commit; History (6) can undo it.",
                yes="Remove"), remove(False))
            return
        listed = "\n".join(f"  {r.path} ({r.field})" for r in refs[:10])
        more = f"\n  and {len(refs) - 10} more" if len(refs) > 10 else ""
        self.app.push_screen(ConfirmDialog(
            f"{pid} is still referred to",
            f"These files refer to {pid}:\n{listed}{more}\n\nTo keep the history, edit the "
            "person's status instead (withdrawn or left_company). Removing anyway leaves "
            "those references pointing nowhere (Problems lists them).",
            yes="Remove anyway"), remove(True))


SCREEN = PeopleScreen
