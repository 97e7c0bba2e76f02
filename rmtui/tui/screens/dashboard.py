"""Dashboard: the program at a glance. The KPIs against their targets with a trend
each, the pairs at risk, the sessions due this week, how many problems validation
finds, and the last changes from git.

Every part loads in its own thread worker, started once the screen has painted
"loading…" in each place; each fills in as its results come. The KPI snapshot is
read once and shared by the KPIs, the at-risk pairs, the sessions due and the
trend; the trend (the KPIs at each of the last month ends) comes last, after the
rest is on screen, as it costs about as much again as the KPIs themselves. The
KPIs, validation and the git log are each computed in a child process (see
:mod:`rmtui.tui.jobs`): their worker threads only wait for the results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from rmtui.core import kpi
from rmtui.tui import jobs
from rmtui.tui.jobs import DUE_WITHIN, TREND_POINTS
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.base import ProgramScreen
from rmtui.tui.widgets.vtable import Column, VirtualTable

LOADING = "loading…"
LABEL_MIN = 21        # KPI labels shorter than this are never cut


# --------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------


def explanation(v: kpi.KpiValue) -> str:
    """What a KPI is and where it stands, in words (Enter on it shows this)."""
    target = f"target {v.shown_target}" if v.shown_target else "no target"
    if v.value is None:
        where = f"n/a: {v.reason}" if v.reason else "n/a"
    else:
        where = f"{v.shown}, {target}: {v.status}, over {v.n:,}"
        target = ""
    text = f"{where}" + (f" ({target})" if target else "") + "."
    return f"{text}\n{v.definition}" if v.definition else text


class KpiTable(Widget, can_focus=True):
    """The KPIs, one line each: label, value, target, status (a word), trend, and n
    when there is room. A KPI without a value says "n/a" and why, in place of its
    status and trend. Enter or a click on one explains it.

    Columns are as wide as what they hold; the label takes what is left, and the
    trend shows fewer points before a label is cut.
    """

    COMPONENT_CLASSES = {"kpis--header", "kpis--value", "kpis--met", "kpis--not-met",
                         "kpis--muted", "kpis--trend", "kpis--error", "kpis--cursor"}
    DEFAULT_CSS = """
    KpiTable { height: auto; }
    KpiTable > .kpis--header { text-style: bold; background: $panel; }
    KpiTable > .kpis--value { text-style: bold; }
    KpiTable > .kpis--met { color: $text-success; }
    KpiTable > .kpis--not-met { color: $text-error; text-style: bold; }
    KpiTable > .kpis--muted { color: $text-muted; }
    KpiTable > .kpis--trend { color: $text-accent; }
    KpiTable > .kpis--error { color: $text-error; }
    KpiTable > .kpis--cursor { text-style: reverse; }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("enter", "explain", "Explain"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values: dict[str, kpi.KpiValue] | None = None
        self.sparks: dict[str, str] | None = None
        self.as_of: dt.date | None = None
        self.error: str | None = None
        self.note: str | None = None
        self.cursor = 0

    def show(self, as_of: dt.date, values: dict[str, kpi.KpiValue], note: str | None) -> None:
        self.as_of, self.values, self.note, self.error = as_of, values, note, None
        self.refresh(layout=True)

    def show_sparks(self, sparks: dict[str, str] | None) -> None:
        self.sparks = sparks
        self.refresh()

    def show_error(self, text: str) -> None:
        self.error = text
        self.refresh(layout=True)

    # -- moving and explaining ----------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.cursor = max(0, min(len(kpi.CATALOGUE) - 1, self.cursor + delta))
        self.refresh()

    def action_explain(self) -> None:
        spec = kpi.CATALOGUE[self.cursor]
        v = self.values.get(spec.name) if self.values else None
        if v is None:
            self.notify(f"{spec.label}: not computed yet.", title=spec.label)
            return
        self.notify(explanation(v), title=spec.label, timeout=12)

    def on_click(self, event: events.Click) -> None:
        if 1 <= event.y <= len(kpi.CATALOGUE):
            self.cursor = event.y - 1
            self.focus()
            self.action_explain()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing --------------------------------------------------------------------

    def get_content_height(self, container, viewport, width: int) -> int:
        extra = self.error or self.note
        return 1 + len(kpi.CATALOGUE) + (extra.count("\n") + 1 if extra else 0)

    def _widths(self, width: int) -> tuple[int, int, int, int, int, int]:
        """label, value, target, status, trend and n widths (0: not shown)."""
        shown = [v for v in (self.values or {}).values() if v.value is not None]
        value = max([5, *(len(v.shown) for v in shown)])
        target = max([6, *(len(v.shown_target) for v in (self.values or {}).values())])
        status = max([6, *(len(v.status) for v in shown)])
        longest = max(len(s.label) for s in kpi.CATALOGUE)
        # narrow: the trend shows fewer of the last points before labels are cut
        trend = max(4, min(TREND_POINTS, width - (value + target + status + 4) - LABEL_MIN))
        fixed = value + target + status + trend + 4
        label = max(12, min(longest, width - fixed))
        n = width - label - fixed - 1
        if n < 6:
            n = 0
            label = max(12, width - fixed)
        return label, value, target, status, trend, n

    def render(self) -> Text:
        width = self.size.width
        lw, vw, tw, sw, trw, nw = self._widths(width)
        style = self.get_component_rich_style
        out = Text(no_wrap=True, overflow="ellipsis", end="")

        def cell(text: str, w: int, st: Style | str = "", right: bool = False) -> Text:
            t = Text(text, style=st, no_wrap=True, end="")
            t.truncate(w, overflow="ellipsis")
            if right:
                t.pad_left(w - t.cell_len)
            else:
                t.pad_right(w - t.cell_len)
            return t

        head = Text(style=style("kpis--header"), no_wrap=True, end="")
        as_of = f"KPIs as of {self.as_of.isoformat()}" if self.as_of else "KPIs"
        head.append_text(cell(as_of, lw))
        for text, w, right in ((" value", vw + 1, True), (" target", tw + 1, True),
                               (" status", sw + 1, False), (" trend", trw + 1, False),
                               (" n", nw + 1 if nw else 0, False)):
            if w:
                head.append_text(cell(text, w, right=right))
        head.truncate(width, overflow="crop", pad=True)
        out.append_text(head)

        rest = sw + 1 + trw + (nw + 1 if nw else 0)  # status, trend and n
        for i, spec in enumerate(kpi.CATALOGUE):
            out.append("\n")
            line = cell(spec.label, lw)
            v = self.values.get(spec.name) if self.values else None
            if v is None:
                line.append(" ")
                line.append_text(cell("" if self.error else LOADING,
                                      vw + tw + sw + 2, style("kpis--muted"), right=True))
            else:
                line.append(" ")
                line.append_text(cell(v.shown, vw, style("kpis--value"), right=True))
                line.append(" ")
                line.append_text(cell(v.shown_target or "none", tw, style("kpis--muted"),
                                      right=True))
                line.append(" ")
                if v.value is None:  # n/a, and why, in place of status, trend and n
                    why = f"n/a: {v.reason}" if v.reason else "n/a"
                    line.append_text(cell(why, rest, style("kpis--muted")))
                else:
                    word = v.status
                    st = (style("kpis--met") if word == "met" else
                          style("kpis--not-met") if word == "not met" else style("kpis--muted"))
                    line.append_text(cell(word, sw, st))
                    line.append(" ")
                    spark = self.sparks.get(spec.name, "") if self.sparks is not None else "…"
                    line.append_text(cell(spark[-trw:], trw, style("kpis--trend")))
                    if nw:
                        line.append(" ")
                        line.append_text(cell(f"n={v.n:,}", nw, style("kpis--muted")))
            if i == self.cursor and self.has_focus:
                line.truncate(width, pad=True)
                line.stylize(style("kpis--cursor"))
            out.append_text(line)
        extra = self.error or self.note
        if extra:
            st = style("kpis--error") if self.error else style("kpis--muted")
            for text in extra.split("\n"):
                out.append("\n")
                out.append_text(cell(text, width, st))
        return out


class PairList(VirtualTable):
    """A short list of pairs; Enter or a click opens the pair."""

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + self.scroll_offset.y
        if event.y > 0 and 0 <= index < self.row_count:
            self.post_message(self.Selected(self, str(self.row(index)[0])))


# --------------------------------------------------------------------------
# The screen
# --------------------------------------------------------------------------


class DashboardScreen(ProgramScreen):
    TITLE_TEXT = "Dashboard"
    IN_PROCESS = True  # each load in a child process (False: in its worker thread)
    AUTO_FOCUS = "#at-risk"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    HELP = (
        "The program at a glance, as of today.\n\n"
        "KPIs: the value, the target (program.toml's targets), the status in words (met, "
        "not met, no target, or n/a and why) and a trend: the KPI at each of the last "
        f"{TREND_POINTS} month ends, the last one today, from the files' dates (as `rmtui "
        "kpi trend --source dates` computes them).\n\n"
        "At risk: active pairs with no held session for more than at_risk_days; Days counts "
        "from the last session (or the start). Due: pairs whose next session by their "
        f"cadence falls within {DUE_WITHIN} days. Enter or a click opens a pair in Pairs.\n\n"
        "Problems: what `rmtui validate` finds (7 lists them). Last changes: the newest "
        "commits (6 shows them all).")
    BINDINGS = [
        Binding("a", "focus('#at-risk')", "At risk"),
        Binding("d", "focus('#due')", "Due"),
        Binding("K", "focus('#kpis')", "KPIs"),
        Binding("p", "app.switch_mode('problems')", "Problems", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-top"):
            with Vertical(id="dash-kpis"):
                yield KpiTable(id="kpis")
            with Vertical(id="dash-side"):
                yield Static(f"At risk: {LOADING}", id="at-risk-title", classes="dash-title")
                yield PairList([Column("pair", "Pair", 0), Column("days", "Days", 4)],
                               id="at-risk")
                yield Static(f"Due in {DUE_WITHIN} days: {LOADING}", id="due-title",
                             classes="dash-title")
                yield PairList([Column("pair", "Pair", 0), Column("due", "Due", 8)], id="due")
                yield Static("Problems", id="problems-title", classes="dash-title")
                yield Static(LOADING, id="problems")
        with Vertical(id="dash-bottom"):
            yield Static("Last changes", classes="dash-title")
            yield Static(LOADING, id="changes")
        yield Footer()

    # -- loading ------------------------------------------------------------------

    def reload(self) -> None:
        # after the next paint: the placeholders show first, then the loads start
        self.call_after_refresh(self._start_loads)

    def _start_loads(self) -> None:
        self._load_kpis()
        self._load_problems()
        self._load_changes()

    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        """Hand a result to the event loop, unless a newer load replaced this one."""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(fn, *args)

    def _results(self, target: str) -> Iterator[tuple]:
        """What the job ``target`` sends, computed in a child process when
        :attr:`IN_PROCESS` (see :mod:`rmtui.tui.jobs`)."""
        worker = get_current_worker()
        root = str(self.program.root)
        if not self.IN_PROCESS:
            yield from jobs.collect(target, root)
            return
        yield from jobs.run(target, root, cancelled=lambda: worker.is_cancelled)

    @work(thread=True, exclusive=True, group="dash-kpis", exit_on_error=False)
    def _load_kpis(self) -> None:
        handlers = {"kpis": self._show_kpis, "pairs": self._show_pairs,
                    "sparks": self._show_sparks, "error": self._kpis_failed}
        for what, *args in self._results("rmtui.tui.jobs:kpi_job"):
            self._post(handlers[what], *args)

    def _kpis_failed(self, message: str) -> None:
        self.query_one(KpiTable).show_error(f"Could not compute the KPIs: {message}")
        self.query_one("#at-risk-title", Static).update("At risk: n/a")
        self.query_one("#due-title", Static).update(f"Due in {DUE_WITHIN} days: n/a")
        self.query_one(KpiTable).show_sparks({})

    def _show_kpis(self, day: dt.date, values: dict[str, kpi.KpiValue], note: str | None) -> None:
        self.query_one(KpiTable).show(day, values, note)

    def _show_pairs(self, risky: list[tuple], due: list[tuple]) -> None:
        n = len(risky)
        self.query_one("#at-risk-title", Static).update(
            f"At risk: {n} pair{'s' if n != 1 else ''}" if n else "At risk: none")
        table = self.query_one("#at-risk", PairList)
        table.set_rows(risky)
        table.display = bool(risky)
        n = len(due)
        self.query_one("#due-title", Static).update(
            f"Due in {DUE_WITHIN} days: {n} pair{'s' if n != 1 else ''}" if n
            else f"Due in {DUE_WITHIN} days: none")
        table = self.query_one("#due", PairList)
        table.set_rows(due)
        table.display = bool(due)
        if not risky and (self.focused is None or self.focused.id == "at-risk"):
            (table if due else self.query_one(KpiTable)).focus()

    def _show_sparks(self, sparks: dict[str, str]) -> None:
        self.query_one(KpiTable).show_sparks(sparks)

    @work(thread=True, exclusive=True, group="dash-problems", exit_on_error=False)
    def _load_problems(self) -> None:
        for what, text in self._results("rmtui.tui.jobs:problems_job"):
            self._post(self._show_problems, text if what == "problems"
                       else f"Could not validate: {text}")

    def _show_problems(self, text: str) -> None:
        self.query_one("#problems", Static).update(Text(text))

    @work(thread=True, exclusive=True, group="dash-changes", exit_on_error=False)
    def _load_changes(self) -> None:
        for _what, text in self._results("rmtui.tui.jobs:changes_job"):
            self._post(self._show_changes, text)

    def _show_changes(self, text: str) -> None:
        self.query_one("#changes", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    # -- opening a pair -------------------------------------------------------------

    @on(VirtualTable.Selected)
    def _open_pair(self, event: VirtualTable.Selected) -> None:
        if event.key is not None:
            self.post_message(OpenEntity("pair", event.key))


SCREEN = DashboardScreen
