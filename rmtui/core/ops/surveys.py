"""Surveys: sending one (a response stub per participant) and recording answers.

``send`` writes ``responses/<survey>/<participant>.yaml`` with ``status: sent``
for everyone the survey is for, in one commit, and never touches a response
that is already there. ``respond`` fills a person's stub (or writes a new
response) with typed answers and ``status: submitted``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rmtui.core import clock, ids, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.ops.change import Outcome, change, ordered, outcome_of, refuse
from rmtui.core.ops.entities import Assignment, _apply, add, draft_edit, save_drafts
from rmtui.core.store import Program
from rmtui.core.validate import Index, check_entity

RESPONSE = KINDS["response"]
SURVEY = KINDS["survey"]
AUDIENCES = ("all", "mentors", "mentees")
IN_PROGRAM = ("accepted", "active")


def _day(on: str | None) -> str:
    day = on or clock.today().isoformat()
    if not yamlio.is_iso_date(day):
        raise UsageError(f"{day!r} is not a date", hint="write dates as YYYY-MM-DD")
    return day


def get_survey(program: Program, survey_id: str) -> dict:
    ids.check_id(survey_id, "survey id")
    if not program.exists(SURVEY, survey_id):
        raise UsageError(f"no survey {survey_id!r}", hint="`rmtui survey list` shows the surveys")
    return program.get(SURVEY, survey_id)


@dataclass(frozen=True)
class Recipients:
    """Who a survey goes to: the new stubs, and who already has a response."""

    new: list[str]
    already: list[str]


def recipients(program: Program, survey_id: str, *, to: str = "all",
               cohort: str | None = None, people: Iterable[str] | None = None) -> Recipients:
    """Participants in the program (status accepted or active) the survey is for.

    The survey's ``audience`` and ``to`` (mentors, mentees, all) both apply, and
    ``cohort`` keeps those of that cohort; ``people`` names them instead.
    """
    survey = get_survey(program, survey_id)
    if to not in AUDIENCES:
        raise UsageError(f"--to {to!r}: send to one of {', '.join(AUDIENCES)}")
    audience = survey.get("audience", "all")
    want = {"all": None, "mentors": "mentor", "mentees": "mentee"}[to]
    if audience != "all" and want is not None and want != audience:
        raise UsageError(f"survey {survey_id} is for {audience}s, not {to}",
                         hint="leave out --to, or change the survey's audience")
    # three fields of everyone, from a small cache (not every participant's whole file)
    everyone = {pid: v for pid, v in
                program.columns("participant", ("status", "role", "cohort")).items()
                if v is not None}
    if people is not None:
        chosen = []
        for pid in people:
            if pid not in everyone:
                raise UsageError(f"no participant {pid!r}",
                                 hint="`rmtui participant list` shows the participants")
            chosen.append(pid)
    else:
        chosen = [pid for pid, (status, role, their_cohort) in everyone.items()
                  if (status or "applied") in IN_PROGRAM
                  and (audience == "all" or role == audience)
                  and (want is None or role == want)
                  and (cohort is None or their_cohort == cohort)]
    new, already = [], []
    for pid in sorted(set(chosen)):
        (already if program.exists(RESPONSE, f"{survey_id}/{pid}") else new).append(pid)
    return Recipients(new, already)


def send(program: Program, survey_id: str, *, to: str = "all", cohort: str | None = None,
         people: Iterable[str] | None = None, on: str | None = None,
         commit: bool = True) -> Outcome:
    """A ``sent`` response stub for each recipient without a response yet, in one commit."""
    day = _day(on)
    who = recipients(program, survey_id, to=to, cohort=cohort, people=people)
    skipped = len(who.already)
    note = f"; {skipped} already had a response and were left as they are" if skipped else ""
    if not who.new:
        return Outcome(f"survey {survey_id}: no one to send it to{note}", changed=False)
    index = Index(program)
    files = []
    for pid in who.new:
        data = {"survey": survey_id, "participant": pid, "status": "sent", "sent": day}
        entity_id = f"{survey_id}/{pid}"
        refuse(f"response {entity_id}", check_entity(program, RESPONSE, entity_id, data, index))
        files.append((RESPONSE.path(entity_id), yamlio.dump(ordered(RESPONSE, data))))
    n = len(files)
    people_word = f"{n} participant{'s' if n != 1 else ''}"
    scope = f" ({to}" + (f", cohort {cohort}" if cohort else "") + ")" if to != "all" or cohort \
        else ""
    with change(program, f"survey: send {survey_id} to {people_word}{scope}", "survey.send",
                commit=commit) as ch:
        for rel, text in files:
            ch.create(rel, text)
    return outcome_of(ch, f"sent survey {survey_id} to {people_word}{note}")


def typed_answers(survey: dict, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as the survey's questions want them: likert and nps as whole numbers,
    choices and text as text. Unknown questions and bad values are usage errors."""
    questions = {q["id"]: q for q in survey.get("questions") or []}
    out: dict[str, Any] = {}
    for qid, raw in answers.items():
        q = questions.get(qid)
        if q is None:
            raise UsageError(f"survey {survey['id']!r} has no question {qid!r}",
                             hint="questions are: " + ", ".join(questions))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if q.get("type") in ("likert", "nps"):
            lo, hi = (1, 5) if q["type"] == "likert" else (0, 10)
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise UsageError(f"answer to {qid!r} is {raw!r}; a {q['type']} answer is a whole "
                                 f"number from {lo} to {hi}") from None
            if not lo <= value <= hi:
                raise UsageError(f"answer to {qid!r} is {value}; a {q['type']} answer is a whole "
                                 f"number from {lo} to {hi}")
            out[qid] = value
        else:
            out[qid] = str(raw).strip()
    return out


def respond(program: Program, survey_id: str, participant: str,
            answers: Mapping[str, Any] | None = None, *, on: str | None = None,
            fields: Mapping[str, Any] | None = None, commit: bool = True) -> Outcome:
    """Record a person's answers: fill their ``sent`` stub, or add a new response.

    ``answers`` are typed by the survey's questions (likert and nps as whole
    numbers); ``fields`` are other fields of the response as given (``status``,
    ``sent``, ``submitted``, ``answers``). A response with answers is submitted
    on ``on`` (default today) unless ``fields`` say otherwise. A response already
    submitted is left alone (change it with ``response edit``).
    """
    survey = get_survey(program, survey_id)
    ids.check_id(participant, "participant id")
    typed = typed_answers(survey, answers or {})
    given = dict(fields or {})
    merged = {**(given.pop("answers", None) or {}), **typed}
    entity_id = f"{survey_id}/{participant}"
    existing = program.get(RESPONSE, entity_id) if program.exists(RESPONSE, entity_id) else None
    if existing is not None and existing.get("status", "submitted") == "submitted":
        raise DataError(f"{participant} has already answered survey {survey_id}",
                        hint=f"change it with `rmtui response edit {entity_id}`")
    if given.get("status", "submitted") == "submitted" and (merged or existing is not None):
        given.setdefault("status", "submitted")
        given.setdefault("submitted", _day(on))
    if existing is None:
        data: dict[str, Any] = {"survey": survey_id, "participant": participant, **given}
        if merged:
            data["answers"] = merged
        return add(program, RESPONSE, data, commit=commit)

    draft = draft_edit(program, RESPONSE, entity_id, filler(given, merged))
    return save_drafts(program, [draft], f"response: {participant} answered {survey_id}",
                       "response.add", f"recorded {participant}'s answers to {survey_id}",
                       commit=commit)


def filler(fields: Mapping[str, Any], answers: Mapping[str, Any]):
    """The edit that fills a response stub: its fields set, its answers added."""
    def mutate(doc: Any) -> None:
        for key, value in fields.items():
            _apply(doc, Assignment(key, "set", value), RESPONSE)
        for qid, value in answers.items():
            _apply(doc, Assignment(f"answers.{qid}", "set", value), RESPONSE)
    return mutate


# --------------------------------------------------------------------------
# Who has answered what (read only)
# --------------------------------------------------------------------------

ANSWERED, PENDING, INVALID = "answered", "pending", "invalid"


@dataclass(frozen=True)
class Answer:
    """One person's response to a survey: answered (submitted), pending (sent, not yet
    answered) or invalid (the file cannot be read; Problems says why)."""

    participant: str
    status: str
    sent: str | None
    submitted: str | None


@dataclass(frozen=True)
class Tally:
    """A survey and the responses present for it."""

    survey: str
    title: str
    kind: str
    audience: str
    answers: list[Answer]

    def count(self, status: str) -> int:
        return sum(a.status == status for a in self.answers)

    @property
    def sent(self) -> int:
        """Responses present: everyone it was sent to (or who answered without a stub)."""
        return len(self.answers)

    @property
    def answered(self) -> int:
        return self.count(ANSWERED)

    @property
    def pending(self) -> int:
        return self.count(PENDING)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def tally(program: Program) -> list[Tally]:
    """Every survey with its responses, answered or pending, by survey id; responses
    in the folder of a survey that has no file are listed under that id too."""
    surveys = program.columns(SURVEY, ("title", "kind", "audience"))
    by_survey: dict[str, list[Answer]] = {sid: [] for sid in surveys}
    for rid, values in program.columns(RESPONSE, ("status", "sent", "submitted")).items():
        sid, pid = rid.split("/", 1)
        if values is None:
            answer = Answer(pid, INVALID, None, None)
        else:
            status, sent, submitted = values
            answer = Answer(pid, PENDING if status == "sent" else ANSWERED, _text(sent),
                            _text(submitted))
        by_survey.setdefault(sid, []).append(answer)
    out = []
    for sid in sorted(by_survey):
        answers = sorted(by_survey[sid], key=lambda a: a.participant)
        if sid not in surveys:
            title, kind, audience = "(no survey file: see Problems)", "", ""
        elif surveys[sid] is None:
            title, kind, audience = "(file invalid: see Problems)", "", ""
        else:
            title, kind, audience = surveys[sid]
            title, kind, audience = str(title or sid), str(kind or ""), str(audience or "all")
        out.append(Tally(sid, title, kind, audience, answers))
    return out
