"""The hard pairing rules, shared by validation and matching.

Each rule can be switched and tuned in ``program.toml`` under ``[rules.*]``.
A rule check returns :class:`Violation` objects that name the rule, say what
is wrong in words a program owner uses, and name the field of the pair file
to point at.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rmtui.core.model import Pair, Participant
from rmtui.core.settings import Settings

RULES = ("roles", "grade", "reporting_line", "department", "language", "timezone",
         "exclusions", "repeat", "status", "training", "capacity")

# The participant fields the rules read (a test watches every attribute they
# touch). A change to other fields cannot make a pair break a rule.
PARTICIPANT_FIELDS = frozenset({
    "id", "role", "grade", "employee_id", "manager_id", "department", "languages",
    "timezone", "exclusions", "status", "training_completed", "capacity",
})


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    field: str = "mentee"  # the pair field the problem is about


@cache
def _zone(name: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


# The keys the rules compare, written once: the scalar check below and the
# vectorised masks in ``rulemask`` both use them, so they cannot disagree.


def department_key(p: Participant) -> str | None:
    """Departments compare ignoring case and surrounding spaces (unset: no rule)."""
    return p.department.strip().casefold() if p.department else None


def language_keys(p: Participant) -> frozenset[str]:
    return frozenset(x.casefold() for x in p.languages)


def manager_key(p: Participant) -> str | None:
    return p.manager_id or None


def offset_of(p: Participant, on: dt.date) -> float | None:
    """The person's UTC offset in hours on ``on`` (None: no or unknown time zone)."""
    return utc_offset_hours(p.timezone, on) if p.timezone else None


def known_timezone(name: str) -> bool:
    return _zone(name) is not None


def utc_offset_hours(name: str, on: dt.date) -> float | None:
    zone = _zone(name)
    if zone is None:
        return None
    moment = dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.UTC).astimezone(zone)
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


class OrgChart:
    """Reporting lines from ``employee_id``/``manager_id`` of everyone known.

    ``extra`` maps employee ids of managers who are not participants to their
    own managers, so that lines run through them too.
    """

    def __init__(self, people: Iterable[Participant], extra: dict[str, str] | None = None) -> None:
        self.manager: dict[str, str] = dict(extra or {})
        for p in people:
            if p.employee_id and p.manager_id:
                self.manager[p.employee_id] = p.manager_id

    @classmethod
    def of_managers(cls, manager: dict[str, str]) -> OrgChart:
        """A chart from ``{employee_id: manager_id}`` directly."""
        chart = cls(())
        chart.manager = dict(manager)
        return chart

    def chain(self, employee_id: str, depth: int) -> list[str]:
        """Managers above ``employee_id``, nearest first, at most ``depth``."""
        out: list[str] = []
        seen = {employee_id}
        current = employee_id
        while len(out) < depth:
            boss = self.manager.get(current)
            if boss is None or boss in seen:
                break
            out.append(boss)
            seen.add(boss)
            current = boss
        return out

    def distance(self, a: str, b: str, depth: int) -> int | None:
        """Levels from ``a`` up to ``b`` (1 = b manages a), within ``depth``."""
        chain = self.chain(a, depth)
        return chain.index(b) + 1 if b in chain else None


_LEVEL = {1: "manager", 2: "skip-level manager"}


def _level(n: int) -> str:
    return _LEVEL.get(n, f"manager {n} levels up")


class PairRules:
    """Checks one mentor-mentee combination against the program's hard rules."""

    def __init__(self, settings: Settings, people: Mapping[str, Participant],
                 pairs: Iterable[Pair] = (), as_of: dt.date | None = None,
                 org_extra: dict[str, str] | None = None, *,
                 removed: dict[str, str] | None = None,
                 extra_pairs: Iterable[Pair] = (), org: OrgChart | None = None,
                 by_people: Mapping[tuple[str, str], Sequence[Pair]] | None = None) -> None:
        """``extra_pairs`` are past pairs whose files were removed (``removed``: id -> commit).

        ``org`` and ``by_people`` may be given ready-made (validation builds them
        from a few fields of everyone, without a model of everyone); then they
        already hold ``org_extra`` and ``extra_pairs``.
        """
        self.settings = settings
        self.people = people
        self.as_of = as_of or dt.date.today()
        self.org = org if org is not None else OrgChart(people.values(), org_extra)
        self.removed = dict(removed or {})
        if by_people is None:
            grouped: dict[tuple[str, str], list[Pair]] = defaultdict(list)
            for p in (*pairs, *extra_pairs):
                grouped[(p.mentor, p.mentee)].append(p)
            by_people = grouped
        self.by_people = by_people
        self.cfg = {name: settings.rule(name) for name in RULES}

    def enabled(self, rule: str) -> bool:
        return bool(self.cfg[rule].get("enabled", True))

    def check(self, mentor: Participant, mentee: Participant, *,
              pair: Pair | None = None) -> list[Violation]:
        """Every rule the combination breaks (capacity is checked per mentor, separately)."""
        out: list[Violation] = []
        on = self.enabled
        if mentor.id == mentee.id:
            return [Violation("roles", f"{mentor.id} cannot mentor themselves", "mentee")]
        if on("roles"):
            if mentor.role != "mentor":
                out.append(Violation("roles", f"{mentor.id} has role {mentor.role!r}, not 'mentor'",
                                     "mentor"))
            if mentee.role != "mentee":
                out.append(Violation("roles", f"{mentee.id} has role {mentee.role!r}, not 'mentee'",
                                     "mentee"))
        if on("grade") and mentor.grade is not None and mentee.grade is not None:
            gap = int(self.cfg["grade"].get("min_gap", 1))
            if mentor.grade + gap > mentee.grade:
                out.append(Violation(
                    "grade", f"the mentor's grade {mentor.grade} is not at least {gap} below "
                    f"the mentee's grade {mentee.grade}", "mentor"))
        if on("reporting_line"):
            out.extend(self._reporting_line(mentor, mentee))
        dept = department_key(mentor)
        if on("department") and dept is not None and dept == department_key(mentee):
            out.append(Violation("department", f"both work in {mentor.department.strip()}",
                                 "mentee"))
        if on("language") and mentor.languages and mentee.languages and not (
                language_keys(mentor) & language_keys(mentee)):
            out.append(Violation(
                "language", f"no shared language ({', '.join(mentor.languages)} / "
                f"{', '.join(mentee.languages)})", "mentee"))
        if on("timezone") and mentor.timezone and mentee.timezone:
            a, b = offset_of(mentor, self.as_of), offset_of(mentee, self.as_of)
            limit = float(self.cfg["timezone"].get("max_gap_hours", 6))
            if a is not None and b is not None and abs(a - b) > limit:
                out.append(Violation(
                    "timezone", f"{abs(a - b):g} hours apart ({mentor.timezone} / "
                    f"{mentee.timezone}); the limit is {limit:g}", "mentee"))
        if on("exclusions"):
            if mentee.id in mentor.exclusions:
                out.append(Violation("exclusions", f"{mentor.id} excluded {mentee.id}", "mentor"))
            if mentor.id in mentee.exclusions:
                out.append(Violation("exclusions", f"{mentee.id} excluded {mentor.id}", "mentee"))
        if on("repeat"):
            for other in self.by_people.get((mentor.id, mentee.id), ()):
                if pair is not None and other.id == pair.id:
                    continue
                if other.status == "proposed" and (pair is None or pair.status == "proposed"):
                    if pair is not None:
                        out.append(Violation("repeat", f"the same two are also proposed as {other.id}",
                                             "mentee"))
                    continue
                if pair is None or _earlier(other, pair):
                    gone = self.removed.get(other.id)
                    where = f"; its file was removed in commit {gone[:10]}" if gone else ""
                    out.append(Violation("repeat", f"the two were already paired as {other.id} "
                                         f"({other.status}{where})", "mentee"))
        if on("status"):
            eligible = self.cfg["status"].get("eligible", ["accepted", "active"])
            for side, person in (("mentor", mentor), ("mentee", mentee)):
                if person.status not in eligible:
                    out.append(Violation("status", f"the {side} {person.id} has status "
                                         f"{person.status!r} (eligible: {', '.join(eligible)})", side))
        if on("training") and pair is not None and pair.started is not None:
            for side, person in (("mentor", mentor), ("mentee", mentee)):
                done = person.training_completed
                if done is None:
                    out.append(Violation("training", f"the {side} {person.id} has not completed "
                                         "training", side))
                elif done > pair.started:
                    out.append(Violation("training", f"the {side} {person.id} completed training "
                                         f"on {done}, after the pair started on {pair.started}", side))
        return out

    def _reporting_line(self, mentor: Participant, mentee: Participant) -> list[Violation]:
        cfg = self.cfg["reporting_line"]
        depth = int(cfg.get("depth", 3))
        a, b = mentor.employee_id, mentee.employee_id
        out = []
        if a and b:
            up = self.org.distance(a, b, depth)
            if up is not None:
                out.append(Violation("reporting_line",
                                     f"the mentee is the mentor's {_level(up)}", "mentee"))
            down = self.org.distance(b, a, depth)
            if down is not None:
                out.append(Violation("reporting_line",
                                     f"the mentor is the mentee's {_level(down)}", "mentor"))
        boss = manager_key(mentor)
        if cfg.get("same_manager", True) and boss is not None and boss == manager_key(mentee):
            out.append(Violation("reporting_line",
                                 f"both report to the same manager ({mentor.manager_id})", "mentee"))
        return out

    def over_capacity(self, pairs: Iterable[Pair]) -> dict[str, tuple[int, int, list[Pair]]]:
        """Mentors with more committed pairs than their capacity: ``{id: (n, cap, pairs)}``."""
        if not self.enabled("capacity"):
            return {}
        held: dict[str, list[Pair]] = defaultdict(list)
        for p in pairs:
            if p.status in Pair.COMMITTED:
                held[p.mentor].append(p)
        out = {}
        for mentor_id, mine in held.items():
            person = self.people.get(mentor_id)
            if person is not None and len(mine) > person.capacity:
                out[mentor_id] = (len(mine), person.capacity, sorted(mine, key=_start_key))
        return out


def _start_key(p: Pair) -> tuple:
    return (p.started or p.proposed or dt.date.max, p.id)


def _earlier(a: Pair, b: Pair) -> bool:
    return _start_key(a) < _start_key(b)
