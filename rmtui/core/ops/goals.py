"""A goal's life: dated progress updates, then done or dropped.

```
open --progress (dated, repeatable)--> open --done--> done
  |                                       |
  +----------------drop --reason----------+--> dropped
```

Each step is dated (today unless told otherwise), checked and one commit.
"""

from __future__ import annotations

from typing import Any

from rmtui.core import clock, ids, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.ops.change import Outcome
from rmtui.core.ops.entities import Assignment, _apply, draft_edit, save_drafts
from rmtui.core.store import Program

GOAL = KINDS["goal"]


def _day(on: str | None) -> str:
    day = on or clock.today().isoformat()
    if not yamlio.is_iso_date(day):
        raise UsageError(f"{day!r} is not a date", hint="write dates as YYYY-MM-DD")
    return day


def _open_goal(program: Program, goal_id: str, what: str) -> dict:
    ids.check_id(goal_id, "goal id")
    rec = program.read(GOAL, goal_id)
    if not rec.ok or rec.data is None:
        raise DataError(f"{rec.path} cannot be read or is invalid",
                        hint="`rmtui validate` says what is wrong with it",
                        diagnostics=[d for d in rec.diagnostics if d.is_error])
    status = rec.data.get("status", "open")
    if status != "open":
        raise DataError(f"goal {goal_id} is {status}; only an open goal can {what}",
                        hint=f"reopen it first with `rmtui goal edit {goal_id} --status open "
                             "--set completed=`" + (" --set drop_reason=" if status == "dropped"
                                                     else ""))
    return rec.data


def progress(program: Program, goal_id: str, *, on: str | None = None, note: str | None = None,
             value: Any = None, commit: bool = True) -> Outcome:
    """Add a dated progress update to an open goal: a note, the measure's value, or both."""
    if value is None and not (note and note.strip()):
        raise UsageError("say what changed: --note TEXT, --value VALUE, or both")
    _open_goal(program, goal_id, "take progress updates")
    day = _day(on)
    entry: dict[str, Any] = {"date": day}
    if value is not None:
        entry["value"] = value
    if note and note.strip():
        entry["note"] = note.strip()

    def mutate(doc: Any) -> None:
        _apply(doc, Assignment("progress", "append", [entry]), GOAL)

    draft = draft_edit(program, GOAL, goal_id, mutate)
    shown = f" ({value})" if value is not None else ""
    return save_drafts(program, [draft], f"goal: progress {goal_id} on {day}{shown}",
                       "goal.progress", f"goal {goal_id}: progress on {day}{shown}",
                       commit=commit)


def close(program: Program, goal_id: str, status: str, *, on: str | None = None,
          reason: str | None = None, commit: bool = True) -> Outcome:
    """Mark an open goal ``done`` or ``dropped`` (with the reason) on a day."""
    if status not in ("done", "dropped"):
        raise UsageError(f"a goal is closed as done or dropped, not {status!r}")
    if status == "dropped" and not (reason and reason.strip()):
        raise UsageError("say why the goal is dropped: --reason TEXT",
                         hint="the reason is kept in the goal file (drop_reason)")
    verb = "be marked done" if status == "done" else "be dropped"
    _open_goal(program, goal_id, verb)
    day = _day(on)
    steps = [Assignment("status", "set", status), Assignment("completed", "set", day)]
    if status == "dropped":
        steps.append(Assignment("drop_reason", "set", reason.strip()))  # type: ignore[union-attr]

    def mutate(doc: Any) -> None:
        for a in steps:
            _apply(doc, a, GOAL)

    draft = draft_edit(program, GOAL, goal_id, mutate)
    word = "done" if status == "done" else "drop"
    message = f"goal: {word} {goal_id} on {day}"
    if status == "dropped":
        message += f"\n\nReason: {reason.strip()}"  # type: ignore[union-attr]
    return save_drafts(program, [draft], message, f"goal.{word}",
                       f"goal {goal_id} {'done' if status == 'done' else 'dropped'} on {day}",
                       commit=commit)
