"""Pairs: every pair by status in a virtual table; beside it the selected pair's
agreement, goals and story; and the steps of its life (accept, start, pause,
resume, complete, end), its agreement and its sessions, each through the same
``core.ops`` call the CLI makes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, Static

from rmtui.core import clock, kpi, ops, values
from rmtui.core.errors import RmtuiError, UsageError
from rmtui.core.store import Program
from rmtui.tui import forms
from rmtui.tui.app import as_error
from rmtui.tui.dialogs.confirm import AskDialog, ConfirmDialog
from rmtui.tui.dialogs.form import FormDialog
from rmtui.tui.forms import GENERAL, FieldSpec
from rmtui.tui.screens.base import FilteredListScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

STATUSES = ("proposed", "accepted", "active", "paused", "completed", "ended")
OPEN = ("proposed", "accepted", "active", "paused")
SIDES = ("mentor", "mentee")
PAIR_FIELDS = ("mentor", "mentee", "status", "started", "cohort")
GOAL_FIELDS = ("pair", "title", "status", "measure", "baseline", "target", "due", "progress")
COLUMNS = [Column("id", "Pair", 34, drop=3), Column("mentor", "Mentor", 0),
           Column("mentee", "Mentee", 0), Column("status", "Status", 9),
           Column("started", "Started", 10, drop=2), Column("last", "Last session", 12, drop=1)]
# a row: (id, mentor, mentee, status, started, last session, cohort); the cohort is not
# shown, but the filter finds it

# the step keys, and the statuses whose footer shows them (the key works in any
# status: the core then says why not)
STEP_KEYS = {"accept": "a", "decline": "d", "start": "t", "pause": "p", "resume": "r",
             "complete": "c", "end": "x"}


# -- loading (in workers: no widgets here) ------------------------------------------


def load_rows(program: Program, today: dt.date) -> list[tuple]:
    """One row per pair file, by id; invalid files say so in the status column."""
    pairs = program.columns("pair", PAIR_FIELDS)
    names = program.columns("participant", ("name",))
    last = kpi.last_held(program, today)

    def name(pid: Any) -> str:
        got = names.get(str(pid))
        return str(got[0]) if got and got[0] else str(pid or "")

    rows = []
    for pid, cols in pairs.items():
        if cols is None:
            rows.append((pid, "(file invalid: see Problems)", "", "invalid", None, None, ""))
            continue
        mentor, mentee, status, started, cohort = cols
        rows.append((pid, name(mentor), name(mentee), status, started, last.get(pid),
                     cohort or ""))
    return rows


@dataclass
class PairView:
    """What the pane shows of one pair, and the digests its changes are checked against."""

    id: str
    status: str
    digest: str                      # the pair file as shown
    pair: dict
    story: Any = None                # rmtui.core.story.Story
    agreement: dict | None = None
    agreement_digest: str | None = None
    goals: list[tuple[str, tuple]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what keeps it from starting
    problem: str | None = None       # the file cannot be read


def load_pair(program: Program, pid: str) -> PairView:
    from rmtui.core.ops.pairs import missing_to_start
    from rmtui.core.story import story
    from rmtui.core.validate import Index

    _, digest = ops.text_of(program, "pair", pid)
    rec = program.read("pair", pid)
    if not rec.ok or rec.data is None:
        problems = "\n".join(d.headline() for d in rec.diagnostics if d.is_error)
        return PairView(pid, "invalid", digest, rec.data or {},
                        problem=problems or "the file cannot be read")
    pair = rec.data
    view = PairView(pid, str(pair.get("status", "")), digest, pair, story(program, pid))
    if program.exists("agreement", pid):
        _, view.agreement_digest = ops.text_of(program, "agreement", pid)
        arec = program.read("agreement", pid)
        view.agreement = arec.data if arec.ok else None
    view.goals = sorted((gid, cols) for gid, cols in program.columns("goal", GOAL_FIELDS).items()
                        if cols is not None and cols[0] == pid)
    if view.status in ("proposed", "accepted"):
        view.missing = missing_to_start(program, Index(program), pid, pair,
                                        clock.today().isoformat())
    return view


# -- the pane -----------------------------------------------------------------------


class _Grid(Table):
    """Two columns, a label and its text; cells are plain text, never markup
    (a name or a goal may hold brackets)."""

    def add_row(self, *cells: Any, **kwargs: Any) -> None:  # type: ignore[override]
        super().add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kwargs)


def _grid() -> Table:
    grid = _Grid(box=None, show_header=False, show_edge=False, padding=(0, 1, 0, 0),
                 expand=False)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    return grid


def _title(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _text(value: Any) -> str:
    return forms.text_of_value(value)


def goal_lines(gid: str, cols: tuple) -> tuple[str, str]:
    _, title, status, measure, baseline, target, due, progress = cols
    now = None
    if isinstance(progress, list) and progress:
        dated = [p for p in progress if isinstance(p, dict) and "value" in p]
        if dated:
            now = dated[-1]["value"]
    bits = []
    if target is not None:
        where = f"{_text(now)} of {_text(target)}" if now is not None else \
            f"target {_text(target)}"
        if baseline is not None:
            where += f" (from {_text(baseline)})"
        bits.append(where + (f" {measure}" if measure else ""))
    elif measure:
        bits.append(str(measure))
    if due:
        bits.append(f"due {_text(due)}")
    return f"[{status or 'open'}]", f"{title or gid}\n" + (", ".join(bits) or gid)


def agreement_lines(view: PairView) -> Table | Text:
    a = view.agreement
    if a is None:
        if view.agreement_digest is not None:
            return Text("The agreement file is not valid; see Problems (7).")
        if view.status in OPEN:
            return Text("None yet: n fills one in from the program's template.")
        return Text("None.")
    grid = _grid()
    signed = a.get("signed") or {}
    grid.add_row("signed", "; ".join(
        f"by the {side} on {signed[side]}" if signed.get(side) else f"not by the {side} yet"
        for side in SIDES))
    cadence = ", ".join(b for b in (a.get("frequency"),
                                    f"{a['duration_minutes']} minutes"
                                    if a.get("duration_minutes") else None) if b)
    grid.add_row("cadence", cadence or "not set (the program's)")
    if a.get("channel"):
        grid.add_row("channel", str(a["channel"]))
    if a.get("review_date"):
        grid.add_row("review", _text(a["review_date"]))
    return grid


def possible(view: PairView) -> list[str]:
    """The keys that make sense for the pair now, in words, for the pane."""
    from rmtui.core.ops.pairs import STEPS

    out = []
    if view.status in ("active", "paused"):
        out.append("l log a session")
    if view.status in OPEN:
        if view.agreement_digest is None:
            out.append("n fill in the agreement")
        elif not all((view.agreement or {}).get("signed", {}).get(s) for s in SIDES):
            out.append("g sign the agreement")
    for step, key in STEP_KEYS.items():
        if view.status in STEPS[step].before:
            out.append(f"{key} {step}")
    return out


def pane_of(view: PairView, refusal: str | None = None) -> Group:
    parts: list[Any] = []
    if refusal:
        parts.append(Text(f"Not done: {refusal}\n", style="bold red"))
    if view.problem:
        parts.append(Text(f"{view.id}\n\nThis file is not valid; see Problems (7).\n\n"
                          f"{view.problem}"))
        return Group(*parts)
    told = view.story
    # "pair X: active since 2026-08-10", as `pair show` says it; the status in capitals
    head = told.text().splitlines()[0].split(": ", 1)[-1]
    status, _, since = head.partition(" ")
    parts.append(Text(view.id, style="bold"))
    parts.append(Text(f"{status.upper()} {since}".rstrip(), style="bold"))
    facts = _grid()
    for label, text in told.facts:
        if label not in ("agreement", "goals"):
            facts.add_row(label, text)
    parts.append(facts)
    steps = possible(view)
    if view.missing:
        parts.append(_title("To start"))
        grid = _grid()
        for m in view.missing:  # the core's words, less the command line that does it
            grid.add_row("-", re.sub(r" \(`rmtui [^`]*`\)$", "", m))
        parts.append(grid)
    if steps:
        parts.append(_title("Keys"))
        parts.append(Text(" · ".join(steps)))
    parts.append(_title("Agreement"))
    parts.append(agreement_lines(view))
    parts.append(_title(f"Goals ({len(view.goals)})" if view.goals else "Goals"))
    if view.goals:
        grid = _grid()
        for gid, cols in view.goals:
            grid.add_row(*goal_lines(gid, cols))
        parts.append(grid)
    else:
        parts.append(Text("None yet."))
    parts.append(_title("Timeline"))
    if told.events:
        grid = _grid()
        for e in told.events:
            line = Text(e.text)
            if e.by:
                line.append(f" ({e.by})", style="dim")
            grid.add_row(e.date.isoformat(), line)
        parts.append(grid)
    else:
        parts.append(Text("(nothing has happened yet)"))
    return Group(*parts)


# -- the forms' fields and checks (no widgets here) ----------------------------------

_RATINGS = ("1", "2", "3", "4", "5")
SESSION_FORM = [
    FieldSpec("date", "the day of the session (YYYY-MM-DD, today or yesterday)", required=True),
    FieldSpec("duration_minutes", "how long it lasted, in minutes"),
    FieldSpec("mode", "how the pair met", ("in-person", "video", "phone", "chat")),
    FieldSpec("rating_mentor", "the mentor's rating, 1-5", _RATINGS),
    FieldSpec("rating_mentee", "the mentee's rating, 1-5", _RATINGS),
    FieldSpec("topics", "what the pair talked about (comma-separated)", is_list=True),
    FieldSpec("summary", "a short shared summary, private to the pair"),
]
# form field -> (the session field it fills, the log_session argument)
SESSION_KEYS = {"date": ("date", "date"), "duration_minutes": ("duration_minutes", "duration"),
                "mode": ("mode", "mode"), "rating_mentor": ("ratings.mentor", "rating_mentor"),
                "rating_mentee": ("ratings.mentee", "rating_mentee"),
                "topics": ("topics", "topics"), "summary": ("summary", "summary")}


def session_args(texts: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``log_session`` keyword arguments from the form, and the fields that cannot be read."""
    args: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, (key, arg) in SESSION_KEYS.items():
        text = texts.get(name, "").strip()
        if not text:
            continue
        try:
            args[arg] = values.parse("session", key, text)
        except RmtuiError as e:
            errors[name] = e.message + (f" ({e.hint})" if e.hint else "")
    if "date" not in args and "date" not in errors:
        errors["date"] = "say the day of the session (YYYY-MM-DD, today or yesterday)"
    return args, errors


def check_session(program: Program, pid: str, texts: dict[str, str]) -> dict[str, str]:
    """The problems, by field, ``log_session`` would refuse the form's session for."""
    from rmtui.core.ops.sessions import prepare_session

    args, errors = session_args(texts)
    if errors:
        return errors
    try:
        _, _, findings = prepare_session(program, pid, **args)
    except RmtuiError as e:
        return {GENERAL: e.message + (f" ({e.hint})" if e.hint else "")}
    by_key = {key: name for name, (key, _) in SESSION_KEYS.items()}
    for f in findings:
        if f.severity != "error":
            continue
        parts = [str(p) for p in f.path]
        key = by_key.get(".".join(parts[:2] if parts[:1] == ["ratings"] else parts[:1]),
                         GENERAL)
        text = f.message + (f" ({f.hint})" if f.hint else "")
        errors[key] = f"{errors[key]}; {text}" if key in errors else text
    return errors


def step_form(step: str, view: PairView) -> list[FieldSpec]:
    """The fields a step asks for (a side, a reason, the day)."""
    from rmtui.core.ops.pairs import STEPS

    spec = STEPS[step]
    out = []
    if spec.needs_side:
        out.append(FieldSpec("by", "which side", SIDES, required=True))
    if spec.needs_reason or step == "pause":
        out.append(FieldSpec("reason", "why (kept in the pair file)", required=spec.needs_reason))
    out.append(FieldSpec("date", "the day it happened (YYYY-MM-DD, today or yesterday)",
                         required=True))
    return out


def check_step(fields: list[FieldSpec], texts: dict[str, str]) -> dict[str, str]:
    errors = {}
    for f in fields:
        text = texts.get(f.name, "").strip()
        if f.required and not text:
            errors[f.name] = {"by": "say which side", "reason": "say why",
                              "date": "say the day"}.get(f.name, "required")
        elif f.name == "date" and text:
            try:
                values.parse_date(text)
            except UsageError as e:
                errors["date"] = f"{e.message} ({e.hint})"
    return errors


# -- the screen ---------------------------------------------------------------------


class PairsScreen(FilteredListScreen):
    TITLE_TEXT = "Pairs"
    AUTO_FOCUS = "#pairs"
    HELP = ("The pairs, and beside them the selected pair: its agreement (signed by whom, "
            "its cadence), its goals and their progress, and its story in time order, as "
            "`rmtui pair show` tells it. f shows one status at a time; typing a letter (or /) "
            "keeps the rows that hold every word typed (names, ids, cohort).\n\n"
            "l logs a session; n fills in the learning agreement from the program's template; "
            "g signs it for one side; a accepts the pair for one side, d declines it; t starts "
            "it, p pauses it, r resumes it, c completes it, x ends it early (with the reason). "
            "The footer shows the keys that make sense for the selected pair; the others "
            "still work and say why not. A pair starts once both sides have accepted it, "
            "signed its agreement and completed training: the pane lists what is missing.\n\n"
            "Every change is one commit, checked first, and refused if the pair's file "
            "changed on disk since it was shown.")
    BINDINGS = [
        Binding("slash", "filter", "Filter", show=False, key_display="/"),
        Binding("f", "next_status", "Status"),
        Binding("l", "log", "Log"),
        Binding("n", "new_agreement", "Agreement"),
        Binding("g", "sign", "Sign"),
        Binding("a", "step('accept')", "Accept"),
        Binding("t", "step('start')", "Start"),
        Binding("p", "step('pause')", "Pause"),
        Binding("r", "step('resume')", "Resume"),
        Binding("c", "step('complete')", "Complete"),
        Binding("x", "step('end')", "End"),
        Binding("d", "step('decline')", "Decline"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple] = []
        self.status_filter: str | None = None
        self.shown: PairView | None = None
        self.refusal: tuple[str, str] | None = None  # pair id, why the last change was refused
        self._wanted: str | None = None      # the pair the pane should show
        self._loading = False
        self._open: str | None = None        # a pair to select once the rows are there

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            with Horizontal(id="pairs-bar"):
                # not select_on_focus: the letter that starts the filter must stay
                yield Input(placeholder="filter: type words (names, ids, cohort)", id="filter",
                            select_on_focus=False)
                yield Select([("all", "")], value="", allow_blank=False,
                             id="status-filter")
            yield Static("Loading pairs…", id="pairs-count", classes="count")
            with Horizontal():
                yield VirtualTable(COLUMNS, id="pairs")
                with VerticalScroll(id="pair-pane", classes="pane"):
                    yield Static("Loading…", id="pair", markup=False)
        yield Footer()

    # -- loading the table ------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="pairs", exit_on_error=False)
    def _load(self) -> None:
        try:
            with self.rapp.loading():
                rows = load_rows(self.program, clock.today())
        except Exception as e:  # a bug too is said, rather than "Loading pairs…" for ever
            self.app.call_from_thread(self.rapp.show_error, as_error(
                e, "could not load the pairs",
                "this is a bug in rmtui; `rmtui pair list` may say more"))
            return
        self.app.call_from_thread(self._show_rows, rows)

    def _show_rows(self, rows: list[tuple]) -> None:
        self.rows = rows
        counts = {s: 0 for s in STATUSES}
        for r in rows:
            if r[3] in counts:
                counts[r[3]] += 1
        select = self.query_one("#status-filter", Select)
        with select.prevent(Select.Changed):
            select.set_options([(f"all ({len(rows)})", ""),
                                *((f"{s} ({counts[s]})", s) for s in STATUSES)])
            select.value = self.status_filter or ""
            select.mutate_reactive(Select.value)  # the same value, with its new count
        self._apply_status()
        self.rapp.loaded()
        if self._open is not None:
            self._select_pair(self._open)
        elif not self.query_one("#filter", Input).has_focus:
            self.query_one(VirtualTable).focus()
        self._want(self.query_one(VirtualTable).cursor_key, force=True)

    def _apply_status(self) -> None:
        table = self.query_one(VirtualTable)
        wanted = self.status_filter
        table.set_rows([r for r in self.rows if wanted is None or r[3] == wanted])
        self._count()

    def _count(self) -> None:
        table = self.query_one(VirtualTable)
        what = f" {self.status_filter}" if self.status_filter else ""
        text = f"{table.row_count} of {table.total}{what} pairs"
        if self.status_filter:
            text += f" ({len(self.rows)} in all; f: next status)"
        self.query_one("#pairs-count", Static).update(text)

    # -- filtering ----------------------------------------------------------------

    @on(Select.Changed, "#status-filter")
    def _status_chosen(self, event: Select.Changed) -> None:
        chosen = str(event.value) if event.value not in ("", Select.NULL) else None
        if chosen == self.status_filter:  # the first value, set when the Select mounts
            return
        self.status_filter = chosen
        self._apply_status()
        self._want(self.query_one(VirtualTable).cursor_key)

    def action_next_status(self) -> None:
        order = [None, *STATUSES]
        self.status_filter = order[(order.index(self.status_filter) + 1) % len(order)]
        select = self.query_one("#status-filter", Select)
        with select.prevent(Select.Changed):
            select.value = self.status_filter or ""
        self._apply_status()
        self._want(self.query_one(VirtualTable).cursor_key)

    def after_filter(self) -> None:
        self._count()
        self._want(self.query_one(VirtualTable).cursor_key)

    def key_typed(self, event) -> None:
        """On the table, a step's key works in any status (the core says why not),
        and any other letter starts the filter with it."""
        table = self.query_one(VirtualTable)
        if not table.has_focus or not event.character:
            return
        action = self._actions().get(event.key)
        if action is not None:
            _, name, params = parse_action(action)
            if not self.check_action(name, params):  # the footer hides it for this pair
                event.stop()
                getattr(self, f"action_{name}")(*params)
        else:
            self.start_filter_with(event)

    async def run_action(self, action: str, namespaces: Any = None) -> None:
        """The command palette's way in: like a key, a change the footer hides for this
        pair still runs (and the core says why not)."""
        _, name, params = parse_action(action)
        if action in self._actions().values() and not self.check_action(name, params):
            getattr(self, f"action_{name}")(*params)
            return
        await super().run_action(action, namespaces)

    def _actions(self) -> dict[str, str]:
        return {b.key: b.action for b in self.BINDINGS if isinstance(b, Binding)
                and b.key not in ("slash", "escape", "f")}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows the changes that make sense for the selected pair."""
        from rmtui.core.ops.pairs import STEPS

        view = self.shown
        status = view.status if view is not None else None
        if action == "step":
            return status in STEPS[str(parameters[0])].before
        if action == "log":
            return status in ("active", "paused")
        if action == "new_agreement":
            return status in OPEN and view is not None and view.agreement_digest is None
        if action == "sign":
            return status in OPEN and view is not None and view.agreement_digest is not None \
                and not all((view.agreement or {}).get("signed", {}).get(s) for s in SIDES)
        return True

    # -- the pane -----------------------------------------------------------------

    @on(VirtualTable.Highlighted, "#pairs")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._want(event.key)

    @on(VirtualTable.Selected, "#pairs")
    def _selected(self) -> None:
        self.query_one("#pair-pane").focus()

    def _want(self, pid: str | None, force: bool = False) -> None:
        """Show ``pid`` in the pane: loaded in a worker, one at a time, the latest wins."""
        if pid == self._wanted and not force:
            return
        self._wanted = pid
        if self.refusal is not None and self.refusal[0] != pid:
            self.refusal = None  # said for the pair left behind
        if pid is None:
            self._show_pair(None, None)
            return
        if not self._loading:
            self._loading = True
            self._load_pair(pid)

    @work(thread=True, group="pair", exit_on_error=False)
    def _load_pair(self, pid: str) -> None:
        try:
            view: PairView | str = load_pair(self.program, pid)
        except RmtuiError as e:
            view = e.message
        except Exception as e:  # a pane that cannot be drawn must not stop the app
            view = f"cannot show this pair: {e}"
        self.app.call_from_thread(self._pair_loaded, pid, view)

    def _pair_loaded(self, pid: str, view: PairView | str) -> None:
        self._loading = False
        if pid != self._wanted:
            if self._wanted is not None:
                self._loading = True
                self._load_pair(self._wanted)
            return
        self._show_pair(pid, view)

    def _show_pair(self, pid: str | None, view: PairView | str | None) -> None:
        pane = self.query_one("#pair", Static)
        if pid is None or view is None:
            self.shown = None
            pane.update("No pair matches: esc clears the filter, f the status." if self.rows
                        else "No pairs yet: Matching (3) proposes them.")
        elif isinstance(view, str):
            self.shown = None
            pane.update(f"{pid}\n\n{view}")
        else:
            self.shown = view
            refusal = self.refusal[1] if self.refusal and self.refusal[0] == pid else None
            pane.update(pane_of(view, refusal))
        self.refresh_bindings()

    def open_entity(self, kind: str, entity_id: str) -> None:
        """Select the pair of a pair, agreement, session (pair/date) or goal (its pair)."""
        pid: str | None = entity_id
        if kind == "session":
            pid = entity_id.split("/", 1)[0]
        elif kind == "goal":
            try:
                pid = str((self.program.read("goal", entity_id).data or {}).get("pair") or "")
            except RmtuiError as e:
                self.rapp.show_error(e)
                return
            if not pid:
                self.notify(f"Goal {entity_id} belongs to no pair.", severity="warning")
                return
        assert pid is not None
        self._open = pid
        if self.rows:
            self._select_pair(pid)
            self._want(self.query_one(VirtualTable).cursor_key)

    def _select_pair(self, pid: str) -> None:
        self._open = None
        box = self.query_one("#filter", Input)
        table = self.query_one(VirtualTable)
        if box.value:
            with box.prevent(Input.Changed):
                box.value = ""
            table.filter("")
        if self.status_filter is not None:
            self.status_filter = None
            select = self.query_one("#status-filter", Select)
            with select.prevent(Select.Changed):
                select.value = ""
            self._apply_status()
        if not table.move_to(pid):
            self.notify(f"There is no pair {pid}.", severity="warning")
        table.focus()

    # -- changes --------------------------------------------------------------------

    def _current(self) -> PairView | None:
        view = self.shown
        key = self.query_one(VirtualTable).cursor_key
        if view is None or view.id != key:
            self.notify("Select a pair first." if key is None else
                        f"{key} is still loading; try again in a moment.", severity="warning")
            return None
        return view

    def _run(self, view: PairView, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """A core change through the app, noting a refusal for the pane too."""
        pid = view.id

        def attempt() -> Any:
            try:
                return fn(*args, **kwargs)
            except RmtuiError as e:
                self.app.call_from_thread(self._refused, pid, e)
                raise

        self.refusal = None
        self.rapp.run_op(attempt)

    def _refused(self, pid: str, error: RmtuiError) -> None:
        self.refusal = (pid, error.message + (f"\nhint: {error.hint}" if error.hint else ""))
        if self.shown is not None and self.shown.id == pid:
            self._show_pair(pid, self.shown)

    def action_log(self) -> None:
        view = self._current()
        if view is None:
            return
        program, pid = self.program, view.id
        duration = (view.agreement or {}).get("duration_minutes")
        texts = {"date": clock.today().isoformat(),
                 "duration_minutes": str(duration) if duration else ""}

        def save(texts: dict[str, str] | None) -> None:
            if texts is None:
                return
            args, _ = session_args(texts)
            self._run(view, ops.log_session, program, pid, **args)

        self.app.push_screen(FormDialog(f"Log a session of {pid}", SESSION_FORM, texts,
                                        lambda t: check_session(program, pid, t)), save)

    def action_new_agreement(self) -> None:
        from rmtui.core.ops.pairs import agreement_template

        view = self._current()
        if view is None:
            return
        if view.agreement_digest is not None:
            self.notify(f"{view.id} has an agreement already: g signs it.", severity="warning")
            return
        program, pid = self.program, view.id
        names = ("frequency", "duration_minutes", "channel", "review_date")
        spec = forms.fields_for("agreement", names)
        try:
            template = agreement_template(program)
        except RmtuiError as e:
            self.rapp.show_error(e)
            return
        texts = {n: forms.text_of_value(template.get(n)) for n in names}

        def check(texts: dict[str, str]) -> dict[str, str]:
            return forms.parse_texts("agreement", texts)[1]

        def save(texts: dict[str, str] | None) -> None:
            if texts is None:
                return
            data, _ = forms.parse_texts("agreement", texts)
            self._run(view, ops.new_agreement, program, pid, data)

        self.app.push_screen(FormDialog(f"The learning agreement of {pid} (from the template; "
                                        "a blank review date is 3 months after the start)",
                                        spec, texts, check), save)

    def action_sign(self) -> None:
        view = self._current()
        if view is None:
            return
        if view.agreement_digest is None:
            self.notify(f"{view.id} has no learning agreement yet: n fills one in from the "
                        "template.", severity="warning")
            return
        signed = (view.agreement or {}).get("signed") or {}
        fields = [FieldSpec("by", "which side signs", SIDES, required=True),
                  FieldSpec("date", "the day of signing (YYYY-MM-DD, today or yesterday)",
                            required=True)]
        by = next((s for s in SIDES if not signed.get(s)), "")
        program, pid, digest = self.program, view.id, view.agreement_digest

        def save(texts: dict[str, str] | None) -> None:
            if texts is None:
                return
            self._run(view, ops.sign_agreement, program, pid, texts["by"],
                      on=values.parse_date(texts["date"]), expected=digest)

        self.app.push_screen(FormDialog(f"Sign the agreement of {pid}", fields,
                                        {"by": by, "date": clock.today().isoformat()},
                                        lambda t: check_step(fields, t)), save)

    def action_step(self, step: str) -> None:
        view = self._current()
        if view is None:
            return
        program, pid, digest = self.program, view.id, view.digest

        def take(by: str | None = None, on: str | None = None, reason: str | None = None) -> None:
            self._run(view, ops.transition, program, pid, step, by=by, on=on, reason=reason,
                      expected=digest)

        if step in ("start", "resume"):
            take()
        elif step == "complete":
            self.app.push_screen(ConfirmDialog(
                f"Complete {pid}?", "The pair ran its course: it is closed, dated today, in "
                "one commit (History (6) can undo it).", yes="Complete"),
                lambda yes: take() if yes else None)
        elif step == "end":
            self.app.push_screen(AskDialog(
                f"End {pid}", "Why does the pair end early? (kept in the pair file; esc "
                "cancels)"), lambda reason: take(reason=reason) if reason else None)
        else:  # accept, decline, pause: a side, a reason, the day
            fields = step_form(step, view)
            accepted = view.pair.get("accepted") or {}
            texts = {"date": clock.today().isoformat(),
                     "by": next((s for s in SIDES if not accepted.get(s)), "")}

            def save(texts: dict[str, str] | None) -> None:
                if texts is None:
                    return
                take(by=texts.get("by") or None, on=values.parse_date(texts["date"]),
                     reason=texts.get("reason", "").strip() or None)

            self.app.push_screen(FormDialog(f"{step.capitalize()} {pid}", fields, texts,
                                            lambda t: check_step(fields, t)), save)


SCREEN = PairsScreen
