"""Validation: every file against its schema, and every cross-file rule.

All problems are reported in one run, each located as ``path:line:col``.
Per-file checks (YAML, schema, id against file name) come from the store and
its cache; the cross-file checks here run on every call. The same checks
serve a whole-program ``validate`` and the check of one entity before ops
writes it (:func:`check_entity`), so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rmtui.core import clock, schemas, yamlio
from rmtui.core import diagnostics as diag
from rmtui.core.diagnostics import ERROR, WARNING, Diagnostic
from rmtui.core.errors import UsageError
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.rules import PairRules, known_timezone
from rmtui.core.settings import Settings
from rmtui.core.store import Program, Record


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

    Built from a full load for ``validate``; for the check of a single entity
    it reads only what it is asked for, so that an edit need not load the
    whole program.
    """

    def __init__(self, program: Program, records: dict[str, dict[str, Record]] | None = None,
                 settings: Settings | None = None, today: dt.date | None = None) -> None:
        self.program = program
        self.records = records
        self.settings = settings if settings is not None else program.settings
        self.today = today or clock.today()
        self._one: dict[tuple[str, str], dict | None] = {}
        self._all: dict[str, dict[str, dict]] = {}
        self._overrides: dict[tuple[str, str], dict | None] = {}
        self._rules: PairRules | None = None
        self._org = None

    def override(self, kind: str, entity_id: str, data: dict | None) -> None:
        """Check as if ``data`` were in the file (``None``: as if it were gone)."""
        self._overrides[(kind, entity_id)] = data
        self._all.pop(kind, None)
        self._rules = None

    def exists(self, kind: str, entity_id: str) -> bool:
        if (kind, entity_id) in self._overrides:
            return self._overrides[(kind, entity_id)] is not None
        if self.records is not None:
            return entity_id in self.records.get(kind, {})
        return self.program.exists(kind, entity_id)

    def get(self, kind: str, entity_id: str) -> dict | None:
        """The entity's data if it exists and passed its own checks."""
        if (kind, entity_id) in self._overrides:
            return self._overrides[(kind, entity_id)]
        if self.records is not None:
            rec = self.records.get(kind, {}).get(entity_id)
            return rec.data if rec is not None and rec.ok else None
        key = (kind, entity_id)
        if key not in self._one:
            try:
                rec = self.program.read(kind, entity_id)
            except UsageError:
                rec = None
            self._one[key] = rec.data if rec is not None and rec.ok else None
        return self._one[key]

    def all(self, kind: str) -> dict[str, dict]:
        if kind not in self._all:
            recs = self.records[kind] if self.records is not None else self.program.load(kind)
            out = {i: r.data for i, r in recs.items() if r.ok}
            for (k, entity_id), data in self._overrides.items():
                if k == kind:
                    if data is None:
                        out.pop(entity_id, None)
                    else:
                        out[entity_id] = data
            self._all[kind] = out
        return self._all[kind]

    def participant(self, entity_id: str) -> Participant | None:
        data = self.get("participant", entity_id)
        return _model(Participant, data)

    def rules(self) -> PairRules:
        """The pairing rules over everyone: built once, as every open pair asks for them."""
        if self._rules is None:
            from rmtui.core.ruledata import pair_rules

            people = {i: from_dict(Participant, d) for i, d in self.all("participant").items()}
            pairs = [from_dict(Pair, d) for d in self.all("pair").values()]
            self._rules = pair_rules(self.program.root, self.settings, people, pairs,
                                     as_of=self.today, org=self.org_chart())
        return self._rules

    def org_chart(self):
        """The org chart file, read once (its problems are reported by ``validate``)."""
        if self._org is None:
            from rmtui.core.ruledata import read_org_chart

            self._org = read_org_chart(self.program.root, self.settings)
        return self._org


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


def _global_findings(index: Index) -> Iterator[tuple[str, str, Finding]]:
    """``(kind, id, finding)`` for problems that only show across many files."""
    people = index.all("participant")
    for key, rule, severity in (("employee_id", "duplicate-employee-id", ERROR),
                                ("email", "duplicate-email", WARNING)):
        owners: dict[str, list[str]] = defaultdict(list)
        for pid, data in people.items():
            if isinstance(data.get(key), str):
                owners[data[key].strip().casefold()].append(pid)
        for ids in owners.values():
            if len(ids) > 1:
                for pid in ids:
                    others = ", ".join(i for i in ids if i != pid)
                    yield "participant", pid, Finding(
                        rule, f"{key} {people[pid][key]!r} is also used by {others}", (key,),
                        f"each person has their own {key}", severity)
    pairs = index.all("pair")
    rules = index.rules()
    models = [m for m in (_model(Pair, d) for d in pairs.values()) if m is not None]
    for mentor_id, (n, cap, mine) in sorted(rules.over_capacity(models).items()):
        for p in mine[cap:]:
            yield "pair", p.id, _err("rule-capacity", f"{mentor_id} mentors {n} pairs but has "
                                     f"capacity {cap}", ("mentor",),
                                     f"end or pause a pair, or raise {mentor_id}'s capacity")
    open_by_mentee: dict[str, list[str]] = defaultdict(list)
    for p in models:
        if p.status in Pair.COMMITTED:
            open_by_mentee[p.mentee].append(p.id)
    for mentee, ids in sorted(open_by_mentee.items()):
        if len(ids) > 1:
            for pid in ids:
                yield "pair", pid, _warn("mentee-pairs", f"{mentee} is in {len(ids)} open pairs: "
                                         + ", ".join(ids), ("mentee",))


# --------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------


def _stray(rel: str) -> Diagnostic:
    """Why a file in an entity folder is not read, and what to do."""
    from rmtui.core import ids
    from rmtui.core.kinds import of_path

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
            try:
                text = self.program.abspath(relpath).read_bytes().decode("utf-8", "replace")
            except OSError:
                text = ""
            self.nodes[relpath] = yamlio.compose(text.lstrip("\ufeff"))
        line, col = yamlio.locate(self.nodes[relpath], list(f.path)) or (None, None)
        return Diagnostic(relpath, line, col, f.severity, f.rule, f.message, f.hint)


def validate(program: Program, today: dt.date | None = None) -> Report:
    """Check the whole program; every problem, located, sorted."""
    report = Report()
    s = program.settings_unchecked
    report.diagnostics.extend(s.diagnostics)
    records = program.load_all()
    index = Index(program, records, settings=s, today=today)
    locate = _Locator(program)
    report.diagnostics.extend(_stray(rel) for rel in program.stray_files())
    for kind_name, recs in records.items():
        kind = KINDS[kind_name]
        declared: dict[str, list[str]] = defaultdict(list)
        for entity_id, rec in recs.items():
            report.files += 1
            report.diagnostics.extend(rec.diagnostics)
            if rec.data is None:
                continue
            own = kind.id_for(rec.data)
            if own is not None and kind.name != "session":
                declared[own].append(rec.path)
            if not rec.ok:
                continue
            for f in entity_findings(kind, entity_id, rec.data, index):
                report.diagnostics.append(locate(rec.path, f))
        for own, paths in declared.items():
            if len(paths) > 1:
                for p in paths:
                    others = ", ".join(x for x in paths if x != p)
                    report.diagnostics.append(locate(p, _err(
                        "duplicate-id", f"{kind.name} id {own!r} is also declared in {others}",
                        (kind.key[-1],), "each file holds its own id, the same as its file name")))
    if s.ok:
        report.diagnostics.extend(index.org_chart().diagnostics)
        for kind_name, entity_id, f in _global_findings(index):
            rec = records[kind_name][entity_id]
            report.diagnostics.append(locate(rec.path, f))
    report.diagnostics.sort(key=diag.sort_key)
    return report


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
    batch rather than once per entity: an import of thousands of people
    costs about as much as one ``validate``.
    """
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
    index = index or Index(program)
    for entity_id, data in valid.items():
        index.override(kind.name, entity_id, data)
    for entity_id, data in valid.items():
        out[entity_id].extend(entity_findings(kind, entity_id, data, index))
    if kind.name in ("pair", "participant"):
        for k, i, f in _global_findings(index):
            if k == kind.name and i in valid:
                out[i].append(f)
    if kind.name == "participant":
        for person, found in _effect_on_pairs(set(valid), index).items():
            out[person].extend(found)
    return out


def _effect_on_pairs(people: set[str], index: Index) -> dict[str, list[Finding]]:
    """Open pairs a change to these participants breaks, as warnings for each of them.

    People get promoted and move departments; the change is still recorded,
    and the owner learns which pairs to look at.
    """
    pairs = index.all("pair")
    mine: dict[str, list[str]] = defaultdict(list)  # pair -> the changed people in it
    for pid, d in pairs.items():
        if d.get("status") in Pair.OPEN:
            for side in ("mentor", "mentee"):
                if d.get(side) in people:
                    mine[pid].append(d[side])
    out: dict[str, list[Finding]] = defaultdict(list)
    if not mine:
        return out
    for pid in sorted(mine):
        for f in _check_pair(pid, pairs[pid], index):
            if f.severity == ERROR and f.rule.startswith("rule-"):
                for person in mine[pid]:
                    out[person].append(_warn(f.rule, f"pair {pid} now breaks a rule: {f.message}",
                                             (), f"end or change pair {pid}"))
    for k, pid, f in _global_findings(index):
        if k == "pair" and pid in mine and f.severity == ERROR:
            for person in mine[pid]:
                out[person].append(_warn(f.rule, f"pair {pid}: {f.message}", (), f.hint))
    return out
