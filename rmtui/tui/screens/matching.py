"""Matching: run a suggestion in the background, look at every proposal's score
and rules, pin pairs and leave people out for the next run, write the
proposals in one commit, and see why someone is left unmatched.

Matching never starts by itself (on a big program it takes seconds): ``r``
runs it, and ``r`` again while it runs starts over with the current pins and
exclusions. Everything slow (the run, a pair's rule checks, the price of each
alternative for an unmatched person) happens in thread workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Header,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from rmtui.core.errors import RmtuiError
from rmtui.tui.app import as_error
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.base import ProgramScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

if TYPE_CHECKING:
    from rmtui.core.matching import Explanation, Suggested, Suggestion, WhyNot
    from rmtui.core.store import Program

PROPOSAL_COLUMNS = [Column("n", "#", 4, drop=1), Column("mentor", "Mentor", 0),
                    Column("mentee", "Mentee", 0), Column("score", "Score", 6),
                    Column("status", "Status", 6), Column("reasons", "Top reasons", 0, drop=2)]
UNMATCHED_COLUMNS = [Column("id", "Id", 0), Column("role", "Role", 8),
                     Column("reason", "Reason", 0, drop=1)]
WHY_COLUMNS = [Column("candidate", "Candidate", 0), Column("outcome", "Outcome", 9),
               Column("score", "Score", 6), Column("cost", "Cost", 7),
               Column("message", "Why", 0, drop=1)]
EXCLUDED_REASON = "left out of this run by you (x includes them again)"
HINT = "No run yet: press r to run a match suggestion."


class _Cancelled(Exception):
    """Raised from the progress callback to stop a run that was cancelled."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class Run:
    """A finished run, with the rows the screen shows (built in the worker)."""

    suggestion: Suggestion
    pins: frozenset[tuple[str, str]]
    exclude: frozenset[str]
    pairs: dict[str, Suggested] = field(default_factory=dict)    # row key -> pair
    proposal_rows: list[tuple] = field(default_factory=list)
    unmatched_rows: list[tuple] = field(default_factory=list)
    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> role, reason


def summary(sug: Suggestion) -> str:
    """One line (at 80 columns) on a run: its pairs, who is left, the total, the proof."""
    new = len(sug.new_pairs)
    proof = ("proven optimal" if sug.algorithm == "optimal" and sug.proven
             else "optimal, not proven" if sug.algorithm == "optimal"
             else "stable, no blocking pair" if sug.proven
             else f"stable, {sug.blocking_pairs} blocking pair(s)")
    out = f" ({len(sug.exclude)} left out)" if sug.exclude else ""
    return (f"{_plural(len(sug.pairs), 'pair')} ({new} new, {len(sug.pairs) - new} kept) · "
            f"{len(sug.unmatched)} unmatched{out} · total {sug.total_score:g} · {proof}")


def running_text(stage: str, fraction: float) -> str:
    return f"Running: {stage} {fraction:4.0%} · r starts over · esc stops"


def short_reason(reason: str) -> str:
    """An unmatched person's reason without the CLI command the core suggests (u does it)."""
    return reason.split("; `rmtui match why-unmatched", 1)[0]


def build_run(sug: Suggestion, roles: dict[str, str | None], pins: frozenset,
              exclude: frozenset) -> Run:
    """Rows for the two tables (plain tuples; the first value is the row's key)."""
    from rmtui.core.matching import top_reasons

    run = Run(sug, pins, exclude)
    for n, p in enumerate(sug.pairs, 1):
        key = str(n)
        run.pairs[key] = p
        status = "pinned" if p.why == "pinned" else "kept" if p.kept else "new"
        run.proposal_rows.append((key, p.mentor, p.mentee, f"{p.score:.4f}", status,
                                  top_reasons(p.breakdown)))
    for u in sug.unmatched:
        reason = short_reason(u.reason)
        run.unmatched_rows.append((u.id, u.role, reason))
        run.reasons[u.id] = (u.role, reason)
    for pid in sorted(exclude):
        role = roles.get(pid) or "?"
        run.unmatched_rows.append((pid, role, EXCLUDED_REASON))
        run.reasons[pid] = (role, EXCLUDED_REASON)
    return run


def pair_text(p: Suggested, pinned: bool, e: Explanation | None, error: str | None) -> Text:
    """The pane for one proposal: who, the score's breakdown, every hard rule."""
    t = Text()
    t.append(f"{p.mentor}\n", style="bold")
    t.append(f" mentors {p.mentee}\n", style="bold")
    if pinned:
        t.append("pinned: the next runs keep it\n")
    elif p.why == "pinned":
        t.append("pinned in this run; unpinned for the next\n")
    elif p.kept:
        t.append(f"kept: {p.why}\n")
    else:
        t.append("new: proposed by this run\n")
    t.append("\nScore\n", style="bold underline")
    details = {c.name: c for c in e.criteria} if e is not None else {}
    for name, value in p.breakdown.items():
        t.append(f" {name:<13}{value:>7.4f}\n")
        c = details.get(name)
        if c is not None and c.detail:
            t.append(f"   {c.raw:g} x weight {c.weight:g}: {c.detail}\n", style="dim")
    t.append(f" {'total':<13}{p.score:>7.4f}\n", style="bold")
    t.append("\nHard rules\n", style="bold underline")
    if error is not None:
        t.append(f" {error}\n")
    elif e is None:
        t.append(" checking…\n", style="italic")
    else:
        for r in e.rules:
            t.append(" ok   " if r.ok else " FAIL ", style="green" if r.ok else "bold red")
            t.append(f"{r.rule}\n")
            if r.message:
                t.append(f"   {r.message}\n", style="dim")
        t.append("\neligible: every hard rule passes\n" if e.eligible else
                 "\nnot eligible: " + ", ".join(r.rule for r in e.rules if not r.ok) + "\n",
                 style="" if e.eligible else "bold red")
    return t


def person_text(pid: str, role: str, reason: str) -> Text:
    t = Text()
    t.append(f"{pid}\n", style="bold")
    t.append(f"{role}, unmatched\n\n")
    t.append(f"{reason}\n\n")
    if reason == EXCLUDED_REASON:
        t.append("x includes them in the next run again.", style="dim")
    else:
        t.append("Enter or u: every candidate, and what giving them one would cost.\n"
                 "x: leave them out of the next run.", style="dim")
    return t


def priced_first(found: list[WhyNot]) -> list[WhyNot]:
    """Core's order, but within an outcome the priced alternatives (a cost) come before
    the candidates nobody can move (held by kept pairs), which say less."""
    first: dict[str, int] = {}
    for i, w in enumerate(found):
        first.setdefault(w.outcome, i)
    return sorted(found, key=lambda w: (first[w.outcome], w.cost is None))


class ExcludeDialog(ModalScreen[str | None]):
    """Whom of a pair to leave out of the next run."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("m", "pick('mentor')", "Mentor"),
                Binding("e", "pick('mentee')", "Mentee")]

    def __init__(self, mentor: str, mentee: str) -> None:
        super().__init__()
        self.mentor, self.mentee = mentor, mentee

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Leave whom out of the next run?", classes="dialog-title")
            yield Static(Text(f"m: the mentor, {self.mentor}\ne: the mentee, {self.mentee}\n\n"
                              "They are not matched in the next run (r). x on the Unmatched "
                              "list includes them again; c clears every pin and exclusion."))
            with Horizontal(classes="buttons"):
                yield Button("Mentor (m)", id="mentor")
                yield Button("Mentee (e)", id="mentee")
                yield Button("Cancel (esc)", id="cancel")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.action_pick(event.button.id or "")

    def action_pick(self, who: str) -> None:
        self.dismiss(self.mentor if who == "mentor" else self.mentee)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WhyDialog(ModalScreen[None]):
    """Why one person is unmatched: each candidate, the rule or who got them, and the price."""

    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, program: Program, person: str, role: str, reason: str,
                 suggestion: Suggestion) -> None:
        super().__init__()
        self.program, self.person, self.role, self.reason = program, person, role, reason
        self.suggestion = suggestion
        self.found: dict[str, WhyNot] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="why-dialog"):
            yield Static(f"Why is {self.person} ({self.role}) unmatched?", classes="dialog-title")
            yield Static(self.reason, id="why-reason", markup=False)
            yield Static("Pricing every candidate…", id="why-count", classes="count")
            yield VirtualTable(WHY_COLUMNS, id="why-table")
            yield Static("", id="why-detail", markup=False)
            yield Static("Cost: total score lost if they got this candidate · esc closes",
                         classes="count", id="why-help")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="why", exit_on_error=False)
    def _load(self) -> None:
        from rmtui.core.matching import why_unmatched

        try:
            found = why_unmatched(self.program, self.person, suggestion=self.suggestion)
        except Exception as e:  # noqa: BLE001 - said in the dialog, not a traceback
            self.app.call_from_thread(self._failed, as_error(
                e, "cannot say why",
                f"`rmtui match why-unmatched {self.person}` shows the whole error"))
            return
        found = priced_first(found)
        rows = [(w.candidate, w.outcome, "" if w.score is None else f"{w.score:.4f}",
                 "" if w.cost is None else f"{w.cost:.4f}", w.message) for w in found]
        self.app.call_from_thread(self._show, found, rows)

    def _failed(self, error: RmtuiError) -> None:
        text = error.message + (f"\nhint: {error.hint}" if error.hint else "")
        self.query_one("#why-count", Static).update("Cannot say why.")
        self.query_one("#why-detail", Static).update(text)

    def _show(self, found: list[WhyNot], rows: list[tuple]) -> None:
        self.found = {w.candidate: w for w in found}
        counts: dict[str, int] = {}
        for w in found:
            counts[w.outcome] = counts.get(w.outcome, 0) + 1
        self.query_one("#why-count", Static).update(
            f"{_plural(len(found), 'candidate')}: "
            + ", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
        table = self.query_one(VirtualTable)
        table.set_rows(rows, keep_cursor=False)
        table.focus()
        self._detail(table.cursor_key)

    @on(VirtualTable.Highlighted, "#why-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._detail(event.key)

    def _detail(self, key: str | None) -> None:
        w = self.found.get(key or "")
        text = "" if w is None else f"{w.candidate} ({w.outcome}): {w.message}"
        if w is not None and w.went_to and not any(g in w.message for g in w.went_to):
            text += f" (went to {', '.join(w.went_to)})"
        self.query_one("#why-detail", Static).update(Text(text))

    def action_close(self) -> None:
        self.dismiss(None)


class MatchingScreen(ProgramScreen):
    TITLE_TEXT = "Matching"
    AUTO_FOCUS = "#proposals"
    HELP = ("r runs a match suggestion in the background; r again starts over, esc stops "
            "it. Proposals lists every pair of the run: new ones, kept ones (existing "
            "accepted or active pairs) and pinned ones; the pane shows the score's breakdown "
            "and every hard rule of the selected pair. Enter on a kept pair opens it in "
            "Pairs.\n\n"
            "p pins the selected pair so the next runs keep it; x leaves a person out of the "
            "next run; c clears both. w writes the run's pairs as proposed pair files in one "
            "commit (earlier proposals nobody accepted that the run drops are withdrawn).\n\n"
            "Unmatched (t or u) lists everyone left without a partner and why; Enter or u "
            "there prices each of their candidates.")
    BINDINGS = [
        Binding("r", "run", "Run"),
        Binding("escape", "cancel", "Stop run", show=False),
        Binding("p", "pin", "Pin"),
        Binding("x", "exclude", "Exclude"),
        Binding("c", "clear", "Clear pins and exclusions", show=False),
        Binding("w", "write", "Write"),
        Binding("u", "why", "Why unmatched"),
        Binding("t", "switch_list", "Proposals/Unmatched", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pins: set[tuple[str, str]] = set()
        self.excluded: set[str] = set()
        self.run: Run | None = None
        self.running = False
        self.program_changed = False
        self.note = ""  # what the last write did, shown instead of the run's summary
        self._token = 0
        self._run_version = 0  # the app's data_version when the shown run started
        self._explained: tuple[str, Explanation | None, str | None] | None = None
        self._explain_want: tuple[Program, Suggested, Suggestion] | None = None
        self._explain_busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="match-status"):
            yield Static(HINT, id="status")
            yield ProgressBar(total=1.0, show_eta=False, show_percentage=False,
                              id="match-progress")
        yield Static("", id="inputs", classes="count")
        with Horizontal():
            with TabbedContent(id="match-tabs"):
                with TabPane("Proposals", id="tab-proposals"):
                    yield VirtualTable(PROPOSAL_COLUMNS, id="proposals")
                with TabPane("Unmatched", id="tab-unmatched"):
                    yield VirtualTable(UNMATCHED_COLUMNS, id="unmatched")
            with VerticalScroll(id="match-pane", classes="pane"):
                yield Static("Run a suggestion (r) to see its pairs here.", id="detail")
        yield Footer()

    def on_show(self) -> None:
        self._show_inputs()

    # -- data changes -------------------------------------------------------

    def reload(self) -> None:
        """Matching is not re-run by itself (slow on big programs): say the run is old."""
        if self.run is not None:
            self.program_changed = True
            self._show_status()

    # -- running ------------------------------------------------------------------

    def action_run(self) -> None:
        self._token += 1
        self.running = True
        self._run_version = self.rapp.data_version
        self.query_one("#match-progress", ProgressBar).update(total=1.0, progress=0)
        self.set_class(True, "-running")
        self.query_one("#status", Static).update(running_text("loading", 0.0))
        self._run(self.program, frozenset(self.pins), frozenset(self.excluded), self._token)

    def action_cancel(self) -> None:
        if not self.running:
            return
        self._token += 1
        self.workers.cancel_group(self, "match-run")
        self._finish_running()
        self.notify("Run stopped.")
        self._show_status()

    def _finish_running(self) -> None:
        self.running = False
        self.set_class(False, "-running")

    @work(thread=True, exclusive=True, group="match-run", exit_on_error=False)
    def _run(self, program: Program, pins: frozenset, exclude: frozenset, token: int) -> None:
        from rmtui.core.matching import suggest

        worker = get_current_worker()
        last = [0.0]

        def progress(stage: str, fraction: float) -> None:
            if worker.is_cancelled or token != self._token:
                raise _Cancelled
            now = time.monotonic()
            if now - last[0] >= 0.1 or fraction >= 1.0:
                last[0] = now
                self.app.call_from_thread(self._progress, token, stage, fraction)

        try:
            with self.rapp.loading():
                sug = suggest(program, pins=sorted(pins), exclude=sorted(exclude),
                              progress=progress)
                roles = {}
                if exclude:
                    cols = program.columns("participant", ("role",))
                    roles = {pid: (cols.get(pid) or (None,))[0] for pid in exclude}
                run = build_run(sug, roles, pins, exclude)
        except _Cancelled:
            return
        except Exception as e:  # noqa: BLE001 - a bug must not leave the screen "Running"
            self.app.call_from_thread(self._run_failed, token, as_error(
                e, "matching failed", "run `rmtui match suggest` to see the whole error"))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._run_done, token, run)

    def _progress(self, token: int, stage: str, fraction: float) -> None:
        if token != self._token:
            return
        self.query_one("#match-progress", ProgressBar).update(progress=fraction)
        self.query_one("#status", Static).update(running_text(stage, fraction))

    def _run_failed(self, token: int, error: RmtuiError) -> None:
        if token != self._token:
            return
        self._finish_running()
        self._show_status()
        self.rapp.show_error(error)

    def _run_done(self, token: int, run: Run) -> None:
        if token != self._token:
            return
        self._finish_running()
        self.run = run
        self.program_changed = self.rapp.data_version != self._run_version
        self.note = ""
        self._explained = None
        proposals = self.query_one("#proposals", VirtualTable)
        proposals.set_rows(run.proposal_rows, keep_cursor=False)
        unmatched = self.query_one("#unmatched", VirtualTable)
        unmatched.set_rows(run.unmatched_rows, keep_cursor=False)
        self.rapp.loaded()
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-proposals").label = f"Proposals {len(run.proposal_rows)}"
        tabs.get_tab("tab-unmatched").label = f"Unmatched {len(run.unmatched_rows)}"
        self._show_status()
        self._show_inputs()
        self._show_detail()

    def _show_status(self) -> None:
        if self.running:
            return
        if self.run is None:
            text = HINT
        elif self.note:
            text = self.note
        elif self.program_changed:
            text = "The program changed since this run: r runs again."
        else:
            text = summary(self.run.suggestion)
        self.query_one("#status", Static).update(text)

    # -- pins and exclusions -----------------------------------------------------------

    def _stale_inputs(self) -> bool:
        """Whether the pins or exclusions would change the shown run."""
        if self.run is None:
            return False
        shown = {(p.mentor, p.mentee) for p in self.run.suggestion.pairs}
        return (self.excluded != set(self.run.exclude)
                or any(pin not in shown for pin in self.pins)
                or any(pin not in self.pins for pin in self.run.pins))

    def _show_inputs(self) -> None:
        pins = ", ".join(f"{m} > {e}" for m, e in sorted(self.pins)) or "none"
        out = ", ".join(sorted(self.excluded)) or "none"
        text = f"Pinned: {pins} · Excluded: {out}"
        if self.run is not None:
            sug = self.run.suggestion
            text = f"{sug.algorithm}, objective {sug.objective} · " + text
        if self._stale_inputs():
            text += " · not in this run yet: r runs again"
        self.query_one("#inputs", Static).update(Text(text))

    def _current_pair(self) -> tuple[str, Suggested] | None:
        if self.run is None:
            return None
        key = self.query_one("#proposals", VirtualTable).cursor_key
        if key is None or key not in self.run.pairs:
            return None
        return key, self.run.pairs[key]

    def _current_person(self) -> str | None:
        if self.run is None:
            return None
        return self.query_one("#unmatched", VirtualTable).cursor_key

    def _tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_pin(self) -> None:
        if self._tab() != "tab-proposals":
            self.notify("Pins are for pairs: select one on the Proposals list (t).",
                        severity="warning")
            return
        chosen = self._current_pair()
        if chosen is None:
            self.notify("Run a suggestion (r) and select a pair first.", severity="warning")
            return
        _, p = chosen
        pin = (p.mentor, p.mentee)
        if p.pair_id is not None and p.why != "pinned":
            self.notify(f"Already kept: {p.why}. Every run keeps it; pins are for new pairs.")
            return
        if pin in self.pins:
            self.pins.discard(pin)
            self.notify(f"Unpinned {p.mentor} > {p.mentee}.")
        else:
            self.pins.add(pin)
            self.notify(f"Pinned {p.mentor} > {p.mentee}: the next runs keep it.")
        self._mark_rows()
        self._show_inputs()
        self._show_detail()

    def _status_of(self, p: Suggested) -> str:
        if (p.mentor, p.mentee) in self.pins:
            return "pinned"
        return "kept" if p.pair_id else "new"

    def _mark_rows(self) -> None:
        """The Status column follows the pins at once (the pairs stay as the run made them)."""
        if self.run is None:
            return
        rows = self.run.proposal_rows
        for i, row in enumerate(rows):
            status = self._status_of(self.run.pairs[row[0]])
            if row[4] != status:
                rows[i] = (*row[:4], status, *row[5:])
        self.query_one("#proposals", VirtualTable).set_rows(rows)

    def action_exclude(self) -> None:
        if self.run is None:
            self.notify("Run a suggestion (r) first, then select whom to leave out.",
                        severity="warning")
            return
        if self._tab() == "tab-unmatched":
            pid = self._current_person()
            if pid is not None:
                self._toggle_excluded(pid)
            return
        chosen = self._current_pair()
        if chosen is None:
            self.notify("Select a pair first.", severity="warning")
            return
        _, p = chosen

        def picked(pid: str | None) -> None:
            if pid is not None:
                self._toggle_excluded(pid)

        self.app.push_screen(ExcludeDialog(p.mentor, p.mentee), picked)

    def _toggle_excluded(self, pid: str) -> None:
        if pid in self.excluded:
            self.excluded.discard(pid)
            self.notify(f"{pid} is included in the next run again.")
        else:
            self.excluded.add(pid)
            dropped = {pin for pin in self.pins if pid in pin}
            self.pins -= dropped
            self.notify(f"{pid} is left out of the next run"
                        + (f" (and {_plural(len(dropped), 'pin')} with them dropped)."
                           if dropped else "."))
        self._show_inputs()

    def action_clear(self) -> None:
        if not self.pins and not self.excluded:
            self.notify("No pins or exclusions to clear.")
            return
        self.pins.clear()
        self.excluded.clear()
        self._mark_rows()
        self.notify("Pins and exclusions cleared: the next run (r) uses none.")
        self._show_inputs()
        self._show_detail()

    # -- writing ----------------------------------------------------------------

    def action_write(self) -> None:
        if self.running:
            self.notify("Wait for the run to finish (esc stops it).", severity="warning")
            return
        if self.run is None:
            self.notify("Nothing to write yet: run a suggestion first (r).", severity="warning")
            return
        if self._stale_inputs():
            self.notify("Pins or exclusions changed since this run: press r to run again, "
                        "then w.", severity="warning", title="Not written")
            return
        sug = self.run.suggestion
        todo = sug.to_write
        pinned = sum(1 for p in todo if (p.mentor, p.mentee) in self.pins or p.why == "pinned")
        what = _plural(len(todo), "pair") + (f" ({pinned} pinned)" if pinned else "")
        listed = "\n".join(f"  {p.mentor} > {p.mentee}  {p.score:g}" for p in todo[:6])
        more = f"\n  and {len(todo) - 6} more" if len(todo) > 6 else ""
        body = (f"{what} written as proposed pair files under pairs/, in one commit:\n"
                f"{listed}{more}\n\n" if todo else
                "No new pair to write. ")
        body += ("Earlier proposals nobody accepted that this run does not repeat are "
                 "withdrawn in the same commit. History (6) can undo it.")
        program = self.program

        def write(yes: bool | None) -> None:
            if yes:
                from rmtui.core.ops.matching import write_proposals

                self.rapp.run_op(write_proposals, program, sug, done=self._written)

        self.app.push_screen(ConfirmDialog(f"Write {what} as proposals?", body, yes="Write"),
                             write)

    def _written(self, out: Any) -> None:
        message = getattr(out, "message", "")
        commit = getattr(out, "commit", None)
        self.note = (f"Written: {message}" + (f" (commit {str(commit)[:10]})" if commit else "")
                     + ". r runs again.")
        self._show_status()

    # -- the pane -----------------------------------------------------------------

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        table_id = "#unmatched" if self._tab() == "tab-unmatched" else "#proposals"
        self.query_one(table_id, VirtualTable).focus()
        self._show_detail()

    def action_switch_list(self) -> None:
        self._show_tab("tab-unmatched" if self._tab() == "tab-proposals" else "tab-proposals")

    def _show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one("#unmatched" if tab == "tab-unmatched" else "#proposals",
                       VirtualTable).focus()

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        event.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        pane = self.query_one("#detail", Static)
        if self.run is None:
            pane.update("Run a suggestion (r) to see its pairs here.")
            return
        if self._tab() == "tab-unmatched":
            pid = self._current_person()
            if pid is None:
                pane.update("Nobody is left unmatched.")
                return
            role, reason = self.run.reasons.get(pid, ("?", ""))
            pane.update(person_text(pid, role, reason))
            return
        chosen = self._current_pair()
        if chosen is None:
            pane.update("This run proposes no pair.")
            return
        key, p = chosen
        pinned = (p.mentor, p.mentee) in self.pins
        got = self._explained
        if got is not None and got[0] == f"{p.mentor}\t{p.mentee}":
            pane.update(pair_text(p, pinned, got[1], got[2]))
            return
        pane.update(pair_text(p, pinned, None, None))
        self._want_explain(p)

    # One worker at a time explains the latest pair asked for, so holding a key down
    # does not pile up threads (each explanation uses the run's reading of the program).

    def _want_explain(self, p: Suggested) -> None:
        assert self.run is not None
        self._explain_want = (self.program, p, self.run.suggestion)
        if not self._explain_busy:
            self._explain_busy = True
            self._explain_loop()

    @work(thread=True, group="match-explain", exit_on_error=False)
    def _explain_loop(self) -> None:
        from rmtui.core.matching import explain

        done = None
        while True:
            want = self._explain_want
            if want is None or want is done:
                break
            program, p, sug = want
            try:
                e, error = explain(program, p.mentor, p.mentee, suggestion=sug), None
            except RmtuiError as err:
                e, error = None, err.message
            except Exception as err:  # noqa: BLE001 - the pane says it; the loop goes on
                e, error = None, f"cannot explain: {type(err).__name__}: {err}"
            self.app.call_from_thread(self._explain_done, p, e, error)
            done = want
        self.app.call_from_thread(self._explain_idle, done)

    def _explain_done(self, p: Suggested, e: Explanation | None, error: str | None) -> None:
        self._explained = (f"{p.mentor}\t{p.mentee}", e, error)
        chosen = self._current_pair()
        if chosen is not None and chosen[1] is p and self._tab() == "tab-proposals":
            self._show_detail()

    def _explain_idle(self, done: Any) -> None:
        self._explain_busy = False
        if self._explain_want is not None and self._explain_want is not done:
            self._explain_busy = True
            self._explain_loop()

    # -- why unmatched ----------------------------------------------------------------

    def action_why(self) -> None:
        if self.run is None:
            self.notify("Run a suggestion (r) first.", severity="warning")
            return
        if self._tab() != "tab-unmatched":
            self._show_tab("tab-unmatched")
            return
        pid = self._current_person()
        if pid is None:
            self.notify("Nobody is left unmatched in this run.")
            return
        role, reason = self.run.reasons.get(pid, ("?", ""))
        if reason == EXCLUDED_REASON:
            self.notify(f"{pid} was left out of this run: x includes them again.")
            return
        self.app.push_screen(WhyDialog(self.program, pid, role, reason, self.run.suggestion))

    @on(VirtualTable.Selected, "#unmatched")
    def _unmatched_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_why()

    @on(VirtualTable.Selected, "#proposals")
    def _proposal_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if self._tab() != "tab-proposals":  # typed ahead of the focus after u or t
            self.action_why()
            return
        chosen = self._current_pair()
        if chosen is not None and chosen[1].pair_id:
            self.post_message(OpenEntity("pair", chosen[1].pair_id))


SCREEN = MatchingScreen
