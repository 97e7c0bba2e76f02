"""Surveys: who has answered what. Each survey with its responses sent, answered and
pending; the people of the selected one; the mentees' confidence delta with its n."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from rmtui.core import kpi
from rmtui.core.errors import RmtuiError
from rmtui.core.ops import surveys
from rmtui.tui.jobs import Cancelled, run_in_process, survey_answers
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.base import ProgramScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

SURVEY_COLUMNS = [Column("survey", "Survey", 12), Column("title", "Title", 0, drop=1),
                  Column("kind", "Kind", 8, drop=2), Column("sent", "Sent", 5),
                  Column("answered", "Answered", 8), Column("pending", "Pending", 7),
                  Column("rate", "Answered %", 10, drop=3)]
PEOPLE_COLUMNS = [Column("participant", "Participant", 20), Column("name", "Name", 0),
                  Column("role", "Role", 6, drop=2), Column("status", "Status", 8),
                  Column("sent", "Sent", 10, drop=1), Column("submitted", "Answered on", 11,
                                                             drop=1)]


@dataclass(frozen=True)
class Loaded:
    tallies: list[surveys.Tally]
    unsent: dict[str, int | None]          # survey -> people in the program not sent it yet
    people: dict[str, tuple[str, str]]     # participant -> (name, role)
    confidence: kpi.Confidence | None
    confidence_error: str | None


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def survey_row(t: surveys.Tally) -> tuple:
    return (t.survey, t.title, t.kind, t.sent, t.answered, t.pending, percent(t.answered, t.sent))


def confidence_line(c: kpi.Confidence | None, error: str | None) -> str:
    if c is None:
        return f"Confidence delta: not available: {error}"
    if c.delta is None:
        return f"Confidence delta: not available: {c.reason}."
    n = f"n = {c.n} mentee{'s' if c.n != 1 else ''} with both"
    return (f"Confidence delta {kpi.rounded(c.delta, 2, sign=True)} "
            f"({kpi.rounded(c.baseline, 2)} before, {kpi.rounded(c.final, 2)} after; {n})")


def survey_line(t: surveys.Tally, unsent: int | None) -> str:
    text = (f"{t.survey}: sent to {t.sent}, {t.answered} answered, {t.pending} not answered")
    invalid = t.count(surveys.INVALID)
    if invalid:
        text += f", {invalid} invalid"
    if unsent:
        text += f"; {unsent} in the program not sent it yet"
    return text


class SurveysScreen(ProgramScreen):
    TITLE_TEXT = "Surveys"
    AUTO_FOCUS = "#surveys"
    HELP = ("Each survey with the responses present: sent (a stub or an answer), answered "
            "(submitted) and not answered (pending). The lower list is the people of the "
            "selected survey; p shows only those who have not answered. enter on a survey "
            "moves to its people, enter on a person opens them in People. The confidence "
            "delta is the mentees' mean change between their baseline and final scores "
            "(n counts the mentees with both). Send a survey with `rmtui survey send`; "
            "record answers with `rmtui response add` or `rmtui response import`.")
    BINDINGS = [
        Binding("p", "pending_only", "Pending only"),
        Binding("tab", "switch_list", "Other list", show=False),
        Binding("escape", "back", "Back to surveys", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.pending_only = False
        self._want: tuple[str, str | None] | None = None  # asked for before the data came
        self._shown: tuple = ()  # survey, data and filter the lower list shows

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static("Reading the surveys…", id="confidence", classes="count", markup=False)
            yield VirtualTable(SURVEY_COLUMNS, id="surveys")
            yield Static("", id="survey-line", classes="count", markup=False)
            yield VirtualTable(PEOPLE_COLUMNS, id="answers")
        yield Footer()

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="surveys", exit_on_error=False)
    def _load(self) -> None:
        worker = get_current_worker()
        try:  # in a child process: a big program's KPI read would stall the app
            found = run_in_process(survey_answers, str(self.program.root),
                                   cancelled=lambda: worker.is_cancelled)
        except Cancelled:
            return
        except RmtuiError as e:
            self.app.call_from_thread(self.rapp.show_error, e)
            return
        self.app.call_from_thread(self._show, Loaded(*found))

    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.query_one("#confidence", Static).update(
            confidence_line(loaded.confidence, loaded.confidence_error))
        table = self.query_one("#surveys", VirtualTable)
        table.set_rows([survey_row(t) for t in loaded.tallies])
        table.styles.height = min(len(loaded.tallies), 6) + 1
        if self._want is not None:
            table.move_to(self._want[0])
        self._show_survey(table.cursor_key)
        if self._want is not None and self._want[1] is not None:
            answers = self.query_one("#answers", VirtualTable)
            answers.move_to(self._want[1])
            answers.focus()
        self._want = None
        self.rapp.loaded()
        if not loaded.tallies:
            self.query_one("#survey-line", Static).update(
                "No surveys yet: add one in surveys/<id>.yaml (`rmtui survey add`).")

    # -- the selected survey --------------------------------------------------------

    def _tally(self, key: str | None) -> surveys.Tally | None:
        if self.loaded is None or key is None:
            return None
        return next((t for t in self.loaded.tallies if t.survey == key), None)

    @on(VirtualTable.Highlighted, "#surveys")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_survey(event.key)

    def _show_survey(self, key: str | None) -> None:
        shown = (key, id(self.loaded), self.pending_only)
        if shown == self._shown:
            return  # the same again (the cursor reports where set_rows left it)
        self._shown = shown
        t = self._tally(key)
        answers = self.query_one("#answers", VirtualTable)
        line = self.query_one("#survey-line", Static)
        if t is None or self.loaded is None:
            answers.set_rows([])
            line.update("")
            return
        people = self.loaded.people
        listed = [a for a in t.answers if not self.pending_only or a.status != surveys.ANSWERED]
        rows = [(a.participant, *people.get(a.participant, ("(not a participant)", "")),
                 a.status, a.sent or "", a.submitted or "") for a in listed]
        answers.set_rows(rows, keep_cursor=answers.cursor_key is not None)
        text = survey_line(t, self.loaded.unsent.get(t.survey))
        if self.pending_only:
            text += " · showing only those not answered (p: everyone)"
        line.update(text)

    @on(VirtualTable.Selected, "#surveys")
    def _survey_chosen(self) -> None:
        self.query_one("#answers", VirtualTable).focus()

    @on(VirtualTable.Selected, "#answers")
    def _person_chosen(self, event: VirtualTable.Selected) -> None:
        if event.key is not None:
            self.post_message(OpenEntity("participant", event.key))

    def action_pending_only(self) -> None:
        self.pending_only = not self.pending_only
        self._show_survey(self.query_one("#surveys", VirtualTable).cursor_key)

    def action_switch_list(self) -> None:
        surveys_table = self.query_one("#surveys", VirtualTable)
        other = self.query_one("#answers", VirtualTable) if surveys_table.has_focus \
            else surveys_table
        other.focus()

    def action_back(self) -> None:
        self.query_one("#surveys", VirtualTable).focus()

    def open_entity(self, kind: str, entity_id: str) -> None:
        """A survey, or one person's response to it (``survey/participant``)."""
        survey, _, person = entity_id.partition("/")
        if self.loaded is None:
            self._want = (survey, person or None)
            return
        table = self.query_one("#surveys", VirtualTable)
        table.move_to(survey)
        self._show_survey(table.cursor_key)
        if person:
            answers = self.query_one("#answers", VirtualTable)
            if self.pending_only and not answers.move_to(person):
                self.action_pending_only()
            answers.move_to(person)
            answers.focus()
        else:
            table.focus()


SCREEN = SurveysScreen
