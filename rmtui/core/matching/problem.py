"""One matching run's inputs: who is in it, what is kept, what is left to solve.

- Mentors are the participants with role ``mentor``, mentees those with role
  ``mentee``, less anyone given with ``exclude``.
- **Kept** pairs are not re-solved: every ``accepted``, ``active`` or
  ``paused`` pair, every ``proposed`` pair that one side has already
  accepted, and every pin (``MENTOR:MENTEE``). Their mentees are matched;
  their mentors have that much less capacity.
- The **pool** is everyone else whose status the ``status`` rule allows (all
  of them when the rule is off): the solver matches the pool's mentees to
  mentors with places left, and every pool member left without a match is
  reported with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rmtui.core import clock
from rmtui.core.errors import DataError, UsageError
from rmtui.core.matching.scoring import Scorer
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.ruledata import pair_rules, read_org_chart
from rmtui.core.rulemask import RuleMasks
from rmtui.core.rules import PairRules
from rmtui.core.settings import Settings
from rmtui.core.store import Program

Progress = Callable[[str, float], None]


@dataclass
class Kept:
    mentor: str
    mentee: str
    why: str            # "pair <id> (active)" or "pinned"
    pair_id: str | None = None


@dataclass
class Problem:
    program: Program | None
    settings: Settings
    as_of: dt.date
    people: dict[str, Participant]
    pairs: list[Pair]
    rules: PairRules
    mentors: list[Participant]          # columns
    mentees: list[Participant]          # rows
    kept: list[Kept]
    capacity: np.ndarray                # places left per mentor after kept pairs
    free_rows: np.ndarray               # mentee rows the solver assigns (not kept)
    in_pool_mentee: np.ndarray          # bool per row: status allows pairing
    in_pool_mentor: np.ndarray          # bool per column
    excluded: frozenset[str]
    objective: str
    algorithm: str
    min_units: int
    pins: tuple[tuple[str, str], ...] = ()
    _masks: RuleMasks | None = field(default=None, repr=False)
    _scorer: Scorer | None = field(default=None, repr=False)

    @property
    def masks(self) -> RuleMasks:
        if self._masks is None:
            self._masks = RuleMasks(self.rules, self.mentors, self.mentees)
        return self._masks

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = Scorer(self.settings, self.mentors, self.mentees, self.as_of)
        return self._scorer

    def mentor_index(self) -> dict[str, int]:
        return {p.id: j for j, p in enumerate(self.mentors)}

    def mentee_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.mentees)}


def parse_pin(text: str) -> tuple[str, str]:
    mentor, sep, mentee = text.partition(":")
    if not sep or not mentor.strip() or not mentee.strip():
        raise UsageError(f"{text!r} is not MENTOR:MENTEE",
                         hint="for example --pin asa-oberg:nguyen-van-duc")
    return mentor.strip(), mentee.strip()


def load(program: Program, *, pins: Iterable[str | tuple[str, str]] = (),
         exclude: Iterable[str] = (), objective: str | None = None,
         algorithm: str | None = None, as_of: dt.date | None = None) -> Problem:
    """Read the program once and set up a run."""
    s = program.settings
    as_of = as_of or clock.today()
    objective = objective or s.get("matching.objective", "participation")
    algorithm = algorithm or s.get("matching.algorithm", "optimal")
    if objective not in ("participation", "score"):
        raise UsageError(f"unknown objective {objective!r}", hint="participation or score")
    if algorithm not in ("optimal", "stable"):
        raise UsageError(f"unknown algorithm {algorithm!r}", hint="optimal or stable")
    people = {i: from_dict(Participant, d) for i, d in program.data("participant").items()
              if _readable(Participant, d)}
    pairs = [from_dict(Pair, d) for d in program.data("pair").values() if _readable(Pair, d)]
    org = read_org_chart(program.root, s)
    if any(d.is_error for d in org.diagnostics):
        raise DataError("the org chart file is invalid", diagnostics=org.diagnostics,
                        hint="fix it (rmtui validate lists every problem), then run again")
    rules = pair_rules(program.root, s, people, pairs, as_of, org=org)
    return build(program, s, people, pairs, rules, pins=pins, exclude=exclude,
                 objective=objective, algorithm=algorithm, as_of=as_of)


def build(program: Program | None, s: Settings, people: dict[str, Participant],
          pairs: list[Pair], rules: PairRules, *, pins: Iterable[str | tuple[str, str]] = (),
          exclude: Iterable[str] = (), objective: str | None = None,
          algorithm: str | None = None, as_of: dt.date) -> Problem:
    """A run over people and pairs already in memory (``load`` reads them from a program)."""
    objective = objective or s.get("matching.objective", "participation")
    algorithm = algorithm or s.get("matching.algorithm", "optimal")
    excluded = frozenset(exclude)
    for pid in sorted(excluded):
        if pid not in people:
            raise UsageError(f"--exclude {pid}: no participant {pid!r}",
                             hint="`rmtui participant list` shows the participants")
    mentors = sorted((p for p in people.values() if p.role == "mentor" and p.id not in excluded),
                     key=lambda p: p.id)
    mentees = sorted((p for p in people.values() if p.role == "mentee" and p.id not in excluded),
                     key=lambda p: p.id)
    kept = _kept_pairs(pairs)
    kept += _pins(rules, people, [p if isinstance(p, tuple) else parse_pin(p) for p in pins],
                  kept, excluded)
    m_index = {p.id: j for j, p in enumerate(mentors)}
    e_index = {p.id: i for i, p in enumerate(mentees)}
    cap_on = rules.enabled("capacity")
    capacity = np.array([p.capacity if cap_on else len(mentees) for p in mentors],
                        dtype=np.int64)
    held: dict[str, int] = defaultdict(int)
    for k in kept:
        held[k.mentor] += 1
    for mentor, n in held.items():
        if mentor in m_index:
            j = m_index[mentor]
            capacity[j] = max(0, capacity[j] - n)
    kept_mentees = {k.mentee for k in kept}
    free = np.array([p.id not in kept_mentees for p in mentees], dtype=bool)
    if rules.enabled("status"):
        eligible = set(rules.cfg["status"].get("eligible", ["accepted", "active"]))
        pool_e = np.array([p.status in eligible for p in mentees], dtype=bool)
        pool_m = np.array([p.status in eligible for p in mentors], dtype=bool)
    else:
        pool_e, pool_m = np.ones(len(mentees), bool), np.ones(len(mentors), bool)
    min_units = int(round(float(s.get("matching.min_score", 0) or 0) * 10_000))
    del e_index
    return Problem(program, s, as_of, people, pairs, rules, mentors, mentees, kept, capacity,
                   free, pool_e, pool_m, excluded, objective, algorithm, min_units,
                   tuple((k.mentor, k.mentee) for k in kept if k.why == "pinned"))


def _readable(cls, data: dict) -> bool:
    try:
        from_dict(cls, data)
    except (TypeError, ValueError):
        return False
    return True


def _kept_pairs(pairs: Sequence[Pair]) -> list[Kept]:
    out = []
    for p in sorted(pairs, key=lambda p: p.id):
        if p.status in Pair.COMMITTED:
            out.append(Kept(p.mentor, p.mentee, f"pair {p.id} ({p.status})", p.id))
        elif p.status == "proposed" and any(p.accepted.get(s) for s in ("mentor", "mentee")):
            side = "mentor" if p.accepted.get("mentor") else "mentee"
            out.append(Kept(p.mentor, p.mentee, f"pair {p.id} (proposed, accepted by the {side})",
                            p.id))
    return out


def _pins(rules: PairRules, people: dict[str, Participant], pins: Sequence[tuple[str, str]],
          kept: list[Kept], excluded: frozenset[str]) -> list[Kept]:
    out: list[Kept] = []
    taken = {k.mentee: k for k in kept}
    load: dict[str, int] = defaultdict(int)
    for k in kept:
        load[k.mentor] += 1
    for mentor_id, mentee_id in pins:
        label = f"--pin {mentor_id}:{mentee_id}"
        for pid in (mentor_id, mentee_id):
            if pid not in people:
                raise UsageError(f"{label}: no participant {pid!r}",
                                 hint="`rmtui participant list` shows the participants")
            if pid in excluded:
                raise UsageError(f"{label}: {pid} is also given with --exclude")
        mentor, mentee = people[mentor_id], people[mentee_id]
        if mentor.role != "mentor" or mentee.role != "mentee":
            raise UsageError(f"{label}: give the mentor first, then the mentee")
        if mentee_id in taken:
            raise DataError(f"{label}: {mentee_id} is already matched by {taken[mentee_id].why}",
                            hint="pin only people who are not in a pair yet")
        broken = rules.check(mentor, mentee)
        if broken:
            raise DataError(f"{label} breaks the program's rules:\n  "
                            + "\n  ".join(f"[{v.rule}] {v.message}" for v in broken),
                            hint="a pin is kept as it is, so it must pass every hard rule; "
                                 f"`rmtui match explain {mentor_id} {mentee_id}` shows them all")
        if rules.enabled("capacity") and load[mentor_id] + 1 > mentor.capacity:
            raise DataError(f"{label}: {mentor_id} has no place left (capacity "
                            f"{mentor.capacity})", hint="raise the mentor's capacity, or "
                            "pin another mentor")
        load[mentor_id] += 1
        pin = Kept(mentor_id, mentee_id, "pinned")
        taken[mentee_id] = pin
        out.append(pin)
    return out
