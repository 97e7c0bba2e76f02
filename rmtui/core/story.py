"""A pair's story: its file, its agreement, sessions and goals, and its git history,
told in time order for a person (``rmtui pair show``).

Dates come from the files (when a step happened); the git history says who
recorded each step, and adds the changes no file date tells (an agreement drawn
up, an edit by hand). Sessions are told month by month; their summaries are
private to the pair and never part of the story.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rmtui.core import clock, gitrepo, ids
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.store import Program

SIDES = ("mentor", "mentee")


@dataclass(frozen=True)
class Event:
    date: dt.date
    event: str                  # proposed, accepted, signed, started, sessions, paused, ...
    text: str                   # what happened, for a person
    by: str | None = None       # who recorded it (the commit's author)
    commit: str | None = None

    def to_json(self) -> dict:
        return {"date": self.date.isoformat(), "event": self.event, "text": self.text,
                "by": self.by, "commit": self.commit}


@dataclass
class Story:
    pair: dict                  # the pair file's data
    names: dict[str, str]       # mentor/mentee -> name
    facts: list[tuple[str, str]]  # (label, text) lines of the header
    events: list[Event] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"pair": self.pair,
                "mentor": {"id": self.pair.get("mentor"), "name": self.names.get("mentor")},
                "mentee": {"id": self.pair.get("mentee"), "name": self.names.get("mentee")},
                "summary": self.summary, "events": [e.to_json() for e in self.events]}

    def text(self) -> str:
        """The story for a terminal: the header, then one line per event."""
        p = self.pair
        status = p.get("status", "")
        since = {"active": p.get("started"), "paused": _last_pause(p),
                 "completed": p.get("ended"), "ended": p.get("ended"),
                 "proposed": p.get("proposed")}.get(status)
        word = "on" if status in ("completed", "ended") else "since"
        lines = [f"pair {p.get('id')}: {status}" + (f" {word} {since}" if since else "")]
        width = max((len(label) for label, _ in self.facts), default=0)
        lines += [f"  {label.ljust(width)}  {text}" for label, text in self.facts]
        lines.append("")
        text_width = max((len(e.text) for e in self.events), default=0)
        text_width = min(text_width, 64)
        for e in self.events:
            who = f"  ({e.by})" if e.by else ""
            lines.append(f"{e.date.isoformat()}  {e.text.ljust(text_width) if who else e.text}"
                         f"{who}".rstrip())
        if not self.events:
            lines.append("(nothing has happened yet)")
        return "\n".join(lines) + "\n"


def _last_pause(pair: dict) -> str | None:
    pauses = pair.get("pauses") or []
    return pauses[-1].get("from") if pauses else None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _sessions(program: Program, pair_id: str) -> list[dict]:
    folder = program.root / KINDS["session"].folder / pair_id
    out = []
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".yaml"))
    except OSError:
        return out
    for name in names:
        try:
            rec = program.read("session", f"{pair_id}/{name[:-5]}")
        except UsageError:
            continue
        if rec.ok and rec.data is not None:
            out.append(rec.data)
    return out


def _name(program: Program, pid: str) -> str:
    try:
        rec = program.read("participant", pid)
    except UsageError:
        return pid
    return str((rec.data or {}).get("name") or pid)


def _hours(minutes: int) -> str:
    """75 -> "1 h 15 min", 120 -> "2 h", 45 -> "45 min"."""
    h, m = divmod(minutes, 60)
    return " ".join(x for x in (f"{h} h" if h else "", f"{m} min" if m else "") if x) or "0 min"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def story(program: Program, pair_id: str, *, as_of: dt.date | None = None,
          history: bool = True) -> Story:
    """The story of one pair, as of a day (default today)."""
    from rmtui.core import kpi

    ids.check_id(pair_id, "pair id")
    rec = program.read("pair", pair_id)
    if rec.data is None:
        raise DataError(f"{rec.path} cannot be read", diagnostics=rec.diagnostics)
    pair = rec.data
    today = as_of or clock.today()
    names = {side: _name(program, str(pair.get(side, ""))) for side in SIDES}
    agreement = None
    if program.exists("agreement", pair_id):
        arec = program.read("agreement", pair_id)
        agreement = arec.data if arec.ok else None
    sessions = _sessions(program, pair_id)
    goals = {gid: g for gid, g in program.data("goal").items() if g.get("pair") == pair_id}

    events: list[tuple[int, Event]] = []   # (order within a day, event)

    def add(order: int, day: Any, kind: str, text: str) -> None:
        d = _day(day) if not isinstance(day, dt.date) else day
        if d is not None:
            events.append((order, Event(d, kind, text)))

    match = pair.get("match") or {}
    score = match.get("score")
    add(0, pair.get("proposed"), "proposed",
        "proposed" + (f" (match score {score:g})" if isinstance(score, int | float) else ""))
    for side in SIDES:
        add(1, (pair.get("accepted") or {}).get(side), f"accepted-{side}",
            f"accepted by the {side}, {names[side]}")
    if agreement is not None:
        for side in SIDES:
            add(2, (agreement.get("signed") or {}).get(side), f"signed-{side}",
                f"learning agreement signed by the {side}")
    add(3, pair.get("started"), "started", "started")
    held = [s for s in sessions if s.get("status", "held") == "held" and _day(s.get("date"))
            and _day(s.get("date")) <= today]
    by_month: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for s in held:
        d = _day(s["date"])
        assert d is not None
        by_month[(d.year, d.month)].append(s)
    for (year, month), items in sorted(by_month.items()):
        minutes = sum(s.get("duration_minutes") or 0 for s in items)
        n = len(items)
        what = f"{n} session{'s' if n != 1 else ''} in {_MONTHS[month - 1]} {year}"
        if minutes:
            what += f" ({_hours(minutes)})"
        add(4, items[0]["date"], "sessions", what)
    for pause in pair.get("pauses") or []:
        reason = pause.get("reason")
        add(5, pause.get("from"), "paused", "paused" + (f": {reason}" if reason else ""))
        add(5, pause.get("to"), "resumed", "resumed")
    status = pair.get("status")
    end_reason = pair.get("end_reason")
    if status == "completed":
        add(6, pair.get("ended"), "completed", "completed")
    elif status == "ended":
        declined = isinstance(end_reason, str) and end_reason.startswith("declined")
        add(6, pair.get("ended"), "declined" if declined else "ended",
            end_reason if declined else "ended" + (f": {end_reason}" if end_reason else ""))
    for g in goals.values():
        title = g.get("title", g.get("id"))
        add(4, g.get("created"), "goal-set", f"goal set: {title}")
        if g.get("status") == "done":
            add(4, g.get("completed"), "goal-done", f"goal done: {title}")
        elif g.get("status") == "dropped":
            why = g.get("drop_reason")
            add(4, g.get("completed"), "goal-dropped",
                f"goal dropped: {title}" + (f" ({why})" if why else ""))
    planned = sorted(d for s in sessions if s.get("status") == "planned"
                     and (d := _day(s.get("date"))) is not None and d >= today)
    if planned:
        add(7, planned[0], "planned", "next session planned")

    ordered = [e for _, e in sorted(events, key=lambda oe: (oe[1].date, oe[0]))]
    if history:
        ordered = _with_history(program, pair_id, ordered)

    # the header
    facts = [("mentor", f"{names['mentor']} ({pair.get('mentor')})"),
             ("mentee", f"{names['mentee']} ({pair.get('mentee')})")]
    if pair.get("cohort"):
        facts.append(("cohort", str(pair["cohort"])))
    if agreement is not None:
        bits = [b for b in (agreement.get("frequency"),
                            f"{agreement['duration_minutes']} minutes"
                            if agreement.get("duration_minutes") else None) if b]
        signed = agreement.get("signed") or {}
        sig = ("signed by both" if all(signed.get(s) for s in SIDES) else
               "signed by the " + " and the ".join(s for s in SIDES if signed.get(s))
               if any(signed.get(s) for s in SIDES) else "not signed yet")
        review = f"review {agreement['review_date']}" if agreement.get("review_date") else None
        facts.append(("agreement", ", ".join([*bits, *([review] if review else []), sig])))
    elif status in ("completed", "ended"):
        facts.append(("agreement", "none"))
    else:
        facts.append(("agreement", f"none yet (`rmtui agreement new {pair_id}`)"))
    minutes = sum(s.get("duration_minutes") or 0 for s in held)
    last = max((_day(s["date"]) for s in held), default=None)
    summary: dict[str, Any] = {
        "status": status, "sessions": len(held), "hours": round(minutes / 60, 2),
        "first_session": min((s["date"] for s in held), default=None),
        "last_session": last.isoformat() if last else None,
        "goals": len(goals),
        "goals_done": sum(g.get("status") == "done" for g in goals.values()),
        "goals_open": sum(g.get("status", "open") == "open" for g in goals.values()),
    }
    text = f"{len(held)} held" + (f", {_hours(minutes)}" if minutes else "")
    if last is not None:
        text += f"; last {last.isoformat()} ({(today - last).days} days ago)"
    if status == "active":
        snap = kpi.Snapshot(program.settings, {
            "pair": {pair_id: pair}, "agreement": {pair_id: agreement} if agreement else {},
            "session": {str(i): s for i, s in enumerate(sessions)}})
        fact = next(iter(snap.facts.pairs), None)
        if fact is not None and fact.started is not None and fact.started <= today:
            due = kpi.next_due(fact, today)
            summary["next_due"] = due.isoformat()
            text += f"; next due {due.isoformat()}" + (" (overdue)" if due < today else "")
    facts.append(("sessions", text))
    if goals:
        counts = [(summary["goals_open"], "open"), (summary["goals_done"], "done"),
                  (len(goals) - summary["goals_open"] - summary["goals_done"], "dropped")]
        facts.append(("goals", f"{len(goals)}: " + ", ".join(f"{n} {what}" for n, what in counts
                                                            if n)))
    return Story(pair, names, facts, ordered, summary)


_OPS = {"pair.add": "proposed", "pair.propose": "proposed", "pair.start": "started",
        "pair.complete": "completed", "pair.end": "ended", "pair.resume": "resumed",
        "pair.pause": "paused"}


def _with_history(program: Program, pair_id: str, events: list[Event]) -> list[Event]:
    """Who recorded each event, from git; changes no file date tells, as events."""
    from rmtui.core.ops.history import entity_paths

    repo = gitrepo.Repo.of(program.root)
    if repo is None:
        return events
    paths = [p for p in entity_paths(program, pair_id, KINDS["pair"]) if p.exists()]
    commits = list(reversed(repo.log(paths))) if paths else []
    pending = list(events)
    out = list(events)
    extra: list[Event] = []
    for c in commits:
        key = _op_event(c)
        if key == "skip":
            continue
        target = next((i for i, e in enumerate(pending)
                       if e.event == key and e.by is None), None) if key != "other" else None
        if target is not None:
            e = pending[target]
            done = Event(e.date, e.event, e.text, c.author, c.sha)
            out[out.index(e)] = done
            pending[target] = done
            continue
        day = dt.date.fromisoformat(c.date[:10])
        if c.op == "agreement.add":
            extra.append(Event(day, "agreement", "learning agreement drawn up", c.author, c.sha))
        else:
            extra.append(Event(day, "commit", f"commit: {c.subject}", c.author, c.sha))
    merged = out + extra
    return sorted(merged, key=lambda e: (e.date, e.event in ("agreement", "commit")))


def _op_event(c: gitrepo.Commit) -> str:
    op = c.op or ""
    if op.startswith("session.") or op == "program.init":
        return "skip"
    if op in ("pair.accept", "pair.decline", "agreement.sign"):
        side = "mentor" if "by the mentor" in c.subject else "mentee"
        if op == "pair.decline":
            return "declined"
        return f"{'accepted' if op == 'pair.accept' else 'signed'}-{side}"
    if op in _OPS:
        return _OPS[op]
    return "other"
