"""Logging sessions, one file each."""

from __future__ import annotations

from typing import Any

from rmtui.core import clock, ids, yamlio
from rmtui.core.errors import UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.ops.change import Outcome, change, ordered, outcome_of, refuse, warnings_of
from rmtui.core.ops.entities import new_id
from rmtui.core.store import Program
from rmtui.core.validate import Finding, check_entity


def log_session(program: Program, pair_id: str, *, date: str | None = None,
                duration: int | None = None, rating_mentor: int | None = None,
                rating_mentee: int | None = None, summary: str | None = None,
                topics: list[str] | None = None, mode: str | None = None,
                goals: list[str] | None = None, status: str | None = None,
                next_steps: str | None = None, time: str | None = None,
                commit: bool = True) -> Outcome:
    """Record one session of a pair in its own file."""
    entity_id, data, findings = prepare_session(
        program, pair_id, date=date, duration=duration, rating_mentor=rating_mentor,
        rating_mentee=rating_mentee, summary=summary, topics=topics, mode=mode, goals=goals,
        status=status, next_steps=next_steps, time=time)
    refuse(f"session {entity_id}", findings)
    kind = KINDS["session"]
    with change(program, f"session: log {pair_id} on {data['date']}", "session.log",
                commit=commit) as ch:
        # another writer may have logged a session that day since the id was made:
        # the next free -N is chosen again under the lock
        entity_id = new_id(program, kind, data)
        ch.create(kind.path(entity_id), yamlio.dump(data))
    out = outcome_of(ch, f"logged session {entity_id}", entity_id)
    out.warnings.extend(warnings_of(findings))
    return out


def prepare_session(program: Program, pair_id: str, *, date: str | None = None,
                    duration: int | None = None, rating_mentor: int | None = None,
                    rating_mentee: int | None = None, summary: str | None = None,
                    topics: list[str] | None = None, mode: str | None = None,
                    goals: list[str] | None = None, status: str | None = None,
                    next_steps: str | None = None, time: str | None = None
                    ) -> tuple[str, dict, list[Finding]]:
    """What :func:`log_session` would write, and every problem with it, without writing.

    Returns the session's id, its data in file order and the findings (a form
    shows them beside its fields before anything is written).
    """
    ids.check_id(pair_id, "pair id")
    if not program.exists("pair", pair_id):
        raise UsageError(f"no pair {pair_id!r}", hint="`rmtui pair list` shows the pairs")
    data: dict[str, Any] = {"pair": pair_id, "date": date or clock.today().isoformat()}
    if status:
        data["status"] = status
    if time:
        data["time"] = time
    if duration is not None:
        data["duration_minutes"] = duration
    if mode:
        data["mode"] = mode
    if topics:
        data["topics"] = topics
    if goals:
        data["goals"] = goals
    ratings = {k: v for k, v in (("mentor", rating_mentor), ("mentee", rating_mentee))
               if v is not None}
    if ratings:
        data["ratings"] = ratings
    if summary:
        data["summary"] = summary
    if next_steps:
        data["next_steps"] = next_steps
    kind = KINDS["session"]
    entity_id = new_id(program, kind, data)
    return entity_id, ordered(kind, data), check_entity(program, kind, entity_id, data)
