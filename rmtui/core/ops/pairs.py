"""A pair's life: accepted by both sides, started, paused, resumed, completed or ended.

```
proposed --accept (both)--> accepted --start--> active <--pause/resume--> paused
    |                          |                  |                          |
    +--decline--> ended <------+                  +--complete--> completed <-+
                   ^------------------- end (any open pair) ---------------------+
```

Every step is dated (today unless told otherwise), checked against the
schema and the pairing rules before anything is written, and committed.
A pair starts only when both sides have accepted it, both have signed its
learning agreement (when ``program.agreement_required``), and both finished
training on or before the start (when the ``training`` rule is on); the
refusal names everything that is missing. Several pairs can take the same
step in one commit (publishing proposals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rmtui.core import clock, ids, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.ops.change import Outcome
from rmtui.core.ops.entities import (
    Assignment,
    Draft,
    _apply,
    draft_edit,
    refuse_if_changed,
    save_drafts,
)
from rmtui.core.store import Program
from rmtui.core.validate import Index

SIDES = ("mentor", "mentee")
PAIR = KINDS["pair"]
AGREEMENT = KINDS["agreement"]


@dataclass(frozen=True)
class Step:
    name: str                 # the command: accept
    before: tuple[str, ...]   # the statuses it starts from
    done: str                 # what happened, for messages: accepted
    needs_side: bool = False  # --by mentor|mentee
    needs_reason: bool = False


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("accept", ("proposed",), "accepted", needs_side=True),
    Step("decline", ("proposed", "accepted"), "declined", needs_side=True, needs_reason=True),
    Step("start", ("proposed", "accepted"), "started"),  # a proposed one: says what is missing
    Step("pause", ("active",), "paused"),
    Step("resume", ("paused",), "resumed"),
    Step("complete", ("active", "paused"), "completed"),
    Step("end", ("proposed", "accepted", "active", "paused"), "ended", needs_reason=True),
)}


def transition(program: Program, pair_ids: str | Sequence[str], step: str, *,
               by: str | None = None, on: str | None = None, reason: str | None = None,
               commit: bool = True, expected: str | Mapping[str, str] | None = None) -> Outcome:
    """Take one step for one pair, or for several pairs in one commit.

    ``expected`` is the digest of the pair file as the caller showed it (for
    several pairs: a digest by pair id); the step is refused, and nothing
    written, if the file changed since.
    """
    if step not in STEPS:
        raise UsageError(f"unknown step {step!r}", hint="steps are: " + ", ".join(STEPS))
    spec = STEPS[step]
    many = not isinstance(pair_ids, str)
    targets = list(pair_ids) if many else [pair_ids]
    if many and isinstance(expected, str):
        raise UsageError("give the expected digest of each pair, by pair id")
    digests = ({pair_ids: expected} if isinstance(expected, str)
               else dict(expected or {}))  # type: ignore[dict-item]
    if not targets:
        return Outcome(f"no pairs to {step}", changed=False)
    if spec.needs_side and by not in SIDES:
        raise UsageError(f"say which side: --by {' or --by '.join(SIDES)}")
    if spec.needs_reason and not (reason and reason.strip()):
        raise UsageError(f"say why the pair is {spec.done}: --reason TEXT",
                         hint="the reason is kept in the pair file (end_reason)")
    day = on or clock.today().isoformat()
    if not yamlio.is_iso_date(day):
        raise UsageError(f"{day!r} is not a date", hint="write dates as YYYY-MM-DD")
    index = Index(program)
    drafts: list[Draft] = []
    for pair_id in targets:
        ids.check_id(pair_id, "pair id")
        if digests.get(pair_id) is not None:  # before the status: it may be what changed
            refuse_if_changed(program, PAIR, pair_id, digests[pair_id])
        current = index.get("pair", pair_id)
        if current is None:
            if program.exists(PAIR, pair_id):
                raise DataError(f"{PAIR.path(pair_id)} cannot be read or is invalid",
                                hint="`rmtui validate` says what is wrong with it")
            raise UsageError(f"no pair {pair_id!r}", hint="`rmtui pair list` shows the pairs")
        status = current.get("status")
        if status not in spec.before:
            raise DataError(f"pair {pair_id} is {status}; only a pair that is "
                            f"{' or '.join(spec.before)} can be {spec.done}",
                            hint=_next_steps_hint(pair_id, status))
        if step == "start":
            _check_ready(program, index, pair_id, current, day)
        mutate = _MUTATIONS[step](current, by, day, reason)
        drafts.append(draft_edit(program, PAIR, pair_id, mutate, index=index,
                                 expected=digests.get(pair_id)))
    who = f" by the {by}" if spec.needs_side else ""
    if many:
        message = f"pair: {step} {len(targets)} pair{'s' if len(targets) != 1 else ''}"
        done = f"{spec.done} {len(targets)} pair{'s' if len(targets) != 1 else ''}"
    else:
        both = step == "accept" and _accepted_by_both(drafts[0])
        message = f"pair: {step} {targets[0]}{who}" + (" (now accepted by both)" if both else "")
        done = f"pair {targets[0]} {spec.done}{who}" + (
            "; both sides have accepted it" if both else "")
    if reason and spec.needs_reason:
        message += f"\n\nReason: {reason.strip()}"
    return save_drafts(program, drafts, message, f"pair.{step}", done, commit=commit)


def _assign(*assignments: Assignment, kind: Kind = PAIR) -> Callable[[Any], None]:
    def mutate(doc: Any) -> None:
        for a in assignments:
            _apply(doc, a, kind)
    return mutate


def _accept(current: dict, by: str, day: str, reason: str | None) -> Callable[[Any], None]:
    other = "mentee" if by == "mentor" else "mentor"
    steps = [Assignment(f"accepted.{by}", "set", day)]
    if (current.get("accepted") or {}).get(other):
        steps.append(Assignment("status", "set", "accepted"))
    return _assign(*steps)


def _decline(current: dict, by: str, day: str, reason: str | None) -> Callable[[Any], None]:
    return _assign(Assignment("status", "set", "ended"), Assignment("ended", "set", day),
                   Assignment("end_reason", "set", f"declined by the {by}: {reason.strip()}"))


def _start(current: dict, by: str | None, day: str, reason: str | None) -> Callable[[Any], None]:
    return _assign(Assignment("status", "set", "active"), Assignment("started", "set", day))


def _pause(current: dict, by: str | None, day: str, reason: str | None) -> Callable[[Any], None]:
    pause = {"from": day, **({"reason": reason.strip()} if reason and reason.strip() else {})}
    return _assign(Assignment("status", "set", "paused"), Assignment("pauses", "append", [pause]))


def _close_pause(doc: Any, day: str) -> None:
    """Give the open pause (the last one, without ``to``) its end date, after ``from``."""
    pauses = doc.get("pauses")
    if pauses and isinstance(pauses[-1], dict) and "to" not in pauses[-1]:
        last = pauses[-1]
        pos = list(last).index("from") + 1 if "from" in last else len(last)
        last.insert(pos, "to", day)


def _resume(current: dict, by: str | None, day: str, reason: str | None) -> Callable[[Any], None]:
    status = _assign(Assignment("status", "set", "active"))

    def mutate(doc: Any) -> None:
        status(doc)
        _close_pause(doc, day)
    return mutate


def _complete(current: dict, by: str | None, day: str, reason: str | None) -> Callable[[Any], None]:
    steps = _assign(Assignment("status", "set", "completed"), Assignment("ended", "set", day))

    def mutate(doc: Any) -> None:
        steps(doc)
        _close_pause(doc, day)
    return mutate


def _end(current: dict, by: str | None, day: str, reason: str | None) -> Callable[[Any], None]:
    steps = _assign(Assignment("status", "set", "ended"), Assignment("ended", "set", day),
                    Assignment("end_reason", "set", reason.strip()))

    def mutate(doc: Any) -> None:
        steps(doc)
        _close_pause(doc, day)
    return mutate


_MUTATIONS = {"accept": _accept, "decline": _decline, "start": _start, "pause": _pause,
              "resume": _resume, "complete": _complete, "end": _end}


def _accepted_by_both(draft: Draft) -> bool:
    data = yamlio.parse(draft.new_raw, draft.rel).data or {}
    return data.get("status") == "accepted"


def _next_steps_hint(pair_id: str, status: str | None) -> str:
    possible = [s.name for s in STEPS.values() if status in s.before]
    if not possible:
        return f"a {status} pair is closed; propose a new pair instead"
    return "from here: " + ", ".join(f"`rmtui pair {s} {pair_id}`" for s in possible)


def missing_to_start(program: Program, index: Index, pair_id: str, pair: dict,
                     day: str) -> list[str]:
    """What keeps a pair from starting on ``day``, in words (empty: ready)."""
    out = []
    accepted = pair.get("accepted") or {}
    for side in SIDES:
        if not accepted.get(side):
            out.append(f"the {side} has not accepted the pair (`rmtui pair accept {pair_id} "
                       f"--by {side}`)")
    settings = index.settings
    if settings.get("program.agreement_required", True):
        agreement = index.get("agreement", pair_id)
        if agreement is None:
            out.append(f"the pair has no learning agreement (`rmtui agreement new {pair_id}`)")
        else:
            signed = agreement.get("signed") or {}
            for side in SIDES:
                if not signed.get(side):
                    out.append(f"the {side} has not signed the agreement "
                               f"(`rmtui agreement sign {pair_id} --by {side}`)")
                elif signed[side] > day:
                    out.append(f"the {side} signs the agreement on {signed[side]}, after {day}")
    if settings.rule("training").get("enabled", True):
        for side in SIDES:
            person = index.get("participant", str(pair.get(side, "")))
            if person is None:
                continue
            trained = person.get("training_completed")
            if not trained:
                out.append(f"the {side} {pair[side]} has not completed training "
                           f"(set training_completed on the participant)")
            elif trained > day:
                out.append(f"the {side} {pair[side]} completes training on {trained}, "
                           f"after {day}")
    return out


def _check_ready(program: Program, index: Index, pair_id: str, pair: dict, day: str) -> None:
    missing = missing_to_start(program, index, pair_id, pair, day)
    if missing:
        raise DataError(f"pair {pair_id} cannot start yet:\n  " + "\n  ".join(missing),
                        hint="a pair starts once both sides have accepted it, signed its "
                             "agreement and completed training")


# --------------------------------------------------------------------------
# Learning agreements
# --------------------------------------------------------------------------


def new_agreement(program: Program, pair_id: str, fields: dict | None = None, *,
                  commit: bool = True) -> Outcome:
    """A pair's learning agreement, filled from the program's template.

    The template is ``templates/agreement.yaml`` in the program (the owner
    edits it); values given in ``fields`` win over it. The review date
    defaults to three months after the pair started (or today).
    """
    from rmtui.core.ops.entities import add

    ids.check_id(pair_id, "pair id")
    index = Index(program)
    pair = index.get("pair", pair_id)
    if pair is None:
        raise UsageError(f"no pair {pair_id!r}", hint="`rmtui pair list` shows the pairs")
    data = agreement_template(program)
    data["pair"] = pair_id
    start = pair.get("started") or clock.today().isoformat()
    data.setdefault("review_date", _months_later(dt.date.fromisoformat(start), 3).isoformat())
    data.update({k: v for k, v in (fields or {}).items() if v is not None})
    return add(program, AGREEMENT, data, commit=commit)


def agreement_template(program: Program) -> dict:
    """The plain values of the program's agreement template (or the packaged one)."""
    from rmtui.core.resources import template_dir

    for path in (program.root / "templates" / "agreement.yaml",
                 template_dir() / "templates" / "agreement.yaml"):
        raw = yamlio.read_bytes(path)
        if raw is None:
            continue
        parsed = yamlio.parse(raw, program.relpath(path) if path.is_relative_to(program.root)
                              else "templates/agreement.yaml")
        if not parsed.readable or not isinstance(parsed.data, dict):
            raise DataError(f"{path.name} cannot be used as the agreement template",
                            diagnostics=parsed.diagnostics,
                            hint="fix templates/agreement.yaml in the program")
        data = dict(parsed.data)
        data.pop("pair", None)
        data.pop("signed", None)
        return data
    return {}


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def sign_agreement(program: Program, pair_id: str, by: str, *, on: str | None = None,
                   commit: bool = True, expected: str | None = None) -> Outcome:
    """Record that one side signed the pair's learning agreement.

    ``expected`` is the digest of the agreement file as the caller showed it;
    the signature is refused, and nothing written, if the file changed since.
    """
    if by not in SIDES:
        raise UsageError(f"say which side: --by {' or --by '.join(SIDES)}")
    ids.check_id(pair_id, "pair id")
    if not program.exists(AGREEMENT, pair_id):
        hint = (f"create it with `rmtui agreement new {pair_id}`"
                if program.exists(PAIR, pair_id) else "`rmtui pair list` shows the pairs")
        raise UsageError(f"pair {pair_id!r} has no learning agreement", hint=hint)
    day = on or clock.today().isoformat()
    draft = draft_edit(program, AGREEMENT, pair_id,
                       _assign(Assignment(f"signed.{by}", "set", day), kind=AGREEMENT),
                       expected=expected)
    signed = (yamlio.parse(draft.new_raw, draft.rel).data or {}).get("signed") or {}
    both = all(signed.get(s) for s in SIDES)
    return save_drafts(program, [draft], f"agreement: {pair_id} signed by the {by}",
                       "agreement.sign", f"agreement of {pair_id} signed by the {by}"
                       + ("; both sides have signed" if both else ""), commit=commit)

