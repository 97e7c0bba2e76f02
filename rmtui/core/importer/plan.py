"""The plan of an import: who is added, what changes field by field, who is missing.

Rows find their participant again by the mapping's key (``employee_id``),
so ids stay stable when names change. New people get ids made from their
names, with a numeric suffix on collision. Every row is turned into values
and every resulting participant is checked (schemas, then the cross-file
rules over the program as it would be) before anything is written: a plan
exists only for a file whose every row is valid.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rmtui.core import diagnostics as diag
from rmtui.core import ids, schemas, validate
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import DataError, UsageError
from rmtui.core.importer.mapping import KEEP, CellError, Compiled, FieldSpec, Mapping, name_key
from rmtui.core.importer.table import MAX_SHOWN, Row, Table
from rmtui.core.kinds import PARTICIPANT
from rmtui.core.store import Program

ROLES = ("mentor", "mentee", "from-column")
LEFT = "left_company"
REJOINED = "applied"


@dataclass(frozen=True)
class FieldChange:
    field: str        # dotted for attributes: attributes.team
    old: Any          # None: was not set
    new: Any          # None: unset


@dataclass
class Added:
    id: str
    row: Row
    data: dict


@dataclass
class Updated:
    id: str
    row: Row | None         # None for a person marked left because the file no longer has them
    before: dict
    after: dict
    changes: list[FieldChange]

    @property
    def left(self) -> bool:
        return self.row is None


@dataclass
class Missing:
    id: str
    key: str
    status: str
    marked: bool            # set to left_company by this import (--sync)


@dataclass
class Plan:
    table: Table
    mapping: Mapping
    sync: bool
    added: list[Added] = field(default_factory=list)
    updated: list[Updated] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[Updated]:
        return [u for u in self.updated if not u.left]

    @property
    def left(self) -> list[Updated]:
        return [u for u in self.updated if u.left]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.updated)

    def counts(self) -> str:
        parts = [f"{n} {what}" for n, what in ((len(self.added), "added"),
                                               (len(self.changed), "updated"),
                                               (len(self.left), "left")) if n]
        return ", ".join(parts) or "no change"

    def message(self) -> str:
        rows, name = len(self.table.rows), self.table.name
        return f"participant: import {rows} from {name} ({self.counts()})"

    def to_dict(self) -> dict:
        key = self.mapping.key
        return {
            "file": self.table.name,
            "rows": len(self.table.rows),
            "encoding": self.table.encoding,
            "delimiter": self.table.delimiter,
            "sync": self.sync,
            "added": [{"id": a.id, "row": a.row.number, "line": a.row.line, key: a.data.get(key),
                       "name": a.data.get("name"), "data": a.data} for a in self.added],
            "updated": [{"id": u.id, "row": u.row.number, "line": u.row.line,
                         key: u.after.get(key),
                         "changes": [{"field": c.field, "old": c.old, "new": c.new}
                                     for c in u.changes]} for u in self.changed],
            "unchanged": self.unchanged,
            "missing": [{"id": m.id, key: m.key, "status": m.status,
                         "marked_left": m.marked} for m in self.missing],
            "notes": self.notes,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------
# Making the plan
# --------------------------------------------------------------------------


def make_plan(program: Program, table: Table, mapping: Mapping, *, role: str | None = None,
              sync: bool = False) -> Plan:
    """What importing ``table`` with ``mapping`` would change; raises if any row is wrong."""
    for needed, what in ((mapping.key, "the key that finds each person again"),
                         ("name", "everyone's name")):
        if needed not in mapping.fields:
            raise DataError(f"the mapping does not say where {needed} comes from ({what}); "
                            "nothing was imported",
                            hint=f"add [fields.{needed}] to the mapping, with the column "
                                 "that holds it")
    mapping = _with_role(mapping, role)
    if sync and not table.rows:
        raise DataError(f"{table.name} has no rows: with --sync, everyone imported before would "
                        "be marked left_company; nothing was imported",
                        hint="check that the export is complete")
    settings = program.settings
    compiled = Compiled(mapping, table, settings.get("attributes") or {})
    plan = Plan(table, mapping, sync)
    rows = _values(compiled, table, mapping)
    existing = _existing(program, mapping.key)
    _resolve_managers(compiled, rows, existing, mapping, plan)
    _diff(rows, existing, mapping, plan)
    _check(program, plan)
    for dup, first in table.repeated:
        plan.notes.append(f"{dup.where()} repeats {first.where()} exactly and was left out")
    return plan


def _with_role(mapping: Mapping, role: str | None) -> Mapping:
    if role not in (None, *ROLES):
        raise UsageError(f"--role {role!r} is not one of: {', '.join(ROLES)}")
    if role in ("mentor", "mentee"):
        mapping = copy.copy(mapping)
        mapping.fields = {**mapping.fields, "role": FieldSpec("role", value=role)}
    elif "role" not in mapping.fields:
        raise UsageError("the mapping does not say who is a mentor and who is a mentee",
                         hint="pass --role mentor or --role mentee when everyone in the file has "
                              "the same role, or add [fields.role] to the mapping (a column "
                              "with a map, such as JobLevel 1-2 -> mentor)")
    return mapping


@dataclass
class _RowValues:
    row: Row
    values: dict[str, Any]        # target -> value, None (unset) or KEEP


def _where(spec: FieldSpec, row: Row) -> str:
    if spec.column:
        return f"{row.where()}, column {spec.column!r}"
    if spec.template:
        return f"{row.where()}, template {spec.template!r}"
    return row.where()


def _values(compiled: Compiled, table: Table, mapping: Mapping) -> list[_RowValues]:
    problems: list[Diagnostic] = []
    out: list[_RowValues] = []
    key = mapping.key
    seen: dict[str, Row] = {}
    specs = [s for s in mapping.fields.values() if not s.lookup]
    for row in table.rows:
        values: dict[str, Any] = {}
        for spec in specs:
            try:
                values[spec.target] = compiled.value(spec, row)
            except CellError as exc:
                problems.append(table.error("import-value", f"{_where(spec, row)}: "
                                            f"{exc.message}", exc.hint, row.line))
        kspec = mapping.fields[key]
        if key in values and values[key] in (None, KEEP):
            problems.append(table.error("import-key", f"{_where(kspec, row)}: the "
                                        f"{key} is blank",
                                        f"every row needs its {key}: it finds the person again "
                                        "on the next import", row.line))
        elif isinstance(values.get(key), str):
            k = key_of(key, values[key])
            if k in seen:
                problems.append(table.error(
                    "import-duplicate", f"{_where(kspec, row)}: {key} {k!r} is also on "
                    f"{seen[k].where()}", "each person is one row; remove or fix one of them",
                    row.line))
            else:
                seen[k] = row
        if "name" in values and values["name"] in (None, KEEP):
            problems.append(table.error("import-name", f"{_where(mapping.fields['name'], row)}"
                                        ": the name is blank", "every person needs a name",
                                        row.line))
        out.append(_RowValues(row, values))
    _refuse(table, problems)
    return out


def _refuse(table: Table, problems: list[Diagnostic]) -> None:
    if not problems:
        return
    shown = problems[:MAX_SHOWN]
    if len(problems) > MAX_SHOWN:
        shown.append(table.error("import-more",
                                 f"... and {len(problems) - MAX_SHOWN} more problems"))
    n = len(problems)
    raise DataError(f"{table.name}: {n} problem{'s' if n != 1 else ''} in the rows; nothing was "
                    "imported", hint="fix the file or the mapping, then import again "
                    "(--dry-run shows what would change)", diagnostics=shown)


def key_of(key: str, value: Any) -> str | None:
    """A key value as rows and files are matched on it (an e-mail without case)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return (text.casefold() if key == "email" else text) or None


@dataclass
class _Existing:
    data: dict[str, dict]                 # id -> data
    by_key: dict[str, str]                # key value -> id


def _existing(program: Program, key: str) -> _Existing:
    records = program.load(PARTICIPANT)
    broken = [r for r in records.values() if r.data is None]
    if broken:
        raise DataError(f"{len(broken)} participant file(s) cannot be read, so the import cannot "
                        "tell who is already in the program; nothing was imported",
                        hint="fix them first (`rmtui validate` says how)",
                        diagnostics=[d for r in broken[:MAX_SHOWN] for d in r.diagnostics
                                     if d.is_error])
    data = {i: r.data for i, r in records.items() if r.data is not None}
    owners: dict[str, list[str]] = defaultdict(list)
    for pid, d in data.items():
        k = key_of(key, d.get(key))
        if k is not None:  # a number written without quotes by hand still matches
            owners[k].append(pid)
    twice = {k: v for k, v in owners.items() if len(v) > 1}
    if twice:
        shown = "; ".join(f"{k!r}: {', '.join(v)}" for k, v in sorted(twice.items())[:10])
        raise DataError(f"the program has {len(twice)} {key}(s) used by more than one "
                        f"participant ({shown}), so the import cannot tell who is who; "
                        "nothing was imported",
                        hint=f"give each person their own {key}, then import again")
    return _Existing(data, {k: v[0] for k, v in owners.items()})


def _resolve_managers(compiled: Compiled, rows: list[_RowValues], existing: _Existing,
                      mapping: Mapping, plan: Plan) -> None:
    """``lookup = "name"``: a manager's name becomes that person's employee id."""
    spec = next((s for s in mapping.fields.values() if s.lookup), None)
    if spec is None:
        return
    key = mapping.key
    by_name: dict[str, set[str]] = defaultdict(set)
    for rv in rows:
        name, k = rv.values.get("name"), rv.values.get(key)
        if isinstance(name, str) and isinstance(k, str):
            by_name[name_key(name)].add(k)
    known: dict[str, set[str]] = defaultdict(set)  # people already in the program, as a fallback
    for d in existing.data.values():
        if isinstance(d.get("name"), str) and isinstance(d.get(key), str):
            known[name_key(d["name"])].add(d[key])
    unresolved: Counter[str] = Counter()
    ambiguous: Counter[str] = Counter()
    problems: list[Diagnostic] = []
    for rv in rows:
        plain = FieldSpec(spec.target, column=spec.column, template=spec.template,
                          value=spec.value, transform=spec.transform, blank=spec.blank,
                          default=spec.default)
        try:
            text = compiled.value(plain, rv.row)
        except CellError as exc:
            problems.append(plan.table.error("import-value", f"{_where(spec, rv.row)}"
                                             f": {exc.message}", exc.hint, rv.row.line))
            continue
        if text in (None, KEEP):
            rv.values[spec.target] = text
            continue
        found = by_name.get(name_key(text)) or known.get(name_key(text)) or set()
        if len(found) == 1:
            rv.values[spec.target] = next(iter(found))
            continue
        (ambiguous if found else unresolved)[text] += 1
        if spec.unmatched == "error":
            problems.append(plan.table.error(
                "import-lookup", f"{_where(spec, rv.row)}: "
                + (f"{len(found)} people are called {text!r}" if found else
                   f"nobody in the file or the program is called {text!r}"),
                "fix the name, or set unmatched = \"keep\" or \"blank\"", rv.row.line))
        elif spec.unmatched == "blank":
            rv.values[spec.target] = KEEP if spec.blank == "keep" else None
        else:
            rv.values[spec.target] = text
    _refuse(plan.table, problems)
    what = {"keep": "kept as written", "blank": "left blank", "error": ""}[spec.unmatched]
    if unresolved:
        names = ", ".join(f"{n!r} ({c} row{'s' if c != 1 else ''})"
                          for n, c in sorted(unresolved.items()))
        plan.notes.append(f"{spec.target}: {len(unresolved)} name(s) in {spec.column!r} are not "
                          f"people in the file or the program and were {what}: {names}")
    if ambiguous:
        names = ", ".join(repr(n) for n in sorted(ambiguous))
        plan.notes.append(f"{spec.target}: more than one person has each of these names, so they "
                          f"were {what}: {names}")


def _put(data: dict, target: str, value: Any) -> None:
    if target.startswith("attributes."):
        name = target.split(".", 1)[1]
        attrs = data.get("attributes")
        attrs = dict(attrs) if isinstance(attrs, dict) else {}
        if value is None:
            attrs.pop(name, None)
        else:
            attrs[name] = value
        if attrs:
            data["attributes"] = attrs
        else:
            data.pop("attributes", None)
    elif value is None:
        data.pop(target, None)
    else:
        data[target] = value


def _get(data: dict, target: str) -> Any:
    if target.startswith("attributes."):
        attrs = data.get("attributes")
        return attrs.get(target.split(".", 1)[1]) if isinstance(attrs, dict) else None
    return data.get(target)


def _ordered(data: dict) -> dict:
    """Fields in the order the schema lists them, as every new file has them."""
    order = {name: i for i, name in enumerate(schemas.get("participant").order)}
    return dict(sorted(data.items(), key=lambda kv: order.get(kv[0], len(order))))


def _diff(rows: list[_RowValues], existing: _Existing, mapping: Mapping,
          plan: Plan) -> None:
    key = mapping.key
    taken = set(existing.data)
    in_file: set[str] = set()
    for rv in rows:
        k = key_of(key, rv.values[key])
        in_file.add(k)
        pid = existing.by_key.get(k)
        if pid is None:
            base = ids.slugify(rv.values["name"], fallback="participant")
            pid = ids.unique_id(base, taken)
            taken.add(pid)
            data: dict[str, Any] = {"id": pid}
            for target, value in rv.values.items():
                if value is not KEEP and value is not None:
                    _put(data, target, value)
            plan.added.append(Added(pid, rv.row, _ordered(data)))
            continue
        before = existing.data[pid]
        after = copy.deepcopy(before)
        changes = []
        for target, value in rv.values.items():
            if value is KEEP or mapping.fields[target].only_new:
                continue
            old = _get(before, target)
            if old != value:
                changes.append(FieldChange(target, old, value))
                _put(after, target, value)
        if after.get("status") == LEFT and rv.values.get("status", KEEP) in (KEEP, None):
            # marked left (by --sync, or a status the export no longer gives), and in the
            # export again as employed: back in the program, to be accepted again
            changes.append(FieldChange("status", LEFT, REJOINED))
            after["status"] = REJOINED
        if changes:
            order = {n: i for i, n in enumerate(schemas.get("participant").order)}
            changes.sort(key=lambda c: (order.get(c.field.split(".")[0], len(order)), c.field))
            plan.updated.append(Updated(pid, rv.row, before, after, changes))
        else:
            plan.unchanged.append(pid)
    for k, pid in sorted(existing.by_key.items(), key=lambda kv: kv[1]):
        if k in in_file:
            continue
        data = existing.data[pid]
        status = data.get("status", "applied")
        mark = plan.sync and status != LEFT
        plan.missing.append(Missing(pid, str(data.get(key)), status, mark))
        if mark:
            after = dict(data, status=LEFT)
            plan.updated.append(Updated(pid, None, data, after,
                                        [FieldChange("status", data.get("status"), LEFT)]))
    marked = sum(m.marked for m in plan.missing)
    if marked > 10 and marked > len(existing.by_key) / 2:
        plan.warnings.append(f"--sync marks {marked} of {len(existing.by_key)} people "
                             "left_company: check that the file is the whole export")


def _check(program: Program, plan: Plan) -> None:
    """Every new or changed participant against its schema and the program's rules, at once."""
    items = {a.id: a.data for a in plan.added}
    items.update({u.id: u.after for u in plan.updated})
    if not items:
        return
    rows = {a.id: a.row for a in plan.added}
    rows.update({u.id: u.row for u in plan.updated if u.row is not None})
    found = validate.check_entities(program, PARTICIPANT, items)
    problems: list[Diagnostic] = []
    for pid, findings in found.items():
        for f in findings:
            where = ".".join(str(p) for p in f.path)
            text = f"{pid}: " + (f"{where}: " if where else "") + f.message
            if f.severity != diag.ERROR:
                plan.warnings.append(text)
                continue
            row = rows.get(pid)
            if row is not None:
                problems.append(plan.table.error(f"import-{f.rule}", f"{row.where()}: {text}",
                                                 f.hint, row.line))
            else:
                problems.append(diag.error(PARTICIPANT.path(pid), f.rule, text, f.hint))
    _refuse(plan.table, problems)
