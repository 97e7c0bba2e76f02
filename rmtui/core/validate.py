"""Validation: every file against its schema, and every cross-file rule.

All problems are reported in one run, each located as ``path:line:col``.
Per-file checks (YAML, schema, id against file name) come from the store and
its cache; the cross-file checks here run on every call. The same checks
serve a whole-program ``validate`` and the check of one entity before ops
writes it (:func:`check_entity`), so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rmtui.core import clock, schemas, yamlio
from rmtui.core import diagnostics as diag
from rmtui.core import kinds as kinds_mod
from rmtui.core.diagnostics import ERROR, WARNING, Diagnostic
from rmtui.core.errors import UsageError
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.rules import PARTICIPANT_FIELDS, OrgChart, PairRules, known_timezone
from rmtui.core.settings import Settings
from rmtui.core.store import CACHE_DIR, Program, Progress, Record, Scan, read_cache, write_cache


@dataclass(frozen=True)
class Finding:
    """A problem in one entity's data, before it is located in its file."""

    rule: str
    message: str
    path: tuple = ()
    hint: str | None = None
    severity: str = ERROR


def _err(rule: str, message: str, path: tuple = (), hint: str | None = None) -> Finding:
    return Finding(rule, message, path, hint, ERROR)


def _warn(rule: str, message: str, path: tuple = (), hint: str | None = None) -> Finding:
    return Finding(rule, message, path, hint, WARNING)


# --------------------------------------------------------------------------
# What the checks may look at
# --------------------------------------------------------------------------


class Index:
    """The entities cross-file checks look at.

    Built from a full load for ``validate``; otherwise it reads only what it
    is asked for (one file at a time, or a whole kind when a check asks for
    all of it), so that an edit need not load the whole program.

    Between :meth:`begin` and :meth:`end` it notes what the checks of one
    entity looked at: the entities (by kind and id) and the whole kinds.
    ``validate`` keeps these notes, so that after a change it checks again
    only the entities that looked at something that changed.
    """

    def __init__(self, program: Program, records: dict[str, dict[str, Record]] | None = None,
                 settings: Settings | None = None, today: dt.date | None = None,
                 scan: Scan | None = None) -> None:
        self.program = program
        self.records = records
        self.settings = settings if settings is not None else program.settings
        self.today = today or clock.today()
        self.scan = scan
        self._loaded: dict[str, dict[str, Record]] = dict(records or {})
        self._one: dict[tuple[str, str], Record | None] = {}
        self._single_reads: Counter = Counter()
        self._all: dict[str, dict[str, dict]] = {}
        self._overrides: dict[tuple[str, str], dict | None] = {}
        self._rules: PairRules | None = None
        self._org = None
        self._ids: dict[str, set[str]] = {}
        self._deps: set[tuple[str, str]] | None = None
        self._dep_kinds: set[str] | None = None
        self._cols: dict[tuple[str, tuple[str, ...]], dict[str, tuple]] = {}

    # -- what one entity's checks looked at --------------------------------

    def begin(self) -> None:
        self._deps, self._dep_kinds = set(), set()

    def end(self) -> tuple[frozenset, frozenset]:
        out = (frozenset(self._deps or ()), frozenset(self._dep_kinds or ()))
        self._deps = self._dep_kinds = None
        return out

    # -- reading -------------------------------------------------------------

    def override(self, kind: str, entity_id: str, data: dict | None) -> None:
        """Check as if ``data`` were in the file (``None``: as if it were gone)."""
        self._overrides[(kind, entity_id)] = data
        self._all.pop(kind, None)
        for key in [k for k in self._cols if k[0] == kind]:
            del self._cols[key]
        self._rules = None

    def load_kind(self, kind: str) -> dict[str, Record]:
        """Every record of a kind (through the store's cache), read once."""
        if kind not in self._loaded:
            self._loaded[kind] = self.program.load(kind, scan=self.scan)
        return self._loaded[kind]

    def record(self, kind: str, entity_id: str) -> Record | None:
        """The record of one entity as it is on disk, or None if there is none."""
        if kind in self._loaded:
            return self._loaded[kind].get(entity_id)
        key = (kind, entity_id)
        if key not in self._one:
            self._single_reads[kind] += 1
            if self._single_reads[kind] > 200 and self.scan is not None:
                return self.load_kind(kind).get(entity_id)  # many asked: read them all at once
            if self.scan is not None and not self._exists_on_disk(kind, entity_id):
                self._one[key] = None
            else:
                try:
                    self._one[key] = self.program.read(kind, entity_id)
                except UsageError:
                    self._one[key] = None
        return self._one[key]

    def _exists_on_disk(self, kind: str, entity_id: str) -> bool:
        if self.records is not None:
            return entity_id in self.records.get(kind, {})
        if self.scan is not None:
            if kind not in self._ids:
                self._ids[kind] = set(self.scan.ids(kind))
            return entity_id in self._ids[kind]
        return self.program.exists(kind, entity_id)

    def exists(self, kind: str, entity_id: str) -> bool:
        if self._deps is not None:
            self._deps.add((kind, entity_id))
        if (kind, entity_id) in self._overrides:
            return self._overrides[(kind, entity_id)] is not None
        return self._exists_on_disk(kind, entity_id)

    def get(self, kind: str, entity_id: str) -> dict | None:
        """The entity's data if it exists and passed its own checks."""
        if self._deps is not None:
            self._deps.add((kind, entity_id))
        if (kind, entity_id) in self._overrides:
            return self._overrides[(kind, entity_id)]
        rec = self.record(kind, entity_id)
        return rec.data if rec is not None and rec.ok else None

    def all(self, kind: str) -> dict[str, dict]:
        if self._dep_kinds is not None:
            self._dep_kinds.add(kind)
        if kind not in self._all:
            recs = self.load_kind(kind)
            out = {i: r.data for i, r in recs.items() if r.ok}
            for (k, entity_id), data in self._overrides.items():
                if k == kind:
                    if data is None:
                        out.pop(entity_id, None)
                    else:
                        out[entity_id] = data
            self._all[kind] = out
        return self._all[kind]

    def columns(self, kind: str, fields: tuple[str, ...]) -> dict[str, tuple]:
        """A few fields of every entity of a kind that passed its own checks.

        What a check across a whole kind needs (every employee id, every pair's
        mentor and mentee) without loading every record: from the records
        when they are loaded, else from the store's small column cache.
        """
        if self._dep_kinds is not None:
            self._dep_kinds.add(kind)
        key = (kind, fields)
        if key not in self._cols:
            if kind in self._loaded:
                out = {i: tuple(r.data.get(f) for f in fields)
                       for i, r in self._loaded[kind].items() if r.ok and r.data is not None}
            else:
                out = {i: v for i, v in self.program.columns(kind, fields, scan=self.scan).items()
                       if v is not None}
            for (k, entity_id), data in self._overrides.items():
                if k == kind:
                    if data is None:
                        out.pop(entity_id, None)
                    else:
                        out[entity_id] = tuple(data.get(f) for f in fields)
            self._cols[key] = out
        return self._cols[key]

    def participant(self, entity_id: str) -> Participant | None:
        data = self.get("participant", entity_id)
        return _model(Participant, data)

    def rules(self) -> PairRules:
        """The pairing rules over everyone: built once, as every open pair asks for them."""
        if self._dep_kinds is not None:
            self._dep_kinds.update(("participant", "pair"))
        if self._rules is None:
            from rmtui.core.ruledata import removed_pairs

            org = self.columns("participant", ("employee_id", "manager_id"))
            manager = {**self.org_chart().manager, **{e: m for e, m in org.values() if e and m}}
            sides = self.columns("pair", ("mentor", "mentee"))
            grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
            for pid, (mentor, mentee) in sides.items():
                grouped[(mentor, mentee)].append(pid)
            # pairs whose files were removed are past pairs too (the repeat rule)
            history = removed_pairs(self.program.root) \
                if self.settings.rule("repeat").get("enabled", True) else []
            past = [r for r in history if r.pair.id not in sides and r.pair.status != "proposed"]
            extra: dict[tuple[str, str], list[Pair]] = defaultdict(list)
            for r in past:
                extra[(r.pair.mentor, r.pair.mentee)].append(r.pair)

            def person(pid: str) -> Participant:
                return from_dict(Participant, self.get("participant", pid) or {})

            def pairs(key: tuple[str, str]) -> list[Pair]:
                found = [from_dict(Pair, d) for d in (self.get("pair", p)
                                                      for p in grouped.get(key, ())) if d]
                return found + extra.get(key, [])

            self._rules = PairRules(self.settings, _Models(org, person), as_of=self.today,
                                    org=OrgChart.of_managers(manager),
                                    removed={r.pair.id: r.commit for r in past},
                                    by_people=_Models({**grouped, **extra}, pairs))
        return self._rules

    def org_chart(self):
        """The org chart file, read once (its problems are reported by ``validate``)."""
        if self._org is None:
            from rmtui.core.ruledata import read_org_chart

            self._org = read_org_chart(self.program.root, self.settings)
        return self._org


class _Models(Mapping):
    """Models made one at a time, when asked for, of the keys of ``keys``."""

    def __init__(self, keys: Mapping, make: Callable) -> None:
        self._keys = keys
        self._make = make
        self._made: dict = {}

    def __getitem__(self, key):
        if key not in self._made:
            if key not in self._keys:
                raise KeyError(key)
            self._made[key] = self._make(key)
        return self._made[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _model(cls, data: dict | None):
    try:
        return from_dict(cls, data) if data is not None else None
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------
# Checks of one entity against the others
# --------------------------------------------------------------------------


def _refs(kind: Kind, data: dict, index: Index) -> Iterator[Finding]:
    for path, target in schemas.get(kind.name).ref_paths():
        for where, value in _values_at(data, path):
            if isinstance(value, str) and not index.exists(target, value):
                yield _err("unknown-ref", f"no {target} {value!r} (from '{where[0]}')", where,
                           f"`rmtui {target} list` shows the {KINDS[target].plural}; "
                           "fix the id or add the missing one")


def _values_at(data: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    def walk(node: Any, rest: tuple, here: tuple) -> Iterator[tuple[tuple, Any]]:
        if not rest:
            yield here, node
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(node, list):
                for i, item in enumerate(node):
                    yield from walk(item, tail, here + (i,))
        elif isinstance(node, dict) and head in node:
            yield from walk(node[head], tail, here + (head,))

    yield from walk(data, path, ())


def _date(data: dict, key: str) -> dt.date | None:
    value = data.get(key)
    return dt.date.fromisoformat(value) if yamlio.is_iso_date(value) else None


def _order(data: dict, earlier: str, later: str, label: str | None = None) -> Iterator[Finding]:
    a, b = _date(data, earlier), _date(data, later)
    if a and b and b < a:
        yield _err("date-order", f"'{later}' ({b}) is before '{earlier}' ({a})", (later,),
                   label or f"'{later}' cannot come before '{earlier}'")


def _check_participant(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    tz = data.get("timezone")
    if isinstance(tz, str) and not known_timezone(tz):
        yield _err("timezone", f"unknown time zone {tz!r}", ("timezone",),
                   "use an IANA name such as Europe/Stockholm or Asia/Ho_Chi_Minh")
    if data.get("employee_id") and data.get("employee_id") == data.get("manager_id"):
        yield _err("reporting-line", "the person is their own manager", ("manager_id",),
                   "set manager_id to the employee_id of the person's manager")
    for key in ("preferences", "exclusions"):
        for i, other in enumerate(data.get(key) or []):
            if other == entity_id:
                yield _warn("self-reference", f"the person lists themselves in '{key}'", (key, i))
    prefs, excl = set(data.get("preferences") or []), set(data.get("exclusions") or [])
    for both in sorted(prefs & excl):
        yield _warn("preferences", f"{both!r} is both preferred and excluded", ("exclusions",))


_STATUS_NEEDS = {"active": "started", "paused": "started", "completed": "ended", "ended": "ended"}


def _check_pair(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    yield from _order(data, "proposed", "started")
    yield from _order(data, "started", "ended")
    for side in ("mentor", "mentee"):
        acc = data.get("accepted") or {}
        if yamlio.is_iso_date(acc.get(side)) and _date(data, "proposed") \
                and dt.date.fromisoformat(acc[side]) < _date(data, "proposed"):
            yield _err("date-order", f"the {side} accepted before the pair was proposed",
                       ("accepted", side), "fix the date, or the pair's 'proposed' date")
    started, ended = _date(data, "started"), _date(data, "ended")
    for i, pause in enumerate(data.get("pauses") or []):
        yield from (_err(f.rule, f.message, ("pauses", i) + f.path, f.hint)
                    for f in _order(pause, "from", "to"))
        start = _date(pause, "from")
        if start and started and start < started:
            yield _err("date-order", f"a pause from {start} starts before the pair did ({started})",
                       ("pauses", i, "from"), "fix the date, or the pair's 'started' date")
        if start and ended and start > ended:
            yield _err("date-order", f"a pause from {start} starts after the pair ended ({ended})",
                       ("pauses", i, "from"), "fix the date, or the pair's 'ended' date")
    status = data.get("status")
    need = _STATUS_NEEDS.get(status)
    if need and not data.get(need):
        yield _err("pair-status", f"the pair is {status} but has no '{need}' date", ("status",),
                   f"add '{need}: YYYY-MM-DD'")
    if status in ("proposed", "accepted") and data.get("started"):
        yield _err("pair-status", f"the pair is {status} but has a 'started' date", ("status",),
                   "set the status to active, or remove 'started'")
    if status in Pair.OPEN and data.get("ended"):
        yield _err("pair-status", f"the pair is {status} but has an 'ended' date", ("status",),
                   "set the status to completed or ended, or remove 'ended'")
    mentor = index.participant(data.get("mentor", ""))
    mentee = index.participant(data.get("mentee", ""))
    if mentor is None or mentee is None:
        return  # unknown-ref says why
    if status not in Pair.OPEN:
        return  # a past pair was checked when it was made; people change since
    pair = _model(Pair, data)
    if pair is None:
        return
    for v in index.rules().check(mentor, mentee, pair=pair):
        yield _err(f"rule-{v.rule.replace('_', '-')}", v.message, (v.field,),
                   f"the program's [rules.{v.rule}] in program.toml forbids this pair; end it, "
                   "or change the rule if it no longer applies")


def _check_goal(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    yield from _order(data, "created", "completed")
    yield from _order(data, "created", "due")
    pair = index.get("pair", data["pair"]) if data.get("pair") else None
    if pair is not None and data.get("owner") not in (pair.get("mentor"), pair.get("mentee")):
        yield _err("goal-owner", f"the owner {data.get('owner')!r} is not in pair {data['pair']!r}",
                   ("owner",), f"the pair is {pair.get('mentor')} and {pair.get('mentee')}")
    if data.get("status") == "done" and not data.get("completed"):
        yield _warn("goal-status", "the goal is done but has no 'completed' date", ("status",))
    missing = [w for k, w in (("measure", "measure"), ("target", "target"), ("due", "due date"))
               if data.get(k) in (None, "")]
    if missing and data.get("status") != "dropped":
        listed = ", no ".join(missing[:-1]) + (" and no " if len(missing) > 1 else "") + missing[-1]
        yield _warn("goal-smart", f"the goal is not SMART: it has no {listed}",
                    ("title",), "a SMART goal says how progress is measured, the target and "
                    "when it is due: --measure TEXT --target VALUE --due DATE")


def _check_agreement(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    for i, goal_id in enumerate(data.get("goals") or []):
        goal = index.get("goal", goal_id)
        if goal is not None and goal.get("pair") not in (None, data.get("pair")):
            yield _err("agreement-goal", f"goal {goal_id!r} belongs to pair {goal.get('pair')!r}",
                       ("goals", i))


def _check_session(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    pair = index.get("pair", data.get("pair", ""))
    when = _date(data, "date")
    if pair is not None and when is not None:
        started, ended = _date(pair, "started"), _date(pair, "ended")
        if started is None:
            yield _err("session-date", f"the pair {data['pair']!r} has not started "
                       f"(status {pair.get('status')}), yet this session is dated {when}", ("date",),
                       "set the pair's 'started' date and status first")
        elif when < started:
            yield _err("session-date", f"the session ({when}) is before its pair started ({started})",
                       ("date",), "fix the date, or the pair's 'started' date")
        if ended is not None and when > ended and data.get("status", "held") == "held":
            yield _err("session-date", f"the session ({when}) is after its pair ended ({ended})",
                       ("date",), "fix the date, or the pair's 'ended' date; a session that "
                       "did not happen can be 'status: cancelled'")
    if when is not None and when > index.today and data.get("status", "held") == "held":
        yield _warn("session-date", f"a held session is dated in the future ({when})", ("date",),
                    "set 'status: planned' for a session that has not happened yet")
    for i, goal_id in enumerate(data.get("goals") or []):
        goal = index.get("goal", goal_id)
        if goal is not None and goal.get("pair") not in (None, data.get("pair")):
            yield _warn("session-goal", f"goal {goal_id!r} belongs to pair {goal.get('pair')!r}",
                        ("goals", i))


def _check_survey(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, q in enumerate(data.get("questions") or []):
        qid = q.get("id")
        if qid in seen:
            yield _err("survey-question", f"question id {qid!r} appears twice", ("questions", i, "id"))
        seen.add(qid)
        if q.get("type") == "choice" and not q.get("choices"):
            yield _err("survey-question", f"choice question {qid!r} has no 'choices'",
                       ("questions", i))


_ANSWER_RANGE = {"likert": (1, 5), "nps": (0, 10)}


def _check_response(entity_id: str, data: dict, index: Index) -> Iterator[Finding]:
    survey = index.get("survey", data.get("survey", ""))
    if survey is None:
        return
    questions = {q["id"]: q for q in survey.get("questions") or [] if isinstance(q, dict)}
    answers = data.get("answers") or {}
    for qid, value in answers.items():
        q = questions.get(qid)
        if q is None:
            yield _err("response-answer", f"survey {survey['id']!r} has no question {qid!r}",
                       ("answers", qid), "questions are: " + ", ".join(questions))
            continue
        kind = q.get("type")
        if kind in _ANSWER_RANGE:
            lo, hi = _ANSWER_RANGE[kind]
            if not isinstance(value, int) or not lo <= value <= hi:
                yield _err("response-answer", f"answer to {qid!r} is {value!r}; a {kind} answer is "
                           f"a whole number from {lo} to {hi}", ("answers", qid),
                           f"answer with a whole number from {lo} to {hi}, or leave it out")
        elif kind == "choice" and value not in (q.get("choices") or []):
            yield _err("response-answer", f"answer to {qid!r} is {value!r}, not one of its choices",
                       ("answers", qid), "choices are: " + ", ".join(q.get("choices") or []))
    if data.get("status", "submitted") == "submitted":
        for qid, q in questions.items():
            if q.get("required") and qid not in answers:
                yield _err("response-answer", f"required question {qid!r} is not answered",
                           ("answers",), "answer it, or set 'status: sent' until the answers "
                           "are in")
    audience = survey.get("audience", "all")
    person = index.get("participant", data.get("participant", ""))
    if person is not None and audience != "all" and person.get("role") != audience:
        yield _warn("response-audience", f"the survey is for {audience}s, but "
                    f"{person['id']} is a {person.get('role')}", ("participant",))


_CHECKS: dict[str, Callable[[str, dict, Index], Iterator[Finding]]] = {
    "participant": _check_participant, "pair": _check_pair, "goal": _check_goal,
    "agreement": _check_agreement, "session": _check_session, "survey": _check_survey,
    "response": _check_response,
}


def entity_findings(kind: Kind, entity_id: str, data: dict, index: Index) -> list[Finding]:
    """Cross-file problems of one entity whose data passed its schema."""
    found = list(_refs(kind, data, index))
    found.extend(_CHECKS[kind.name](entity_id, data, index))
    return found


# --------------------------------------------------------------------------
# Checks across all entities of a kind
# --------------------------------------------------------------------------


def _global_findings(index: Index, *, people: set[str] | None = None,
                     pairs_of: set[str] | None = None) -> Iterator[tuple[str, str, Finding]]:
    """``(kind, id, finding)`` for problems that only show across many files.

    ``people`` limits the duplicate checks to those participants and
    ``pairs_of`` the pair checks to the pairs of those participants (what
    the check of one edited entity needs); by default: everything.
    """
    everyone = index.columns("participant", ("employee_id", "email"))
    for column, (key, rule, severity) in enumerate((
            ("employee_id", "duplicate-employee-id", ERROR), ("email", "duplicate-email", WARNING))):
        wanted = None
        if people is not None:
            wanted = {everyone[p][column].strip().casefold() for p in people
                      if p in everyone and isinstance(everyone[p][column], str)}
            if not wanted:
                continue
        owners: dict[str, list[str]] = defaultdict(list)
        for pid, values in everyone.items():
            if isinstance(values[column], str):
                value = values[column].strip().casefold()
                if wanted is None or value in wanted:
                    owners[value].append(pid)
        for ids in owners.values():
            if len(ids) > 1:
                for pid in ids:
                    others = ", ".join(i for i in ids if i != pid)
                    yield "participant", pid, Finding(
                        rule, f"{key} {everyone[pid][column]!r} is also used by {others}", (key,),
                        f"each person has their own {key}", severity)
    if people is not None and pairs_of is None:
        return
    sides = index.columns("pair", ("mentor", "mentee"))
    rules = index.rules()
    mentors = mentees = None
    wanted_ids = list(sides)
    if pairs_of is not None:
        mine = [v for v in sides.values() if v[0] in pairs_of or v[1] in pairs_of]
        mentors = {v[0] for v in mine}
        mentees = {v[1] for v in mine}
        wanted_ids = [pid for pid, v in sides.items() if v[0] in mentors or v[1] in mentees]
    models = [m for m in (_model(Pair, index.get("pair", pid)) for pid in wanted_ids)
              if m is not None]
    for mentor_id, (n, cap, held) in sorted(rules.over_capacity(
            [m for m in models if mentors is None or m.mentor in mentors]).items()):
        for p in held[cap:]:
            yield "pair", p.id, _err("rule-capacity", f"{mentor_id} mentors {n} pairs but has "
                                     f"capacity {cap}", ("mentor",),
                                     f"end or pause a pair, or raise {mentor_id}'s capacity")
    open_by_mentee: dict[str, list[str]] = defaultdict(list)
    for p in models:
        if p.status in Pair.COMMITTED and (mentees is None or p.mentee in mentees):
            open_by_mentee[p.mentee].append(p.id)
    for mentee, ids in sorted(open_by_mentee.items()):
        if len(ids) > 1:
            for pid in ids:
                yield "pair", pid, _warn("mentee-pairs", f"{mentee} is in {len(ids)} open pairs: "
                                         + ", ".join(ids), ("mentee",))


# --------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------


def _stray(program: Program, rel: str) -> Diagnostic:
    """Why a file in an entity folder is not read, and what to do."""

    from rmtui.core import ids
    from rmtui.core.kinds import of_path

    if os.path.islink(program.root / rel):
        return diag.error(rel, "symlink", "a symbolic link in an entity folder; rmtui reads only "
                          "plain files and never follows a link out of the program",
                          f"replace the link with the files themselves, or remove it (git rm {rel})",
                          1, 1)
    if not os.path.isfile(program.root / rel):
        return diag.error(rel, "file-type", "this is not a plain file (a fifo, socket or device); "
                          "rmtui does not read it", "remove it from the program folder", 1, 1)
    folder, _, rest = rel.partition("/")
    kind = next(k for k in KINDS.values() if k.folder == folder)
    name = rest.rsplit("/", 1)[-1]
    stem, _, ext = name.rpartition(".")
    shape = f"{kind.folder}/" + "/".join(f"<{k}>" for k in kind.key) + ".yaml"
    # the problem is the file's name, not a place in it: located at 1:1 so
    # that every diagnostic reads path:line:col, as editors and CI expect
    if ext == "yml":
        return diag.error(rel, "file-name", "rmtui reads only files ending in .yaml",
                          f"rename it: git mv {rel} {rel[:-4]}.yaml", 1, 1)
    if ext != "yaml":
        return diag.warning(rel, "stray-file", f"this file is not a {kind.name} and is ignored",
                            f"{kind.name} files are {shape}; move other files elsewhere", 1, 1)
    found = of_path(rel)
    if found is None:
        return diag.error(rel, "file-name", f"a {kind.name} file belongs at {shape}",
                          "move the file there, or out of the folder", 1, 1)
    parts = found[1].split("/")
    for i, (key, part) in enumerate(zip(kind.key, parts, strict=False)):
        if ids.is_id(part):
            continue
        if i < len(parts) - 1:  # the folder: sessions/<pair>/, responses/<survey>/
            return diag.error(rel, "file-name", f"the folder name {part!r} is not a valid {key} id",
                              f"{ids.ID_RULE_TEXT}: rename the folder, e.g. to "
                              f"{ids.slugify(part)}, and set '{key}' in its files to match", 1, 1)
        return diag.error(rel, "file-name", f"the file name {part!r} is not a valid id",
                          f"{ids.ID_RULE_TEXT}: rename it, e.g. to {ids.slugify(part)}.yaml, "
                          f"and set its '{key}' to match", 1, 1)
    # every part is an id: a session file not named by its date
    m = re.match(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(-[1-9][0-9]*)?$", stem)
    hint = ("a session file is named by its date: YYYY-MM-DD.yaml, or YYYY-MM-DD-2.yaml "
            "for a second session that day")
    if m:
        day = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        if yamlio.is_iso_date(day):
            hint += f"; rename it to {day}{m.group(4) or ''}.yaml"
    return diag.error(rel, "file-name", f"the file name {stem!r} is not a session date", hint,
                      1, 1)


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(not d.is_error for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def counts(self) -> Counter:
        return Counter(d.rule for d in self.diagnostics)


class _Locator:
    """Turns findings into located diagnostics, parsing each file at most once."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.nodes: dict[str, Any] = {}

    def __call__(self, relpath: str, f: Finding) -> Diagnostic:
        if relpath not in self.nodes:
            raw = yamlio.peek(self.program.abspath(relpath)) or b""
            text = raw.decode("utf-8", "replace")
            self.nodes[relpath] = yamlio.compose(text.lstrip("\ufeff"))
        line, col = yamlio.locate(self.nodes[relpath], list(f.path)) or (None, None)
        return Diagnostic(relpath, line, col, f.severity, f.rule, f.message, f.hint)


# --------------------------------------------------------------------------
# The whole program, with a cache of the last run
# --------------------------------------------------------------------------
#
# A run keeps, under .rmtui/cache/, the stat key of every entity file it saw
# and, for each entity, its diagnostics and what its cross-file checks looked
# at. The next run scans the folders (one lstat per file): when nothing
# changed it prints the kept diagnostics without opening a file; otherwise
# it checks again the changed entities and those that looked at a changed
# entity or at a whole kind that changed. Settings, the schemas, rmtui's
# version and the date are part of the key: any change there checks all.

_REPORT_FORMAT = 4
_REPORT = "validate.pickle"          # stamp, files, diagnostics: all a run with no change needs
_STATE = "validate-state.pickle"     # stamp, files, what each entity's checks looked at

Key = tuple[str, str]                # (kind, id)


_SHIFT = 24  # an entity's number: its kind's place << _SHIFT, plus its place in the kind
_KIND_PLACE = {name: i for i, name in enumerate(KINDS)}
_KIND_AT = list(KINDS)


@dataclass
class _State:
    """What a run found, kept for the next one.

    ``diags`` holds the diagnostics of the entities that have any; ``owns``
    the ids files declare where they differ from their file names (None for
    a file without data); ``edges`` maps an entity to the entities whose
    checks looked at it, ``kind_edges`` a kind to those that looked at all
    of it. Entities in edges are numbers, their kind and their place in
    ``present`` (lists of small ints pickle ten times faster than lists of
    pairs): new entities are appended, removed ones leave a hole, so a change
    renumbers nothing. After a change the edges of checked entities are added
    to, not replaced: one edge too many only costs a check, and a full run
    (every day) starts them afresh.
    """

    present: dict[str, list[str | None]] = field(default_factory=dict)  # kind -> ids
    diags: dict[Key, tuple] = field(default_factory=dict)
    owns: dict[Key, str | None] = field(default_factory=dict)
    edges: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    kind_edges: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    dups: dict[str, list[Diagnostic]] = field(default_factory=dict)
    found_globally: list[Diagnostic] = field(default_factory=list)
    shared: dict[Key, bytes | None] = field(default_factory=dict)  # see _shared_fingerprint
    _places: dict[str, dict[str, int]] = field(default_factory=dict)

    def place(self, key: Key) -> int | None:
        """The entity's place in its kind's list, or None if it is not there."""
        kind, entity_id = key
        if kind not in self._places:
            self._places[kind] = {i: n for n, i in enumerate(self.present.get(kind, ()))
                                  if i is not None}
        return self._places[kind].get(entity_id)

    def number(self, key: Key) -> int:
        place = self.place(key)
        if place is None:  # a new entity: at the end of its kind
            ids = self.present.setdefault(key[0], [])
            place = len(ids)
            ids.append(key[1])
            self._places[key[0]][key[1]] = place
        return (_KIND_PLACE[key[0]] << _SHIFT) + place

    def key_of(self, number: int) -> Key | None:
        kind = _KIND_AT[number >> _SHIFT]
        ids = self.present.get(kind, [])
        place = number & ((1 << _SHIFT) - 1)
        entity_id = ids[place] if place < len(ids) else None
        return (kind, entity_id) if entity_id is not None else None

    def forget(self, key: Key) -> None:
        """The entity is gone: its place becomes a hole."""
        place = self.place(key)
        if place is not None:
            self.present[key[0]][place] = None
            del self._places[key[0]][key[1]]
        self.diags.pop(key, None)
        self.owns.pop(key, None)
        self.shared.pop(key, None)

    def dependents(self, key: Key) -> list[Key]:
        return [k for n in self.edges.get(key, ()) if (k := self.key_of(n)) is not None]

    def kind_dependents(self, kind: str) -> list[Key]:
        return [k for n in self.kind_edges.get(kind, ()) if (k := self.key_of(n)) is not None]

    def ids(self, kind: str) -> list[str]:
        return [i for i in self.present.get(kind, ()) if i is not None]

    def record(self, key: Key, kind: Kind, rec: Record, found: list[Diagnostic],
               deps: tuple[frozenset, frozenset]) -> None:
        diags = (*rec.diagnostics, *found)
        if diags:
            self.diags[key] = diags
        else:
            self.diags.pop(key, None)
        own = kind.id_for(rec.data) if rec.data is not None else None
        if kind.name != "session" and own != key[1]:
            self.owns[key] = own
        else:
            self.owns.pop(key, None)
        if kind.name in _SHARED_FIELDS:
            self.shared[key] = _shared_fingerprint(kind.name, rec)
        n = self.number(key)
        for dep in deps[0]:
            self.edges[dep].append(n)
        for dep_kind in deps[1]:
            self.kind_edges[dep_kind].append(n)

    def body(self) -> list[Diagnostic]:
        out = [d for ds in self.diags.values() for d in ds]
        out.extend(d for ds in self.dups.values() for d in ds)
        out.extend(self.found_globally)
        return out

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.present.values()) - sum(
            ids.count(None) for ids in self.present.values())

    def pack(self) -> tuple:
        return (self.present, dict(self.edges),
                {k: sorted(set(ns)) for k, ns in self.kind_edges.items()},
                self.diags, self.owns, self.dups, self.found_globally, self.shared)

    @classmethod
    def unpack(cls, packed: tuple) -> _State:
        present, edges, kind_edges, diags, owns, dups, found_globally, shared = packed
        return cls(present, dict(diags), dict(owns), defaultdict(list, edges),
                   defaultdict(list, kind_edges), dict(dups), list(found_globally),
                   dict(shared))


# The fields of participants and pairs that checks across a whole kind read:
# the pairing rules (org chart, repeat, capacity) and the uniqueness checks.
# A change elsewhere in such a file is re-checked on its own, without
# re-checking everything that looked at the whole kind.
_SHARED_FIELDS = {
    "participant": tuple(sorted(PARTICIPANT_FIELDS | {"email"})),
    "pair": ("id", "mentor", "mentee", "status", "proposed", "started", "ended"),
}


def _shared_fingerprint(kind: str, rec: Record | None) -> bytes | None:
    import hashlib

    if rec is None or not rec.ok or rec.data is None:
        return None
    values = repr(tuple(rec.data.get(f) for f in _SHARED_FIELDS[kind]))
    return hashlib.blake2b(values.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _digest(files: dict[str, tuple | None]) -> bytes:
    """A short fingerprint of every file's stat key (what a run with no change compares)."""
    import hashlib
    import marshal

    return hashlib.blake2b(marshal.dumps(files), digest_size=16).digest()


def _stamp(program: Program, today: dt.date) -> tuple:
    import hashlib

    from rmtui import __version__
    from rmtui.core.settings import FILENAME

    raw = yamlio.peek(program.root / FILENAME) or b""
    return (_REPORT_FORMAT, __version__, schemas.fingerprint(), hashlib.sha256(raw).hexdigest(),
            today.isoformat(), _other_files(program))


def _other_files(program: Program) -> tuple:
    """Stat keys of the program's files outside the entity folders.

    Checks may read such files (an org chart, templates): any change to them
    makes the next run check everything, as a settings change does.
    """
    entity = {k.folder for k in KINDS.values()}
    out = []
    for here, dirs, files in os.walk(program.root):
        if here == str(program.root):
            dirs[:] = [d for d in dirs if d not in entity]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            try:
                st = os.lstat(os.path.join(here, name))
            except OSError:
                continue
            out.append((os.path.relpath(os.path.join(here, name), program.root), st.st_size,
                        st.st_mtime_ns, st.st_ino))
    return tuple(out)


def validate(program: Program, today: dt.date | None = None, *,
             progress: Progress | None = None, use_cache: bool = True) -> Report:
    """Check the whole program; every problem, located, sorted.

    ``progress(stage, done, total)`` hears how a long run is going.
    """
    from rmtui.core.parallel import gc_paused

    today = today or clock.today()
    cache = program.root / CACHE_DIR
    with gc_paused():
        s = program.settings_unchecked
        if s.outdated:  # files of another format version: only `rmtui migrate` reads them
            return Report(list(s.diagnostics))
        scan = program.scan()
        stamp = _stamp(program, today)
        files = scan.keys()
        head = [*s.diagnostics, *(_stray(program, rel) for rel in scan.stray)]
        if s.ok:  # the org chart file (its stat data is part of the stamp)
            from rmtui.core.ruledata import read_org_chart

            head.extend(read_org_chart(program.root, s).diagnostics)
        digest = _digest(files)
        kept = read_cache(cache / _REPORT) if use_cache else None
        if not (isinstance(kept, tuple) and len(kept) == 5 and kept[0] == stamp):
            kept = None
        if kept is not None and kept[2] == digest and None not in files.values():
            report = Report(head + list(kept[3]), kept[4])
            report.diagnostics.sort(key=diag.sort_key)
            return report
        state = None
        if kept is not None:
            packed = read_cache(cache / _STATE)
            if isinstance(packed, tuple) and len(packed) == 4 and packed[:2] == kept[:2] \
                    and isinstance(packed[2], dict):
                try:
                    state = _State.unpack(packed[3])
                except Exception:  # a damaged state is simply rebuilt
                    state = None
        if state is not None:
            _update(program, s, today, scan, files, packed[2], state, progress)
        else:
            state = _check_all(program, s, today, scan, progress)
        body = state.body()
        if use_cache:
            gen = os.urandom(8).hex()  # ties the two files together
            write_cache(cache / _STATE, (stamp, gen, files, state.pack()))
            write_cache(cache / _REPORT, (stamp, gen, digest, body, state.count))
        report = Report(head + body, state.count)
        report.diagnostics.sort(key=diag.sort_key)
        return report


def _check_one(state: _State, kind: Kind, entity_id: str, rec: Record, index: Index,
               locate: _Locator) -> None:
    found: list[Diagnostic] = []
    deps: tuple[frozenset, frozenset] = (frozenset(), frozenset())
    if rec.ok:
        assert rec.data is not None
        index.begin()
        try:
            findings = entity_findings(kind, entity_id, rec.data, index)
        finally:
            deps = index.end()
        found = [locate(rec.path, f) for f in findings]
    state.record((kind.name, entity_id), kind, rec, found, deps)


def _check_all(program: Program, s: Settings, today: dt.date, scan: Scan,
               progress: Progress | None) -> _State:
    records = program.load_all(scan=scan, progress=progress)
    index = Index(program, records, settings=s, today=today, scan=scan)
    locate = _Locator(program)
    state = _State(present={k: list(recs) for k, recs in records.items()})  # sorted ids
    total = sum(len(recs) for recs in records.values())
    n = 0
    for kind_name, recs in records.items():
        kind = KINDS[kind_name]
        for entity_id, rec in recs.items():
            _check_one(state, kind, entity_id, rec, index, locate)
            n += 1
            if progress is not None and n % 5000 == 0:
                progress("checking", n, total)
    if progress is not None:
        progress("checking", total, total)
    state.dups = {name: _duplicates(program, KINDS[name], state) for name in KINDS}
    state.found_globally = _globally(index, s, locate)
    return state


def _update(program: Program, s: Settings, today: dt.date, scan: Scan,
            files: dict[str, tuple | None], before: dict[str, tuple | None], state: _State,
            progress: Progress | None) -> None:
    """Bring the last run's state up to date, checking only what a change could touch."""
    changed_rels = {rel for rel, key in files.items() if key is None or before.get(rel) != key}
    changed_rels.update(rel for rel in before if rel not in files)
    changed: set[Key] = set()
    for rel in changed_rels:
        found = kinds_mod.of_path(rel)
        if found is not None:
            changed.add((found[0].name, found[1]))
    changed_kinds = {k for k, _ in changed}

    def present(key: Key) -> bool:
        return f"{KINDS[key[0]].folder}/{key[1]}.yaml" in files

    index = Index(program, None, settings=s, today=today, scan=scan)
    # a participant or pair whose shared fields did not change (a new title, a
    # new skill) cannot change what the checks across its kind see
    spread = changed_kinds - set(_SHARED_FIELDS)
    for key in changed:
        if key[0] in _SHARED_FIELDS and key[0] not in spread:
            rec = index.record(*key) if present(key) else None
            if _shared_fingerprint(key[0], rec) != state.shared.get(key, b"new"):
                spread.add(key[0])
    again: set[Key] = set()
    for key in changed:
        again.update(state.dependents(key))
    for kind_name in spread:
        again.update(state.kind_dependents(kind_name))

    for key in changed:
        if present(key):
            again.add(key)
        else:
            state.forget(key)
    again = {key for key in again if present(key)}
    locate = _Locator(program)
    for name, n in Counter(k for k, _ in again).items():
        if n > 300:
            index.load_kind(name)
    for n, (kind_name, entity_id) in enumerate(sorted(again), 1):
        rec = index.record(kind_name, entity_id)
        if rec is None:  # vanished since the scan
            continue
        _check_one(state, KINDS[kind_name], entity_id, rec, index, locate)
        if progress is not None and n % 5000 == 0:
            progress("checking", n, len(again))
    for name in KINDS:
        if name in changed_kinds or name not in state.dups:
            state.dups[name] = _duplicates(program, KINDS[name], state)
    if spread & set(_SHARED_FIELDS):
        state.found_globally = _globally(index, s, locate)


def _duplicates(program: Program, kind: Kind, state: _State) -> list[Diagnostic]:
    """Files of one kind that declare the same id."""
    if kind.name == "session":
        return []
    declared: dict[str, list[str]] = defaultdict(list)
    owns = state.owns
    for entity_id in sorted(state.ids(kind.name)):
        own = owns.get((kind.name, entity_id), entity_id)
        if own is not None:
            declared[own].append(f"{kind.folder}/{entity_id}.yaml")
    locate = None
    out = []
    for own, paths in declared.items():
        if len(paths) > 1:
            locate = locate or _Locator(program)
            for p in sorted(paths):
                others = ", ".join(x for x in sorted(paths) if x != p)
                out.append(locate(p, _err(
                    "duplicate-id", f"{kind.name} id {own!r} is also declared in {others}",
                    (kind.key[-1],), "each file holds its own id, the same as its file name")))
    return out


def _globally(index: Index, s: Settings, locate: _Locator) -> list[Diagnostic]:
    if not s.ok:
        return []
    return [locate(KINDS[kind_name].path(entity_id), f)
            for kind_name, entity_id, f in _global_findings(index)]


def check_entity(program: Program, kind: Kind, entity_id: str, data: dict,
                 index: Index | None = None) -> list[Finding]:
    """Everything wrong with ``data`` as the new content of one entity.

    Used by ops before anything is written: schema, key fields against the
    id, and the cross-file rules, reading only what the checks need.
    """
    return check_entities(program, kind, {entity_id: data}, index)[entity_id]


def check_entities(program: Program, kind: Kind, items: dict[str, dict],
                   index: Index | None = None) -> dict[str, list[Finding]]:
    """:func:`check_entity` for many entities at once, each checked as if all were saved.

    Schemas and key fields one by one; then the cross-file rules over the
    program as it would be, with the checks across a whole kind (duplicate
    employee ids, capacity, the pairs a change breaks) run once for the
    batch rather than once per entity, and only for the entities involved:
    an import of thousands of people costs about as much as one
    ``validate``, and one edit costs little in a program of any size.
    """
    from rmtui.core.parallel import gc_paused

    out: dict[str, list[Finding]] = {}
    valid: dict[str, dict] = {}
    schema = schemas.get(kind.name)
    for entity_id, data in items.items():
        found = [Finding("schema", i.message, i.path, i.hint) for i in schema.check(data)]
        for key, want in kind.expected(entity_id).items():
            if data.get(key) != want:
                found.append(_err("id-mismatch", f"'{key}' must be {want!r} for this file", (key,)))
        out[entity_id] = found
        if not found:
            valid[entity_id] = data
    if not valid:
        return out
    with gc_paused():
        index = index or Index(program)
        for entity_id, data in valid.items():
            index.override(kind.name, entity_id, data)
        for entity_id, data in valid.items():
            out[entity_id].extend(entity_findings(kind, entity_id, data, index))
        if kind.name == "pair":
            people = {d.get(side) for d in valid.values() for side in ("mentor", "mentee")}
            for k, i, f in _global_findings(index, people=set(), pairs_of=people - {None}):
                if k == kind.name and i in valid:
                    out[i].append(f)
        if kind.name == "participant":
            touching = {i for i, d in valid.items() if _may_touch_others(program, i, d)}
            if touching:
                for k, i, f in _global_findings(index, people=touching):
                    if k == kind.name and i in touching:
                        out[i].append(f)
                for person, found in _effect_on_pairs(touching, index).items():
                    out[person].extend(found)
    return out


# what the checks across all participants read: the rules' fields, and the
# fields that must be unique
_SHARED_PARTICIPANT_FIELDS = PARTICIPANT_FIELDS | {"email"}


def _may_touch_others(program: Program, entity_id: str, data: dict) -> bool:
    """Whether a participant's new data can change a check that spans everyone.

    Only a change to a field the rules or the uniqueness checks read can: a
    new title or skill needs neither the whole participant list nor the
    pairs, which keeps such an edit fast in a program of any size.
    """
    try:
        old = program.read("participant", entity_id)
    except UsageError:
        return True  # a new participant
    if not old.ok or old.data is None:
        return True
    return any(old.data.get(k) != data.get(k) for k in _SHARED_PARTICIPANT_FIELDS)


def _effect_on_pairs(people: set[str], index: Index) -> dict[str, list[Finding]]:
    """Open pairs a change to these participants breaks, as warnings for each of them.

    People get promoted and move departments; the change is still recorded,
    and the owner learns which pairs to look at.
    """
    mine: dict[str, list[str]] = defaultdict(list)  # pair -> the changed people in it
    for pid, (mentor, mentee, status) in index.columns(
            "pair", ("mentor", "mentee", "status")).items():
        if status in Pair.OPEN:
            for side in (mentor, mentee):
                if side in people:
                    mine[pid].append(side)
    out: dict[str, list[Finding]] = defaultdict(list)
    if not mine:
        return out
    for pid in sorted(mine):
        data = index.get("pair", pid)
        if data is None:
            continue
        for f in _check_pair(pid, data, index):
            if f.severity == ERROR and f.rule.startswith("rule-"):
                for person in mine[pid]:
                    out[person].append(_warn(f.rule, f"pair {pid} now breaks a rule: {f.message}",
                                             (), f"end or change pair {pid}"))
    for k, pid, f in _global_findings(index, people=set(), pairs_of=people):
        if k == "pair" and pid in mine and f.severity == ERROR:
            for person in mine[pid]:
                out[person].append(_warn(f.rule, f"pair {pid}: {f.message}", (), f.hint))
    return out
