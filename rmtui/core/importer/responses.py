"""Survey answers from Microsoft Forms, Google Forms and Qualtrics exports.

The file is read like an HR export (:func:`~rmtui.core.importer.table.read_table`:
byte-order marks, encodings, delimiters, padded cells), and a mapping of the
same TOML shape says which column finds the person, which one holds the day
the answers came in, and which one holds each answer::

    [source]
    format = "qualtrics"          # csv, microsoft-forms, google-forms or qualtrics
    key = "email"                 # how a row finds its participant: email, employee_id or id

    [fields.participant]
    column = "RecipientEmail"

    [fields.submitted]
    column = "EndDate"            # a cell starting YYYY-MM-DD, or say date = "%m/%d/%Y %H:%M:%S"

    [fields.answers.nps]          # one table per question id of the survey
    column = "Q1"

    [fields.answers.learned]
    column = "Q2"
    map = { "Strongly disagree" = 1, "Disagree" = 2, "Neither agree nor disagree" = 3,
            "Agree" = 4, "Strongly agree" = 5 }

Each field takes the settings of a participants mapping (``column``,
``template``, ``value``, ``transform``, ``map``, ``unmapped``, ``default``,
``date``). Qualtrics writes two more header rows under the first (the
question texts, then ``{"ImportId": ...}``): they are skipped with format
"qualtrics", or whenever the rows under the header hold ImportIds.

:func:`plan_responses` works out, row by row, whose answers these are and
what they become: a new response, a ``sent`` stub filled in, or nothing
(already answered). The whole file is checked first; one bad row stops the
import, naming its row and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmtui.core import diagnostics as diag
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import DataError, UsageError
from rmtui.core.importer.mapping import (
    CellError,
    Compiled,
    FieldSpec,
    Mapping,
    _Problems,
    parse_spec,
    read_toml,
)
from rmtui.core.importer.table import Row, Table, header_key, read_table
from rmtui.core.kinds import KINDS
from rmtui.core.store import Program
from rmtui.core.yamlio import is_iso_date

FORMATS = ("csv", "microsoft-forms", "google-forms", "qualtrics")
KEYS = ("email", "employee_id", "id")
RESPONSE = KINDS["response"]
_NOT_FOR_RESPONSES = ("lookup", "from_age", "type", "only_new", "split")
_RANGES = {"likert": (1, 5), "nps": (0, 10)}
LIKERT_LABELS = {"Strongly disagree": 1, "Disagree": 2, "Neither agree nor disagree": 3,
                 "Agree": 4, "Strongly agree": 5}
_LIKERT_OTHER = {"Neutral": 3, "Somewhat disagree": 2, "Somewhat agree": 4}

ABOUT = [
    "[fields.participant] is the column that finds each person (by [source] key:",
    "email, employee_id or id); [fields.submitted] the day the answers came in; one",
    "[fields.answers.QUESTION] per question id of the survey. Each takes a column, then",
    "map (answer texts to numbers), default, date as in a participants mapping. See",
    "`rmtui response import --help` and README's 'Surveys'.",
]


# --------------------------------------------------------------------------
# Reading the export
# --------------------------------------------------------------------------


def _is_import_ids(row: Row) -> bool:
    return any(c.startswith('{"ImportId"') or c.startswith("{'ImportId'") for c in row.cells)


def read_export(path: Path | str, *, fmt: str | None = None, encoding: str | None = None,
                delimiter: str | None = None) -> tuple[Table, str, dict[str, str]]:
    """The export as a table of answer rows, the tool that wrote it, and (Qualtrics)
    each column's question text."""
    table = read_table(path, encoding=encoding, delimiter=delimiter)
    texts: dict[str, str] = {}
    found = detect(table) if fmt is None else fmt
    if found == "qualtrics" or (table.rows[1:2] and _is_import_ids(table.rows[1])):
        if len(table.rows) >= 2 and _is_import_ids(table.rows[1]):
            texts = dict(zip(table.header, table.rows[0].cells, strict=True))
            # answers are numbered from the first row under the three header rows
            table.rows = [Row(r.line, r.number - 2, r.cells) for r in table.rows[2:]]
        found = "qualtrics"
    return table, found, texts


def detect(table: Table) -> str:
    """Which tool wrote the export, from its header (csv when none is recognised)."""
    keys = {header_key(h) for h in table.header}
    if "responseid" in keys or (table.rows[1:2] and _is_import_ids(table.rows[1])):
        return "qualtrics"
    if {"starttime", "completiontime"} <= keys:
        return "microsoft-forms"
    if "timestamp" in keys:
        return "google-forms"
    return "csv"


# --------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------


def load_response_mapping(path: Path | str, survey: dict) -> Mapping:
    """Read and check a responses mapping for ``survey``; every problem at once."""
    doc, text, path = read_toml(path)
    return response_mapping_from(doc, path, survey, text)


def response_mapping_from(doc: dict, path: Path, survey: dict, text: str = "") -> Mapping:
    problems = _Problems(path, text)
    mapping = Mapping(path=path, key="email", format="csv")
    questions = {q["id"]: q for q in survey.get("questions") or []}
    for key in doc:
        if key not in ("source", "fields"):
            problems.add(None, f"unknown table [{key}]", "a mapping has [source] and [fields.*]")
    source = doc.get("source", {})
    for key, value in (source.items() if isinstance(source, dict) else []):
        if key == "key" and value in KEYS:
            mapping.key = value
        elif key == "format" and value in FORMATS:
            mapping.format = value
        elif key == "encoding" and isinstance(value, str):
            mapping.encoding = value
        elif key == "delimiter" and isinstance(value, str):
            mapping.delimiter = "\t" if value in ("tab", "\\t") else value
        elif key in ("key", "format"):
            allowed = KEYS if key == "key" else FORMATS
            problems.add(None, f"[source] {key} = {value!r} is not one of: {', '.join(allowed)}")
        else:
            problems.add(None, f"[source] has an unknown or wrong setting {key!r}",
                         "it may hold key, format, encoding and delimiter (text)")
    fields = doc.get("fields", {})
    for name, spec in (fields.items() if isinstance(fields, dict) else []):
        if name == "answers" and isinstance(spec, dict):
            for qid, inner in spec.items():
                target = f"answers.{qid}"
                if qid not in questions:
                    problems.add(target, f"survey {survey['id']!r} has no question {qid!r}",
                                 "its questions are: " + ", ".join(questions))
                elif isinstance(inner, dict):
                    _add(mapping, problems, target, inner)
                else:
                    problems.add(target, "must be a table such as { column = \"Q1\" }")
        elif name in ("participant", "submitted"):
            if isinstance(spec, dict):
                _add(mapping, problems, name, spec)
            else:
                problems.add(name, "must be a table such as { column = \"Email\" }")
        else:
            problems.add(name, f"a responses mapping has no field {name!r}",
                         "its fields are participant, submitted and answers.<question id>")
    if not problems.found:
        if "participant" not in mapping.fields:
            problems.add(None, "the mapping does not say which column finds the participant",
                         f"add [fields.participant] with the column of each person's "
                         f"{mapping.key}")
        elif not any(t.startswith("answers.") for t in mapping.fields):
            problems.add(None, "the mapping maps no answers",
                         "add a [fields.answers.QUESTION] table per question id: "
                         + ", ".join(questions))
    if problems.found:
        raise DataError(f"{path.name} is not a usable responses mapping",
                        diagnostics=problems.found)
    return mapping


def _add(mapping: Mapping, problems: _Problems, target: str, raw: dict) -> None:
    spec = parse_spec(problems, target, raw)
    for key in _NOT_FOR_RESPONSES:
        if key in raw:
            problems.add(target, f"{key} is a setting of participant mappings only")
    mapping.fields[target] = spec


class _Compiled(Compiled):
    """The mapping bound to the export's columns, typing values by the survey's questions."""

    def __init__(self, mapping: Mapping, table: Table, survey: dict) -> None:
        self.questions = {q["id"]: q for q in survey.get("questions") or []}
        super().__init__(mapping, table)

    def kind_of(self, target: str) -> tuple[str, str | None, list | None]:
        if target == "submitted":
            return "date", None, None
        if target.startswith("answers."):
            q = self.questions[target.split(".", 1)[1]]
            if q.get("type") in _RANGES:
                return "integer", None, None
            if q.get("type") == "choice":
                return "enum", None, q.get("choices")
        return "string", None, None

    def date(self, spec: FieldSpec, value: Any) -> str:
        text = str(value).strip()
        if not spec.date and is_iso_date(text[:10]) and text[10:11] in ("", " ", "T"):
            return text[:10]  # Qualtrics: 2027-01-15 10:32:11
        return super().date(spec, value)


# --------------------------------------------------------------------------
# Proposing a mapping
# --------------------------------------------------------------------------

_KEY_COLUMNS = {
    "email": ("email", "emailaddress", "recipientemail", "respondentemail", "workemail",
              "username"),
    "employee_id": ("employeeid", "employeenumber", "externalreference", "externaldatareference"),
    "id": ("participant", "participantid", "rmtuiid"),
}
_SUBMITTED_COLUMNS = ("completiontime", "timestamp", "enddate", "recordeddate", "submitted",
                      "submittedat", "date")
_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M",
                 "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S",
                 "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")


def propose_response_mapping(table: Table, survey: dict, fmt: str,
                             texts: dict[str, str] | None = None) -> Mapping:
    """A first mapping guessed from the header: the person's column, the date column,
    and each question by its id or its text (Forms use the question text as the
    header; Qualtrics puts it on the row under the header)."""
    mapping = Mapping(key="email", format=fmt)
    columns = {header_key(h): h for h in table.header if h}
    for key, names in _KEY_COLUMNS.items():
        hit = next((columns[n] for n in names if n in columns), None)
        if hit is not None:
            mapping.key = key
            mapping.fields["participant"] = FieldSpec("participant", column=hit)
            break
    else:
        mapping.notes.append("No column looks like an e-mail address, an employee id or a "
                             "participant id: set [fields.participant] and [source] key.")
    when = next((columns[n] for n in _SUBMITTED_COLUMNS if n in columns), None)
    if when is not None:
        spec = FieldSpec("submitted", column=when)
        index = table.header.index(when)
        cells = [r.cells[index] for r in table.rows if r.cells[index]]
        if cells and not all(is_iso_date(c[:10]) for c in cells):
            formats = [f for f in _DATE_FORMATS if all(_parses(c, f) for c in cells)]
            if formats:
                spec.date = (formats[0],)
                if len(formats) > 1 and formats[0][:5] != formats[1][:5]:
                    spec.note = (f"the dates read as {formats[0]} or as {formats[1]}: check "
                                 "which one the export uses")
            else:
                spec.note = f"the dates are not in a known format (such as {cells[0]!r}): " \
                            "give date = \"...\" with strptime codes"
        mapping.fields["submitted"] = spec
    by_text = {header_key(t): h for h, t in (texts or {}).items() if t}
    unmatched = []
    for q in survey.get("questions") or []:
        keys = (header_key(q["id"]), header_key(q.get("text", "")))
        hit = next((columns[k] for k in keys if k in columns), None) or \
            next((by_text[k] for k in keys if k in by_text), None)
        if hit is None:
            unmatched.append(q["id"])
            continue
        spec = FieldSpec(f"answers.{q['id']}", column=hit)
        if q.get("type") == "likert":
            index = table.header.index(hit)
            values = {r.cells[index] for r in table.rows if r.cells[index]}
            if values and not all(v.isdigit() for v in values):
                labels = {**LIKERT_LABELS, **_LIKERT_OTHER}
                spec.map = {k: v for k, v in labels.items()
                            if k in values or k in LIKERT_LABELS}
                unknown = sorted(v for v in values if v not in labels)
                if unknown:
                    spec.note = "answers the map does not know yet: " + ", ".join(
                        repr(v) for v in unknown[:8])
        mapping.fields[spec.target] = spec
    if unmatched:
        mapping.notes.append("No column was found for question(s) " + ", ".join(unmatched)
                             + ": add [fields.answers.ID] with its column, or leave them out.")
    return mapping


def _parses(text: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


@dataclass
class Answered:
    """One person's answers from one row, and what becomes of them."""

    participant: str
    row: Row
    answers: dict[str, Any]
    submitted: str
    action: str                     # add, fill, unchanged, kept


@dataclass
class ResponsePlan:
    survey: str
    table: Table
    mapping: Mapping
    format: str
    items: list[Answered] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[Answered]:
        return [a for a in self.items if a.action == action]

    @property
    def has_changes(self) -> bool:
        return any(a.action in ("add", "fill") for a in self.items)

    def counts(self) -> str:
        parts = [(len(self.of("add")), "added"), (len(self.of("fill")), "filled in"),
                 (len(self.of("unchanged")), "unchanged"),
                 (len(self.of("kept")), "already answered, kept")]
        return ", ".join(f"{n} {what}" for n, what in parts if n) or "no rows"

    def message(self) -> str:
        n = len(self.of("add")) + len(self.of("fill"))
        return (f"response: import {n} answer{'s' if n != 1 else ''} to {self.survey} "
                f"from {self.table.name} ({self.counts()})")

    def to_dict(self) -> dict:
        return {"survey": self.survey, "file": self.table.name, "format": self.format,
                "items": [{"participant": a.participant, "row": a.row.number,
                           "action": a.action, "submitted": a.submitted,
                           "answers": a.answers} for a in self.items],
                "warnings": self.warnings}


def plan_responses(program: Program, survey: dict, table: Table, mapping: Mapping, *,
                   fmt: str = "csv", skip_unknown: bool = False) -> ResponsePlan:
    """What importing the rows would do; refuses the whole file when a row is wrong."""
    from rmtui.core import clock
    from rmtui.core.validate import Index, check_entity

    compiled = _Compiled(mapping, table, survey)
    plan = ResponsePlan(survey["id"], table, mapping, fmt)
    people = program.data("participant")
    find = _finder(people, mapping.key)
    today = clock.today().isoformat()
    problems: list[Diagnostic] = []
    unknown: list[str] = []
    chosen: dict[str, Answered] = {}
    for row in table.rows:
        try:
            key = compiled.value(mapping.fields["participant"], row)
        except CellError as exc:
            problems.append(_at(table, row, "participant", exc.message, exc.hint))
            continue
        if key is None:
            problems.append(_at(table, row, "participant", f"no {mapping.key} to find the "
                                "person by", "fill the cell, or remove the row"))
            continue
        pid = find(str(key))
        if pid is None:
            if skip_unknown:
                unknown.append(f"{row.where()} ({key})")
                continue
            problems.append(_at(table, row, "participant", f"no participant has "
                                f"{mapping.key} {key!r}", "check the value, or pass "
                                "--skip-unknown to leave out rows of people not in the program"))
            continue
        answers: dict[str, Any] = {}
        submitted = today
        bad = False
        for target, spec in mapping.fields.items():
            if target == "participant":
                continue
            try:
                value = compiled.value(spec, row)
            except CellError as exc:
                problems.append(_at(table, row, target, exc.message, exc.hint, spec.column))
                bad = True
                continue
            if value is None:
                continue
            if target == "submitted":
                submitted = value
                continue
            qid = target.split(".", 1)[1]
            qtype = compiled.questions[qid].get("type")
            if qtype in _RANGES and not _RANGES[qtype][0] <= value <= _RANGES[qtype][1]:
                lo, hi = _RANGES[qtype]
                problems.append(_at(table, row, target, f"{value} is not a {qtype} answer "
                                    f"(a whole number from {lo} to {hi})", None, spec.column))
                bad = True
                continue
            answers[qid] = value
        if bad:
            continue
        item = Answered(pid, row, answers, submitted, "add")
        earlier = chosen.get(pid)
        if earlier is not None:
            later, other = (item, earlier) if item.submitted >= earlier.submitted else (earlier,
                                                                                        item)
            plan.warnings.append(f"{pid} answered twice ({other.row.where()} and "
                                 f"{later.row.where()}): the later answers are imported")
            item = later
        chosen[pid] = item
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more"
                                            if len(unknown) > 10 else "")
        plan.warnings.append(f"{len(unknown)} row(s) of people not in the program were left "
                             f"out: {shown}")
    index = Index(program)
    for pid, item in sorted(chosen.items()):
        entity_id = f"{survey['id']}/{pid}"
        existing = index.get("response", entity_id)
        if existing is not None and existing.get("status", "submitted") == "submitted":
            same = (existing.get("answers") or {}) == item.answers and \
                existing.get("submitted") == item.submitted
            item.action = "unchanged" if same else "kept"
            if not same:
                plan.warnings.append(f"{pid} has already answered {survey['id']}: their response "
                                     f"was kept as it is ({item.row.where()} left out; `rmtui "
                                     f"response edit {entity_id}` changes it)")
        else:
            item.action = "fill" if existing is not None else "add"
            data = {**(existing or {"survey": survey["id"], "participant": pid}),
                    "status": "submitted", "submitted": item.submitted}
            if item.answers:
                data["answers"] = {**(data.get("answers") or {}), **item.answers}
            for f in check_entity(program, RESPONSE, entity_id, data, index):
                if f.severity == "error":
                    problems.append(_at(table, item.row, "answers", f.message, f.hint))
        plan.items.append(item)
    if problems:
        raise DataError(f"{table.name} has {len(problems)} problem"
                        f"{'s' if len(problems) != 1 else ''}: nothing was imported",
                        diagnostics=problems[:25])
    return plan


def _finder(people: dict[str, dict], key: str):
    if key == "id":
        return lambda value: value if value in people else None
    index: dict[str, str] = {}
    for pid, person in people.items():
        value = person.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            index[str(value).strip().casefold()] = pid
    return lambda value: index.get(value.strip().casefold())


def _at(table: Table, row: Row, target: str, message: str, hint: str | None,
        column: str | None = None) -> Diagnostic:
    where = f" (column {column!r})" if column else ""
    return diag.error(str(table.path), "import-response",
                      f"{row.where()}: {target}{where}: {message}", hint, row.line)


def check_format(fmt: str | None) -> str | None:
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    return fmt
