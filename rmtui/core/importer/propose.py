"""A first mapping for an export nobody has mapped yet, guessed from its header and rows.

Header names are compared without case, spaces or punctuation
(``Employee_Name``, ``Full Name`` and ``EMPLOYEE NAME`` are one name). The
rows fill in what a header cannot say: whether names are written
``Last, First``, which date format the dates use, whether a manager column
holds employee numbers or a numbering of its own, and which values of an
employment status mean that the person has left. What the proposal is unsure
of is said in comments in the mapping; columns it leaves out are listed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from rmtui.core import clock
from rmtui.core.importer.mapping import FieldSpec, Mapping
from rmtui.core.importer.table import Table, header_key

# participant field -> header names, best first (compared by header_key)
GUESSES: dict[str, tuple[str, ...]] = {
    "employee_id": ("employeeid", "empid", "employeenumber", "employeeno", "empno", "empnumber",
                    "employeecode", "personnelnumber", "personnelno", "staffid", "staffnumber",
                    "workerid", "personid", "personnumber", "badgeid", "badgenumber"),
    "name": ("employeename", "fullname", "name", "displayname", "preferredname", "legalname",
             "empname", "workername", "personname"),
    "email": ("email", "emailaddress", "workemail", "businessemail", "workemailaddress", "mail",
              "emailid"),
    "manager_id": ("managerid", "manageremployeeid", "managerempid", "managernumber",
                   "manageremployeenumber", "supervisorid", "supervisoremployeeid",
                   "linemanagerid", "reportstoid", "reportsto"),
    "department": ("department", "dept", "departmentname", "businessunit", "division",
                   "orgunit", "organisation", "organization"),
    "title": ("position", "jobtitle", "title", "jobrole", "businesstitle", "designation",
              "positiontitle", "jobname", "job"),
    "grade": ("joblevel", "grade", "level", "jobgrade", "paygrade", "band", "careerlevel",
              "positionlevel"),
    "location": ("location", "worklocation", "office", "site", "city", "state", "country"),
    "timezone": ("timezone", "tz", "timezonename"),
    "languages": ("languages", "language", "spokenlanguages"),
    "skills": ("skills", "skill", "expertise"),
    "learning_topics": ("learningtopics", "learninggoals", "learninginterests", "topics"),
    "interests": ("interests", "hobbies"),
    "hired": ("dateofhire", "hiredate", "hiredon", "originalhiredate", "startdate",
              "dateofjoining", "joiningdate", "employmentstartdate"),
    "birth_date": ("dob", "dateofbirth", "birthdate", "birthday"),
    "birth_year": ("birthyear", "yearofbirth", "age"),
    "gender": ("gender", "sex"),
    "ethnicity": ("ethnicity", "racedesc", "race", "ethnicgroup", "raceethnicity"),
    "status": ("employmentstatus", "employeestatus", "workerstatus", "status", "attrition"),
    "role": ("programrole", "mentoringrole", "mentorrole", "mentorormentee", "role"),
}
_MANAGER_NAMES = ("managername", "manager", "supervisorname", "supervisor", "linemanager",
                  "linemanagername", "reportstoname")
_FIRST = ("firstname", "givenname", "forename", "preferredfirstname")
_LAST = ("lastname", "surname", "familyname")
_MIDDLE = ("middlename", "middleinitial", "mi")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y",
                 "%d.%m.%y", "%Y/%m/%d", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%d %b %Y")
_LEFT_WORDS = re.compile(r"term|left|leav|resign|retir|inactive|former|separat|exit|dismiss|"
                         r"deceased|^yes$|^y$|^true$", re.IGNORECASE)
_SAMPLE = 500


@dataclass
class _Seen:
    """What the proposal has found so far: the table, the mapping, the columns taken."""

    table: Table
    mapping: Mapping
    found: dict[str, int]      # participant field -> column index
    used: set[int]             # columns mapped


def _values(table: Table, index: int) -> list[str]:
    return [r.cells[index] for r in table.rows[:_SAMPLE] if r.cells[index]]


def _find(table: Table, names: tuple[str, ...], used: set[int]) -> int | None:
    keys = {header_key(h): i for i, h in reversed(list(enumerate(table.header))) if h}
    for name in names:
        i = keys.get(name)
        if i is not None and i not in used:
            return i
    return None


def _date_formats(values: list[str]) -> tuple[str, ...]:
    """The formats that read every sample value; US before European when both do."""
    fitting = []
    for fmt in _DATE_FORMATS:
        try:
            for v in values:
                dt.datetime.strptime(v, fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    return tuple(fitting)


def _integers(values: list[str]) -> bool:
    return bool(values) and all(re.fullmatch(r"-?\d+", v) for v in values)


def propose(table: Table, *, key: str = "employee_id") -> Mapping:
    """A mapping for ``table``, with notes on what to check."""
    mapping = Mapping(key=key)
    used: set[int] = set()
    found: dict[str, int] = {}
    for target, names in GUESSES.items():
        i = _find(table, names, used)
        if i is None:
            continue
        if target == "role":
            values = {v.casefold() for v in _values(table, i)}
            if not values or not values <= {"mentor", "mentee", ""}:
                continue
        if target == "birth_year" and header_key(table.header[i]) == "age" \
                and "birth_date" in found:
            continue
        found[target] = i
        used.add(i)
    if mapping.key not in found:
        mapping.notes.append(f"No column looks like the {mapping.key.replace('_', ' ')}: add "
                             f"[fields.{mapping.key}] with the column that identifies each "
                             "person, so that the next import finds them again.")
    _name(table, mapping, found, used)
    for target in GUESSES:
        if target == "name" or target not in found:
            continue
        i = found[target]
        column = table.header[i]
        spec = FieldSpec(target, column=column)
        values = _values(table, i)
        handler = _SHAPERS.get(target)
        if handler is not None:
            shaped = handler(_Seen(table, mapping, found, used), spec, values)
            if shaped is None:
                continue
            spec = shaped
        mapping.fields[target] = spec
    _role(table, mapping, found)
    left_out = [h for i, h in enumerate(table.header) if h and i not in used]
    if left_out:
        mapping.notes.append("Columns not mapped (add a [fields.attributes.NAME] table for any "
                             "you want to keep): " + ", ".join(left_out))
    order = ["employee_id", "name", *[t for t in GUESSES if t not in ("employee_id", "name")]]
    mapping.fields = {t: mapping.fields[t] for t in order if t in mapping.fields}
    return mapping


def _name(table: Table, mapping: Mapping, found: dict[str, int], used: set[int]) -> None:
    if "name" in found:
        i = found["name"]
        values = _values(table, i)
        spec = FieldSpec("name", column=table.header[i])
        if values and sum("," in v for v in values) >= len(values) / 2:
            spec.transform = "last-first"
            spec.note = (f"Names in {table.header[i]!r} are written \"Last, First\": "
                         "last-first turns them round.")
        mapping.fields["name"] = spec
        return
    first, last = _find(table, _FIRST, used), _find(table, _LAST, used)
    if first is not None and last is not None:
        middle = _find(table, _MIDDLE, used | {first, last})
        parts = [table.header[first]] + ([table.header[middle]] if middle is not None else []) \
            + [table.header[last]]
        used.update(i for i in (first, middle, last) if i is not None)
        mapping.fields["name"] = FieldSpec("name", template=" ".join(f"{{{p}}}" for p in parts))
        return
    key = found.get(mapping.key)
    if key is not None:
        mapping.fields["name"] = FieldSpec(
            "name", template=f"Employee {{{table.header[key]}}}",
            note="The file has no names: each person is named after their employee number. "
                 "Put real names in later with `rmtui participant edit`; the import leaves a "
                 "name alone only if you remove this table.")
    else:
        mapping.notes.append("No column holds names: add [fields.name] with a column or a "
                             "template before importing.")


def _shape_key(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    counts = Counter(values)
    twice = [v for v, n in counts.items() if n > 1]
    if twice:
        spec.note = (f"Some values of {spec.column!r} appear more than once "
                     f"({', '.join(twice[:5])}): every person needs their own.")
    return spec


def _shape_manager(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    key = seen.found.get(seen.mapping.key)
    names_at = _find(seen.table, _MANAGER_NAMES, seen.used)
    keys = {r.cells[key] for r in seen.table.rows} if key is not None else set()
    share = sum(v in keys for v in values) / len(values) if values else 1.0
    if share >= 0.5 or names_at is None:
        if share < 0.5 and values:
            spec.note = (f"Only {share:.0%} of {spec.column!r} are employee numbers of people in "
                         "this file: check that it really holds employee numbers.")
        return spec
    seen.used.add(names_at)
    seen.used.discard(seen.found["manager_id"])
    return FieldSpec("manager_id", column=seen.table.header[names_at], lookup="name",
                     note=f"{spec.column!r} is not an employee number of anyone in the file "
                          f"({_share(share)}), so managers are found by "
                          f"name: {seen.table.header[names_at]!r} is looked up among the people's "
                          "names. Names that are nobody's are kept as written, which still "
                          "tells who shares a manager.")


def _share(share: float) -> str:
    return "none of its values is" if share == 0 else f"only {share:.0%} of its values are"


def _shape_date(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    if not values:
        return spec
    formats = _date_formats(values)
    if not formats:
        spec.note = (f"The dates in {spec.column!r} are in a form rmtui did not recognise "
                     f"(such as {values[0]!r}): give it as date = \"...\" (strptime codes).")
        spec.date = ("%Y-%m-%d",)
        return spec
    spec.date = (formats[0],)
    if formats[0] != "%Y-%m-%d":
        spec.note = f"Dates in {spec.column!r} look like {values[0]!r}."
    if len(formats) > 1 and {"%m/%d/%Y", "%d/%m/%Y"} & set(formats[:2]) == \
            {"%m/%d/%Y", "%d/%m/%Y"} or {"%m/%d/%y", "%d/%m/%y"} <= set(formats[:2]):
        spec.note = (f"Every date in {spec.column!r} reads both as month/day and as "
                     f"day/month (such as {values[0]!r}): check which the HR system writes.")
    if any("%y" in f for f in spec.date):
        spec.note = (spec.note or "") + " Two-digit years are taken to be in the past."
    return spec


def _shape_birth_year(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    if header_key(spec.column or "") != "age":
        return spec
    year = clock.today().year
    spec.from_age = year
    spec.note = (f"{spec.column!r} holds ages: birth_year is worked out as from_age - age. Set "
                 "from_age to the year the file was exported, so that importing the same file "
                 "again later changes nothing.")
    return spec


def _shape_gender(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    distinct = {v.upper() for v in values}
    if distinct and distinct <= {"M", "F", "X", "U", "O"}:
        spec.map = {k: v for k, v in (("M", "male"), ("F", "female"), ("X", "non-binary"))
                    if k in distinct}
        spec.unmapped = "keep"
    return spec


def _shape_grade(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    if _integers(values):
        return spec
    distinct = sorted(set(values))
    numbers = {v: re.search(r"\d+", v) for v in distinct}
    if distinct and all(numbers.values()) and len(distinct) <= 50:
        spec.map = {v: int(m.group()) for v, m in numbers.items() if m}
        spec.note = f"Grades are the numbers in the values of {spec.column!r}: check them."
        return spec
    seen.mapping.notes.append(f"{spec.column!r} looks like a grade but is not a number: map its "
                         "values onto whole numbers (higher = more senior) in [fields.grade].")
    return None


def _shape_list(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    for sep in (";", "|", ","):
        if any(sep in v for v in values):
            spec.split = sep
            break
    return spec


def _shape_status(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    distinct = sorted(set(values))
    if not distinct or len(distinct) > 20:
        return None
    left = [v for v in distinct if _LEFT_WORDS.search(v)]
    if not left:
        return None
    spec.map = {v: ("left_company" if v in left else "") for v in distinct}
    spec.blank = "keep"
    spec.note = (f"{spec.column!r} says who has left: they are marked left_company. Other values "
                 "leave the status as it is (new people start as 'applied').")
    return spec


def _shape_role(seen: _Seen, spec: FieldSpec, values: list[str]) -> FieldSpec | None:
    spec.map = {"mentor": "mentor", "mentee": "mentee"}
    return spec


_SHAPERS = {
    "employee_id": _shape_key, "manager_id": _shape_manager, "hired": _shape_date,
    "birth_date": _shape_date, "birth_year": _shape_birth_year, "gender": _shape_gender,
    "grade": _shape_grade, "languages": _shape_list, "skills": _shape_list,
    "learning_topics": _shape_list, "interests": _shape_list, "status": _shape_status,
    "role": _shape_role,
}


def _role(table: Table, mapping: Mapping, found: dict[str, int]) -> None:
    """Who mentors: reverse mentoring pairs juniors (mentors) with seniors (mentees)."""
    if "role" in mapping.fields:
        return
    grade = mapping.fields.get("grade")
    if grade is None or grade.column is None or grade.map is not None:
        mapping.notes.append("No column says who is a mentor and who is a mentee: pass --role "
                             "mentor or --role mentee, or add [fields.role].")
        return
    levels = sorted({int(v) for v in _values(table, found["grade"]) if re.fullmatch(r"-?\d+", v)})
    if len(levels) < 2:
        mapping.notes.append("No column says who is a mentor: pass --role, or add [fields.role].")
        return
    cut = levels[(len(levels) - 1) // 2]
    mapping.fields["role"] = FieldSpec(
        "role", column=grade.column,
        map={str(v): ("mentor" if v <= cut else "mentee") for v in levels},
        note=f"In reverse mentoring the juniors mentor the seniors: {grade.column} {levels[0]} to "
             f"{cut} are proposed as mentors, the levels above as mentees. Move the cut-off "
             "to suit the program.")
