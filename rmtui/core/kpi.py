"""The KPI catalogue: pure functions of (program data, as_of).

Every KPI is computed from a :class:`Snapshot`, plain data (the loaded
entities of each kind and the settings), so that the same functions serve the
working tree, the program as it was at any commit (built from git objects,
never touching the files) and a walk through the program's history.

**As of a date.** A KPI computed as of a day looks at the program as its
dates describe that day: a pair is ``active`` from the day it ``started``
until it ``ended`` (and ``paused`` during a pause), sessions, survey
answers and goal completions count once their date has come. So
``--as-of 2027-03-31`` gives the figures of that day even after the pair
ended in April. Participants' statuses carry no dates and are taken as the
files give them. Only held sessions count (not planned or cancelled ones).

**Periods.** A pair's cadence is its agreement's ``frequency`` (the
program's ``cadence`` when the agreement does not say): weekly is one
session every 7 days, biweekly every 14 days, monthly every month, where a
month is 365.25 / 12 = 30.4375 days in rates (and the same day of the next
month in due dates).

A KPI whose inputs are missing has no value (``None``) and a reason, never 0.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmtui.core import clock, gitrepo
from rmtui.core import settings as settings_mod
from rmtui.core.errors import DataError, RepoError, UsageError
from rmtui.core.parallel import gc_paused
from rmtui.core.settings import Settings
from rmtui.core.store import Program

MONTH_DAYS = 365.25 / 12
PERIOD_DAYS = {"weekly": 7.0, "biweekly": 14.0, "monthly": MONTH_DAYS}
HELD = "held"
SIDES = ("mentor", "mentee")
ACCEPTED_IN_PROGRAM = ("accepted", "active")   # participant statuses: in the program


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiValue:
    """One KPI: its value (None when its inputs are missing, with the reason), the
    target from ``program.toml``, whether it is met, and how many it is computed over."""

    name: str
    value: float | None
    target: float | None
    met: bool | None
    n: int
    reason: str | None
    label: str
    unit: str                   # "ratio" | "count" | "hours" | "score"
    definition: str = ""
    lower_is_better: bool = False

    @property
    def shown(self) -> str:
        """The value as a person reads it: ``66.7%``, ``4.25``, ``n/a``."""
        return display(self.value, self.unit, self.name)

    @property
    def shown_target(self) -> str:
        if self.target is None:
            return ""
        return ("≤ " if self.lower_is_better else "") + display(self.target, self.unit, self.name)

    @property
    def status(self) -> str:
        if self.value is None:
            return "n/a"
        if self.met is None:
            return "no target"
        return "met" if self.met else "not met"

    def to_json(self) -> dict:
        """``{"value", "target", "met", "n"}``, and ``"reason"`` when there is no value."""
        out: dict[str, Any] = {"value": _round(self.value), "target": self.target,
                               "met": self.met, "n": self.n}
        if self.value is None:
            out["reason"] = self.reason
        return out


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() and abs(rounded) < 1e15 else rounded


def rounded(value: float, decimals: int, *, sign: bool = False) -> str:
    """``value`` with ``decimals`` places, halves rounded up as people do (23.25 h is
    23.3, not the 23.2 of binary rounding)."""
    from decimal import ROUND_HALF_UP, Decimal

    q = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    return f"{q:+}" if sign else f"{q}"


def display(value: float | None, unit: str, name: str = "") -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":
        return rounded(value * 100, 1) + "%"
    if unit == "count":
        return rounded(value, 0)
    if unit == "hours":
        return rounded(value, 1)
    if name == "nps":
        return rounded(value, 0, sign=True)
    return rounded(value, 2, sign=name == "confidence_delta")


# --------------------------------------------------------------------------
# Snapshots: the program as plain data
# --------------------------------------------------------------------------

KPI_KINDS = ("participant", "pair", "agreement", "goal", "session", "survey", "response")


@dataclass
class Snapshot:
    """The program as plain data: the entities that passed their own checks, by kind
    and id, and the settings. ``skipped`` counts files left out (unreadable or
    invalid: ``rmtui validate`` says why)."""

    settings: Settings
    data: dict[str, dict[str, dict]]
    skipped: int = 0
    commit: str | None = None
    commit_date: dt.date | None = None
    _facts: Facts | None = field(default=None, repr=False)

    @property
    def facts(self) -> Facts:
        if self._facts is None:

            with gc_paused():
                self._facts = Facts(self)
        return self._facts


def snapshot(program: Program) -> Snapshot:
    """The working tree's program: the stored KPI snapshot, brought up to date from what
    git says changed (see :mod:`rmtui.core.kpi_cache`), holding what the KPIs read (no
    session summaries, notes, reasons or text answers)."""
    from rmtui.core import kpi_cache

    settings = program.settings
    entries = kpi_cache.entries(program, KPI_KINDS)
    with gc_paused():
        data = {k: {i: d for i, d in entries[k].items() if d is not None} for k in KPI_KINDS}
    skipped = sum(len(entries[k]) - len(data[k]) for k in KPI_KINDS)
    return Snapshot(settings, data, skipped)


class HistoryReader:
    """Snapshots of a program at commits, read from git objects (never the work tree).

    Files are parsed once per blob, so walking many commits costs little more
    than reading the files that changed between them.
    """

    def __init__(self, program: Program) -> None:
        from rmtui.core.kpi_cache import TreeReader

        repo = gitrepo.Repo.of(program.root)
        if repo is None:
            raise RepoError("the program is not in a git repository, so it has no history",
                            hint="run `git init` in it and commit it")
        self.program = program
        self.repo = repo
        rel = program.root.relative_to(Path(repo.root).resolve()).as_posix()
        self.prefix = "" if rel == "." else rel
        self._trees = TreeReader(repo, KPI_KINDS)
        self._settings: dict[str, Settings] = {}
        self._snapshots: dict[str, Snapshot] = {}

    def resolve(self, rev: str) -> str:
        sha = self.repo.resolve(rev)
        if sha is None:
            raise UsageError(f"no commit {rev!r} in the program's repository",
                             hint="`rmtui history` lists the program's commits")
        return sha

    def commits(self) -> list[tuple[str, dt.date]]:
        """The program's commits along the first-parent line, oldest first, with the day
        each was committed."""
        paths = [self.program.root] if self.prefix else []
        return [(sha, dt.date.fromisoformat(when[:10]))
                for sha, when in reversed(self.repo.mainline(paths))]

    def at(self, sha: str) -> Snapshot:

        if sha in self._snapshots:
            return self._snapshots[sha]
        listing = self.repo.tree(sha, self.prefix)
        toml_blob = listing.get(settings_mod.FILENAME)
        if toml_blob is None:
            raise DataError(f"the program had no {settings_mod.FILENAME} at commit {sha[:10]}",
                            hint="pick a later commit (`rmtui history` lists them)")
        if toml_blob not in self._settings:
            raw = self.repo.blobs([toml_blob]).get(toml_blob, b"")
            self._settings[toml_blob] = settings_mod.parse(raw)
        s = self._settings[toml_blob]
        if not s.ok:
            raise DataError(f"program.toml was invalid at commit {sha[:10]}",
                            diagnostics=s.diagnostics, hint="pick another commit")
        with gc_paused():
            entries = self._trees.entries(listing)
            data = {k: {i: d for i, d in entries[k].items() if d is not None} for k in KPI_KINDS}
        skipped = sum(len(entries[k]) - len(data[k]) for k in KPI_KINDS)
        snap = Snapshot(s, data, skipped, commit=sha,
                        commit_date=dt.date.fromisoformat(self.repo.commit_date(sha)[:10]))
        self._snapshots[sha] = snap
        return snap


def snapshot_at(program: Program, rev: str) -> Snapshot:
    """The program as it was at commit ``rev``, read from git objects."""
    reader = HistoryReader(program)
    return reader.at(reader.resolve(rev))


def _snapshot_of(program: Program | Snapshot, at: str | None = None) -> Snapshot:
    if isinstance(program, Snapshot):
        if at is not None:
            raise UsageError("a snapshot is already of one commit")
        return program
    return snapshot_at(program, at) if at is not None else snapshot(program)


# --------------------------------------------------------------------------
# Facts: the snapshot indexed for the KPIs (independent of as_of)
# --------------------------------------------------------------------------


def day_of(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass
class SessionFact:
    date: dt.date
    minutes: int | None
    rating_mentor: int | None
    rating_mentee: int | None


@dataclass
class PairFact:
    id: str
    mentor: str
    mentee: str
    status: str
    cohort: str | None
    proposed: dt.date | None
    accepted: dict[str, dt.date | None]
    started: dt.date | None
    ended: dt.date | None
    pauses: list[tuple[dt.date, dt.date | None]]
    frequency: str
    frequency_from: str                 # "agreement" or "program"
    sessions: list[SessionFact]         # held, by date
    dates: list[dt.date]                # the held sessions' dates, for bisect
    planned: list[dt.date]

    def status_on(self, day: dt.date) -> str | None:
        """The pair's status on ``day`` as its dates tell it (None: not yet proposed)."""
        if self.status in ("completed", "ended") and (self.ended is None or self.ended <= day):
            return self.status
        if self.started is not None and self.started <= day:
            for start, end in self.pauses:
                if start <= day and (end is None or day < end):
                    return "paused"
            if self.status == "paused" and not self.pauses:
                return "paused"
            return "active"
        if self.proposed is not None and self.proposed > day:
            return None
        dates = [self.accepted.get(s) for s in SIDES]
        if all(dates):
            return "accepted" if max(d for d in dates if d) <= day else "proposed"
        return "accepted" if self.status == "accepted" else "proposed"

    def held_by(self, day: dt.date) -> list[SessionFact]:
        return self.sessions[:bisect.bisect_right(self.dates, day)]

    def last_session(self, day: dt.date) -> dt.date | None:
        i = bisect.bisect_right(self.dates, day)
        return self.dates[i - 1] if i else None

    def active_days(self, day: dt.date) -> int:
        """Days from the start to ``day`` (or the end), less the days paused."""
        if self.started is None or self.started > day:
            return 0
        end = min(self.ended, day) if self.ended is not None else day
        total = max(0, (end - self.started).days)
        for start, stop in self.pauses:
            a = max(start, self.started)
            b = min(stop or end, end)
            if b > a:
                total -= (b - a).days
        return max(0, total)


class Facts:
    """A snapshot indexed once; every KPI reads it for any as_of."""

    def __init__(self, snap: Snapshot) -> None:
        s = snap.settings
        self.settings = s
        self.members: set[str] | None = None
        data = snap.data
        self.people: dict[str, dict] = data.get("participant", {})
        default_cadence = s.get("program.cadence", "biweekly") or "biweekly"
        sessions: dict[str, list[SessionFact]] = defaultdict(list)
        planned: dict[str, list[dt.date]] = defaultdict(list)
        for d in data.get("session", {}).values():
            day = day_of(d.get("date"))
            if day is None:
                continue
            status = d.get("status", HELD)
            if status == HELD:
                ratings = d.get("ratings") or {}
                sessions[d.get("pair", "")].append(SessionFact(
                    day, d.get("duration_minutes"), ratings.get("mentor"), ratings.get("mentee")))
            elif status == "planned":
                planned[d.get("pair", "")].append(day)
        agreements = data.get("agreement", {})
        self.pairs: list[PairFact] = []
        for pid, d in data.get("pair", {}).items():
            held = sorted(sessions.get(pid, []), key=lambda x: x.date)
            agreement = agreements.get(pid) or {}
            freq = agreement.get("frequency")
            pauses = []
            for p in d.get("pauses") or []:
                start = day_of(p.get("from"))
                if start is not None:
                    pauses.append((start, day_of(p.get("to"))))
            self.pairs.append(PairFact(
                id=pid, mentor=d.get("mentor", ""), mentee=d.get("mentee", ""),
                status=d.get("status", "proposed"), cohort=d.get("cohort"),
                proposed=day_of(d.get("proposed")),
                accepted={side: day_of((d.get("accepted") or {}).get(side)) for side in SIDES},
                started=day_of(d.get("started")), ended=day_of(d.get("ended")),
                pauses=sorted(pauses), frequency=freq or default_cadence,
                frequency_from="agreement" if freq else "program",
                sessions=held, dates=[x.date for x in held],
                planned=sorted(planned.get(pid, []))))
        self.agreements = agreements
        self.goals: dict[str, dict] = data.get("goal", {})
        self.surveys: dict[str, dict] = data.get("survey", {})
        self.responses: dict[str, dict] = data.get("response", {})

    def restrict(self, members: set[str]) -> Facts:
        """The facts of a group of participants: them, the pairs with one of them on
        either side, their goals and their responses."""
        out = copy.copy(self)
        out.members = members
        out.people = {i: p for i, p in self.people.items() if i in members}
        out.pairs = [p for p in self.pairs if p.mentor in members or p.mentee in members]
        out.goals = {i: g for i, g in self.goals.items() if g.get("owner") in members}
        out.responses = {i: r for i, r in self.responses.items()
                         if r.get("participant") in members}
        return out

    def mentees_in_program(self) -> list[str]:
        return [i for i, p in self.people.items()
                if p.get("role") == "mentee" and p.get("status", "applied") in ACCEPTED_IN_PROGRAM]

    def pairs_on(self, day: dt.date, *statuses: str) -> list[PairFact]:
        return [p for p in self.pairs if p.status_on(day) in statuses]

    def started_by(self, day: dt.date) -> list[PairFact]:
        return [p for p in self.pairs if p.started is not None and p.started <= day]

    def setting(self, name: str, default: int) -> int:
        return int(self.settings.get(f"kpi.{name}", default) or default)


# --------------------------------------------------------------------------
# The KPIs. Each returns (value, n, reason); value None means n/a.
# --------------------------------------------------------------------------

Result = tuple[float | None, int, str | None]


def match_rate(f: Facts, as_of: dt.date) -> Result:
    """mentees with a pair in ``accepted``/``active``/``completed`` ÷ mentees with status
    ``accepted`` or ``active``.

    The numerator counts the mentees of the denominator (so the rate stays within
    0-1); a pair's status is the one its dates give on as_of.
    """
    mentees = f.mentees_in_program()
    if not mentees:
        return None, 0, "no mentees with status accepted or active"
    matched = {p.mentee for p in f.pairs_on(as_of, "accepted", "active", "completed")}
    return sum(m in matched for m in mentees) / len(mentees), len(mentees), None


def engagement_rate(f: Facts, as_of: dt.date) -> Result:
    """``active`` pairs with a session in the last ``engagement_window_days`` (default 45)
    ÷ ``active`` pairs.

    "In the last N days": the last held session is at most N days before as_of.
    """
    window = f.setting("engagement_window_days", 45)
    active = f.pairs_on(as_of, "active")
    if not active:
        return None, 0, "no active pairs"
    engaged = 0
    for p in active:
        last = p.last_session(as_of)
        if last is not None and (as_of - last).days <= window:
            engaged += 1
    return engaged / len(active), len(active), None


def retention_rate(f: Facts, as_of: dt.date) -> Result:
    """pairs started at least ``retention_days`` (default 90) before as_of that are
    ``active``, ``paused`` or ``completed`` ÷ all pairs started that long ago."""
    days = f.setting("retention_days", 90)
    cutoff = as_of - dt.timedelta(days=days)
    old = [p for p in f.pairs if p.started is not None and p.started <= cutoff]
    if not old:
        return None, 0, f"no pair started {days} days or more before {as_of}"
    kept = sum(p.status_on(as_of) in ("active", "paused", "completed") for p in old)
    return kept / len(old), len(old), None


def adherence_of(p: PairFact, as_of: dt.date) -> float | None:
    """One pair's sessions held ÷ sessions expected (capped at 1); None on its first day."""
    if p.started is None or p.started >= as_of:
        return None
    expected = (as_of - p.started).days / PERIOD_DAYS.get(p.frequency, 14.0)
    return min(1.0, len(p.held_by(as_of)) / expected)


def cadence_adherence(f: Facts, as_of: dt.date) -> Result:
    """per pair: sessions held ÷ sessions expected from its agreement's frequency over the
    months since start (capped at 1); mean over active pairs.

    Expected sessions = days since start ÷ the cadence's period (7, 14 or 30.4375
    days); a pair that starts on as_of itself has nothing expected yet and is left out.
    """
    active = f.pairs_on(as_of, "active")
    if not active:
        return None, 0, "no active pairs"
    ratios = [r for r in (adherence_of(p, as_of) for p in active) if r is not None]
    if not ratios:
        return None, 0, "every active pair starts on this day"
    return sum(ratios) / len(ratios), len(ratios), None


def sessions_per_pair_month(f: Facts, as_of: dt.date) -> Result:
    """sessions ÷ pair-months active.

    Pair-months active: each pair's days from its start to as_of (or its end), less the
    days it was paused, ÷ 30.4375; sessions: every held session up to as_of.
    """
    days = 0
    pairs = 0
    sessions = 0
    for p in f.pairs:
        d = p.active_days(as_of)
        if d > 0:
            days += d
            pairs += 1
        sessions += len(p.held_by(as_of))
    if days == 0:
        return None, 0, "no pair has been active for a day yet"
    return sessions / (days / MONTH_DAYS), pairs, None


def mentoring_hours(f: Facts, as_of: dt.date) -> Result:
    """sum of session durations (held sessions up to as_of that record one), in hours."""
    held = [s for p in f.pairs for s in p.held_by(as_of)]
    if not held:
        return None, 0, "no sessions held yet"
    timed = [s.minutes for s in held if isinstance(s.minutes, int)]
    if not timed:
        return None, 0, "no held session records its duration"
    return sum(timed) / 60, len(timed), None


def goal_completion_rate(f: Facts, as_of: dt.date) -> Result:
    """goals ``done`` ÷ goals due on or before as_of.

    Both sides count the goals due on or before as_of (dropped ones too); a goal is
    done once its status is done and its ``completed`` date (if any) has come.
    """
    due = [g for g in f.goals.values() if (d := day_of(g.get("due"))) is not None and d <= as_of]
    if not due:
        return None, 0, f"no goals due on or before {as_of}"
    done = 0
    for g in due:
        completed = day_of(g.get("completed"))
        if g.get("status") == "done" and (completed is None or completed <= as_of):
            done += 1
    return done / len(due), len(due), None


def _satisfaction(f: Facts, as_of: dt.date, side: str) -> Result:
    ratings = [r for p in f.pairs for s in p.held_by(as_of)
               if isinstance(r := (s.rating_mentor if side == "mentor" else s.rating_mentee), int)]
    if not ratings:
        return None, 0, f"no session rated by a {side} yet"
    return sum(ratings) / len(ratings), len(ratings), None


def satisfaction_mentor(f: Facts, as_of: dt.date) -> Result:
    """mean session rating given by the mentor (1-5, held sessions up to as_of)."""
    return _satisfaction(f, as_of, "mentor")


def satisfaction_mentee(f: Facts, as_of: dt.date) -> Result:
    """mean session rating given by the mentee (1-5, held sessions up to as_of)."""
    return _satisfaction(f, as_of, "mentee")


def _submitted_by(r: dict, as_of: dt.date) -> dt.date | None:
    """The day a response counts from, or None if it does not count on as_of."""
    if r.get("status", "submitted") != "submitted":
        return None
    day = day_of(r.get("submitted")) or day_of(r.get("sent")) or dt.date.min
    return day if day <= as_of else None


def nps(f: Facts, as_of: dt.date) -> Result:
    """% of 9-10 minus % of 0-6 on the NPS question of ``exit`` surveys.

    Every answer to an ``nps`` question of a survey of kind ``exit``, submitted
    by as_of, counts once.
    """
    questions = {sid: [q["id"] for q in s.get("questions") or [] if q.get("type") == "nps"]
                 for sid, s in f.surveys.items() if s.get("kind") == "exit"}
    if not any(questions.values()):
        return None, 0, "no exit survey with an NPS question"
    scores = []
    for r in f.responses.values():
        qids = questions.get(r.get("survey", ""))
        if not qids or _submitted_by(r, as_of) is None:
            continue
        answers = r.get("answers") or {}
        scores.extend(answers[q] for q in qids if isinstance(answers.get(q), int))
    if not scores:
        return None, 0, "no exit survey responses yet"
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100 * (promoters - detractors) / len(scores), len(scores), None


@dataclass(frozen=True)
class ConfidenceRow:
    participant: str
    baseline: float | None
    final: float | None

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None or self.final is None else self.final - self.baseline


@dataclass(frozen=True)
class Confidence:
    """Mentees' self-assessed confidence before and after: one row per mentee with a
    baseline or a final score; the delta is the mean over those with both."""

    scale: str
    rows: list[ConfidenceRow]
    n: int
    baseline: float | None       # mean baseline of the mentees with both
    final: float | None          # mean final of the mentees with both
    delta: float | None
    reason: str | None


def _confidence(f: Facts, as_of: dt.date) -> Confidence:
    scale = str(f.settings.get("kpi.confidence_scale", "digital-confidence"))
    kinds = {}
    for sid, s in f.surveys.items():
        qids = [q["id"] for q in s.get("questions") or []
                if q.get("type") == "likert" and q.get("scale") == scale]
        if qids and s.get("kind") in ("baseline", "final"):
            kinds[sid] = (s["kind"], qids)
    # per mentee and kind: (day, score) of each response with answers on the scale
    found: dict[str, dict[str, list[tuple[dt.date, float]]]] = defaultdict(
        lambda: {"baseline": [], "final": []})
    for r in f.responses.values():
        pid = r.get("participant", "")
        spec = kinds.get(r.get("survey", ""))
        if spec is None or (f.people.get(pid) or {}).get("role") != "mentee":
            continue
        day = _submitted_by(r, as_of)
        if day is None:
            continue
        answers = r.get("answers") or {}
        values = [answers[q] for q in spec[1] if isinstance(answers.get(q), int)]
        if values:
            found[pid][spec[0]].append((day, sum(values) / len(values)))
    rows = []
    for pid in sorted(found):
        base = min(found[pid]["baseline"], default=None)     # the first baseline
        final = max(found[pid]["final"], default=None)       # the last final
        rows.append(ConfidenceRow(pid, base[1] if base else None, final[1] if final else None))
    both = [r for r in rows if r.delta is not None]
    reason = None
    if not kinds:
        reason = f"no baseline or final survey asks questions on the {scale!r} scale"
    elif not any(r.baseline is not None for r in rows):
        reason = "no baseline survey responses yet"
    elif not any(r.final is not None for r in rows):
        reason = "no final survey responses yet"
    elif not both:
        reason = "no mentee has both a baseline and a final response yet"
    if not both:
        return Confidence(scale, rows, 0, None, None, None, reason)
    n = len(both)
    return Confidence(scale, rows, n, sum(r.baseline for r in both) / n,   # type: ignore[misc]
                      sum(r.final for r in both) / n,                       # type: ignore[misc]
                      sum(r.delta for r in both) / n, None)                 # type: ignore[misc]


def confidence_delta(f: Facts, as_of: dt.date) -> Result:
    """mean over mentees with both of (final − baseline) on the digital-confidence scale.

    A response's score is the mean of its answers on the scale (``kpi.confidence_scale``);
    a mentee's baseline is their first baseline response, their final the last final one.
    """
    c = _confidence(f, as_of)
    return c.delta, c.n, c.reason


def leader_participation(f: Facts, as_of: dt.date) -> Result:
    """mentees with at least one session ÷ mentees accepted.

    Mentees accepted: those with status ``accepted`` or ``active`` (accepted into the
    program); a session: a held one up to as_of, in any of their pairs.
    """
    mentees = f.mentees_in_program()
    if not mentees:
        return None, 0, "no mentees with status accepted or active"
    met = {p.mentee for p in f.pairs if p.held_by(as_of)}
    return sum(m in met for m in mentees) / len(mentees), len(mentees), None


def _first_starts(f: Facts, as_of: dt.date) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for p in f.started_by(as_of):
        for who in (p.mentor, p.mentee):
            if f.members is not None and who not in f.members:
                continue
            assert p.started is not None
            if who not in out or p.started < out[who]:
                out[who] = p.started
    return out


def training_completion(f: Facts, as_of: dt.date) -> Result:
    """paired participants trained on or before their pair started ÷ paired participants.

    Paired: in a pair started by as_of; for someone in several, their first pair.
    """
    firsts = _first_starts(f, as_of)
    if not firsts:
        return None, 0, "no pair has started yet"
    trained = 0
    for pid, start in firsts.items():
        day = day_of((f.people.get(pid) or {}).get("training_completed"))
        if day is not None and day <= start:
            trained += 1
    return trained / len(firsts), len(firsts), None


def participant_retention(f: Facts, as_of: dt.date) -> Result:
    """participants who were ever in a started pair and are not ``left_company`` ÷
    participants who were ever in a started pair (started by as_of)."""
    firsts = _first_starts(f, as_of)
    if not firsts:
        return None, 0, "no pair has started yet"
    stayed = sum((f.people.get(pid) or {}).get("status") != "left_company" for pid in firsts)
    return stayed / len(firsts), len(firsts), None


def at_risk_pairs(f: Facts, as_of: dt.date) -> Result:
    """``active`` pairs with no session for more than ``at_risk_days`` (default 30).

    Days since the last held session, or since the start for a pair without one.
    """
    active = f.pairs_on(as_of, "active")
    if not active:
        return None, 0, "no active pairs"
    return float(len(_at_risk(f, as_of, active))), len(active), None


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    unit: str
    fn: Callable[[Facts, dt.date], Result]
    lower_is_better: bool = False

    @property
    def definition(self) -> str:
        doc = (self.fn.__doc__ or "").strip()
        return " ".join(doc.split("\n\n", 1)[0].replace("``", "").split())


CATALOGUE: tuple[Spec, ...] = (
    Spec("match_rate", "Mentees matched", "ratio", match_rate),
    Spec("engagement_rate", "Pairs engaged", "ratio", engagement_rate),
    Spec("retention_rate", "Pairs retained", "ratio", retention_rate),
    Spec("cadence_adherence", "Cadence kept", "ratio", cadence_adherence),
    Spec("sessions_per_pair_month", "Sessions per pair-month", "score", sessions_per_pair_month),
    Spec("mentoring_hours", "Mentoring hours", "hours", mentoring_hours),
    Spec("goal_completion_rate", "Goals completed", "ratio", goal_completion_rate),
    Spec("satisfaction_mentor", "Mentor satisfaction", "score", satisfaction_mentor),
    Spec("satisfaction_mentee", "Mentee satisfaction", "score", satisfaction_mentee),
    Spec("nps", "Net promoter score", "score", nps),
    Spec("confidence_delta", "Confidence gained", "score", confidence_delta),
    Spec("leader_participation", "Leaders taking part", "ratio", leader_participation),
    Spec("training_completion", "Trained before start", "ratio", training_completion),
    Spec("participant_retention", "Participants retained", "ratio", participant_retention),
    Spec("at_risk_pairs", "Pairs at risk", "count", at_risk_pairs, lower_is_better=True),
)
NAMES = tuple(s.name for s in CATALOGUE)


def _evaluate(f: Facts, as_of: dt.date) -> dict[str, KpiValue]:
    targets = f.settings.get("targets", {}) or {}
    out = {}
    for spec in CATALOGUE:
        value, n, reason = spec.fn(f, as_of)
        target = targets.get(spec.name)
        target = float(target) if isinstance(target, int | float) else None
        met = None
        if value is not None and target is not None:
            met = value <= target if spec.lower_is_better else value >= target
        out[spec.name] = KpiValue(spec.name, value, target, met, n, reason, spec.label,
                                  spec.unit, spec.definition, spec.lower_is_better)
    return out


# --------------------------------------------------------------------------
# The public API
# --------------------------------------------------------------------------


def resolve_as_of(snap: Snapshot, as_of: dt.date | str | None) -> dt.date:
    if isinstance(as_of, str):
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"{as_of!r} is not a date", hint="write it YYYY-MM-DD") from None
    if as_of is not None:
        return as_of
    return snap.commit_date or clock.today()


def compute(program: Program | Snapshot, as_of: dt.date | str | None = None, *,
            at: str | None = None) -> dict[str, KpiValue]:
    """Every KPI, in the order of DESIGN.md, as of a day (default today; with ``at``,
    the day of that commit), from the working tree or the program at commit ``at``."""
    snap = _snapshot_of(program, at)
    return _evaluate(snap.facts, resolve_as_of(snap, as_of))


@dataclass(frozen=True)
class Grouped:
    """KPIs per group of participants; groups under ``min_size`` people are hidden."""

    field: str
    groups: dict[str, dict[str, KpiValue]]     # shown groups, by label, sorted
    sizes: dict[str, int]                       # people in each shown group
    hidden: list[str]                           # labels of groups too small to show
    min_size: int
    overall: dict[str, KpiValue]
    people: int = 0                             # participants in all

    @property
    def hidden_note(self) -> str | None:
        if not self.hidden:
            return None
        what = "group" if len(self.hidden) == 1 else "groups"
        return (f"{len(self.hidden)} {what} with fewer than {self.min_size} people hidden: "
                + ", ".join(self.hidden))


NOT_SET = "(not set)"


def group_of(person: dict, dotted: str) -> list[str]:
    """The group labels a participant falls in for ``dotted`` (a list field: each item)."""
    node: Any = person
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None or node == "" or node == []:
        return [NOT_SET]
    if isinstance(node, list):
        return sorted({str(v) for v in node})
    if isinstance(node, bool):
        return ["true" if node else "false"]
    return [str(node)]


def compute_by(program: Program | Snapshot, field: str, as_of: dt.date | str | None = None, *,
               at: str | None = None) -> Grouped:
    """Every KPI per group of participants sharing a value of ``field`` (department,
    location, cohort, role, or any participant field, ``attributes.x`` too).

    A group holds its participants, the pairs with one of them on either side (and
    those pairs' sessions), their goals and their survey responses. Groups with fewer
    than ``kpi.min_group_size`` people are not computed, only named as hidden.
    """
    from rmtui.core import values

    values.check_field("participant", field)  # a usage error that lists the fields
    snap = _snapshot_of(program, at)
    day = resolve_as_of(snap, as_of)
    min_size = int(snap.settings.get("kpi.min_group_size", 5) or 5)
    members: dict[str, set[str]] = defaultdict(set)
    for pid, person in snap.data.get("participant", {}).items():
        for label in group_of(person, field):
            members[label].add(pid)
    groups, sizes, hidden = {}, {}, []
    for label in sorted(members, key=lambda x: (x == NOT_SET, x.casefold())):
        if len(members[label]) < min_size:
            hidden.append(label)
            continue
        groups[label] = _evaluate(snap.facts.restrict(members[label]), day)
        sizes[label] = len(members[label])
    return Grouped(field, groups, sizes, hidden, min_size, _evaluate(snap.facts, day),
                   len(snap.data.get("participant", {})))


def _period_ends(start: dt.date, until: dt.date, every: str) -> list[dt.date]:
    """The last day of each period from ``start`` to ``until``; ``until`` closes the last."""
    if every not in ("week", "month", "quarter"):
        raise UsageError(f"unknown period {every!r}", hint="periods are: week, month, quarter")
    ends: list[dt.date] = []
    if every == "week":  # weeks end on Sunday
        day = start + dt.timedelta(days=6 - start.weekday())
        while day < until:
            ends.append(day)
            day += dt.timedelta(days=7)
    else:
        step = 1 if every == "month" else 3
        month = start.month if every == "month" else (start.month - 1) // 3 * 3 + 1
        year = start.year
        while True:
            month += step
            if month > 12:
                month -= 12
                year += 1
            day = dt.date(year, month, 1) - dt.timedelta(days=1)
            if day >= until:
                break
            ends.append(day)
    ends.append(until)
    return ends


def _first_day(snap: Snapshot) -> dt.date | None:
    start = snap.settings.date("program.start")
    days = [d for p in snap.facts.pairs for d in (p.proposed, p.started) if d is not None]
    return min([start, *days]) if start or days else None


def _history_points(reader: HistoryReader, every: str, until: dt.date,
                   since: dt.date | None) -> list[tuple[dt.date, str]]:
    """For each period end, the last commit on or before it (none before the first)."""
    commits = [c for c in reader.commits() if c[1] <= until]
    if not commits:
        return []
    first = max(since, commits[0][1]) if since else commits[0][1]
    out = []
    i, current = 0, None
    for end in _period_ends(first, until, every):
        while i < len(commits) and commits[i][1] <= end:
            current = commits[i][0]
            i += 1
        if current is not None:
            out.append((end, current))
    return out


@dataclass(frozen=True)
class Point:
    """One point of a trend: the period's last day, the commit read (history), the KPIs."""

    date: dt.date
    commit: str | None
    kpis: dict[str, KpiValue]


def trend_points(program: Program | Snapshot, every: str = "month", *,
                 until: dt.date | None = None, source: str = "history",
                 since: dt.date | None = None) -> list[Point]:
    """:func:`trend` with the commit each point was read from."""
    until = until or clock.today()
    if source == "dates" or isinstance(program, Snapshot):
        snap = _snapshot_of(program)
        first = since or _first_day(snap) or until
        return [Point(end, snap.commit, _evaluate(snap.facts, end))
                for end in _period_ends(min(first, until), until, every)]
    if source != "history":
        raise UsageError(f"unknown source {source!r}", hint="sources are: history, dates")
    reader = HistoryReader(program)
    return [Point(end, sha, _evaluate(reader.at(sha).facts, end))
            for end, sha in _history_points(reader, every, until, since)]


def trend(program: Program | Snapshot, every: str = "month", *, until: dt.date | None = None,
          source: str = "history", since: dt.date | None = None,
          ) -> list[tuple[dt.date, dict[str, KpiValue]]]:
    """Every KPI at the end of each period (``week``, ``month``, ``quarter``) up to
    ``until`` (default today, the last point).

    ``source="history"`` walks git: each period is computed from the program as it was
    at the last commit on or before the period's end, as of that end (periods before
    the first commit are left out). ``source="dates"`` computes every period from the
    current files, as of each period's end, for programs whose past was recorded in
    one commit.
    """
    return [(p.date, p.kpis) for p in trend_points(program, every, until=until, source=source,
                                                   since=since)]


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[float | None], missing: str = "·") -> str:
    """Unicode blocks from the lowest value to the highest; ``missing`` for n/a."""
    vals = list(values)
    real = [v for v in vals if v is not None]
    if not real:
        return missing * len(vals)
    lo, hi = min(real), max(real)
    out = []
    for v in vals:
        if v is None:
            out.append(missing)
        elif hi == lo:
            out.append(SPARKS[len(SPARKS) // 2 - 1])
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, int((v - lo) / (hi - lo) * len(SPARKS)))])
    return "".join(out)


# --------------------------------------------------------------------------
# Pairs that need attention
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    pair: str
    mentor: str
    mentee: str
    started: dt.date
    last_session: dt.date | None
    days: int                   # since the last session, or since the start


def _at_risk(f: Facts, as_of: dt.date, active: list[PairFact]) -> list[AtRisk]:
    limit = f.setting("at_risk_days", 30)
    out = []
    for p in active:
        assert p.started is not None
        last = p.last_session(as_of)
        days = (as_of - (last or p.started)).days
        if days > limit:
            out.append(AtRisk(p.id, p.mentor, p.mentee, p.started, last, days))
    return sorted(out, key=lambda r: (-r.days, r.pair))


def last_held(program: Program, as_of: dt.date) -> dict[str, str]:
    """``{pair id: date}`` of each pair's last held session on or before ``as_of``,
    from two fields of every session (their small cache), not the KPI snapshot."""
    until = as_of.isoformat()
    last: dict[str, str] = {}
    for session_id, cols in program.columns("session", ("date", "status")).items():
        if cols is None:
            continue
        day, status = cols
        if (status or HELD) != HELD or not isinstance(day, str) or day > until:
            continue
        pair = session_id.split("/", 1)[0]
        if day > last.get(pair, ""):
            last[pair] = day
    return last


def at_risk(program: Program | Snapshot, as_of: dt.date | str | None = None) -> list[AtRisk]:
    """Active pairs with no session for more than ``at_risk_days``, longest first,
    with the days since their last session (or since they started, without one)."""
    snap = _snapshot_of(program)
    day = resolve_as_of(snap, as_of)
    return _at_risk(snap.facts, day, snap.facts.pairs_on(day, "active"))


@dataclass(frozen=True)
class Due:
    pair: str
    mentor: str
    mentee: str
    frequency: str
    frequency_from: str         # agreement or program
    last_session: dt.date | None
    due: dt.date
    overdue_days: int           # days past due (negative: due in that many days)
    planned: dt.date | None     # the next planned session on or after as_of


def next_due(p: PairFact, as_of: dt.date) -> dt.date:
    """The day the pair's next session is due: one period after its last session (or
    its start, or the end of its last pause when that came later)."""
    from_day = p.last_session(as_of) or p.started
    assert from_day is not None
    resumed = [end for start, end in p.pauses if end is not None and end <= as_of]
    if resumed and max(resumed) > from_day:
        from_day = max(resumed)
    if p.frequency == "monthly":
        return _next_month(from_day)
    return from_day + dt.timedelta(days=int(PERIOD_DAYS.get(p.frequency, 14)))


def _next_month(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def sessions_due(program: Program | Snapshot, as_of: dt.date | str | None = None, *,
                 within_days: int = 0) -> list[Due]:
    """Active pairs whose next session by their agreement's cadence is due on or before
    as_of (+ ``within_days``), most overdue first."""
    snap = _snapshot_of(program)
    day = resolve_as_of(snap, as_of)
    horizon = day + dt.timedelta(days=within_days)
    out = []
    for p in snap.facts.pairs_on(day, "active"):
        due = next_due(p, day)
        if due > horizon:
            continue
        i = bisect.bisect_left(p.planned, day)
        planned = p.planned[i] if i < len(p.planned) else None
        out.append(Due(p.id, p.mentor, p.mentee, p.frequency, p.frequency_from,
                       p.last_session(day), due, (day - due).days, planned))
    return sorted(out, key=lambda r: (r.due, r.pair))


def confidence(program: Program | Snapshot, as_of: dt.date | str | None = None) -> Confidence:
    """Baseline and final confidence per mentee, the mean delta and its n."""
    snap = _snapshot_of(program)
    return _confidence(snap.facts, resolve_as_of(snap, as_of))


def engagement_series(program: Program | Snapshot, as_of: dt.date | str | None = None, *,
                      every: str = "month") -> list[tuple[dt.date, float | None, int]]:
    """Engagement over time from the current files: ``(period end, engagement_rate,
    sessions held in the period)`` for each period up to as_of."""
    snap = _snapshot_of(program)
    day = resolve_as_of(snap, as_of)
    f = snap.facts
    first = _first_day(snap) or day
    out = []
    previous = None
    for end in _period_ends(first, day, every):
        held = sum(len(p.held_by(end)) for p in f.pairs)
        before = sum(len(p.held_by(previous)) for p in f.pairs) if previous else 0
        out.append((end, engagement_rate(f, end)[0], held - before))
        previous = end
    return out

