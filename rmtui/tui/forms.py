"""Forms generated from the JSON Schemas, and their checks (no Textual here).

A form holds text per field, as a person types it. :func:`check_add` and
:func:`check_edit` turn the texts into values with the CLI's own parser
(``core.values``) and run the very checks ``ops.add`` and ``ops.edit`` run,
returning the problems by field so the form can show each beside its input
before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rmtui.core import schemas, values
from rmtui.core.errors import RmtuiError
from rmtui.core.ops.entities import Assignment, assign, prepare_new, try_edit
from rmtui.core.store import Program

GENERAL = ""  # the key of problems that belong to no one field

PARTICIPANT_FIELDS = (
    "name", "role", "email", "employee_id", "manager_id", "title", "department", "location",
    "timezone", "grade", "cohort", "skills", "learning_topics", "languages", "capacity",
    "status", "joined", "training_completed",
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    help: str
    choices: tuple[str, ...] = ()
    required: bool = False
    is_list: bool = False


def fields_for(kind: str, names: tuple[str, ...]) -> list[FieldSpec]:
    schema = schemas.get(kind)
    required = set(schema.raw.get("required", ()))
    out = []
    for name in names:
        sub = values.field_schema(schema, name) or {}
        types = sub.get("type", [])
        types = [types] if isinstance(types, str) else types
        is_list = "array" in types
        item = schemas.resolve(sub.get("items", {}), schema.raw) if is_list else sub
        help_text = sub.get("description", "")
        if is_list:
            help_text = (help_text + " " if help_text else "") + "(comma-separated)"
        if item.get("format") == "date":
            help_text = (help_text + " " if help_text else "") + "(YYYY-MM-DD)"
        choices = tuple(str(c) for c in item.get("enum", ()))
        out.append(FieldSpec(name, help_text, choices, name in required, is_list))
    return out


def text_of_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(text_of_value(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_texts(kind: str, texts: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values of the non-blank texts, and the fields that could not be read."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in texts.items():
        if not text.strip():
            continue
        try:
            data[name] = values.parse(kind, name, text.strip())
        except RmtuiError as e:
            errors[name] = e.message + (f" ({e.hint})" if e.hint else "")
    return data, errors


def _by_field(findings, errors: dict[str, str]) -> dict[str, str]:
    for f in findings:
        if f.severity != "error":
            continue
        key = str(f.path[0]) if f.path else GENERAL
        text = f.message + (f" ({f.hint})" if f.hint else "")
        errors[key] = f"{errors[key]}; {text}" if key in errors else text
    return errors


def check_add(program: Program, kind: str, texts: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """``(data, problems by field)`` for a new entity; empty problems mean it can be added.

    Every field is checked at once: one that cannot be read says so, and the rest
    go through ``prepare_new`` as they are (a blank name, which the id is made from,
    is said beside the name, and the rest are checked under a stand-in)."""
    from rmtui.core import kinds

    data, errors = parse_texts(kind, texts)
    k = kinds.get(kind)
    checked = dict(data)
    if k.title and k.title not in data and k.title not in errors and "id" not in data:
        errors[k.title] = f"needed: the {k.name}'s id is made from it"
        checked[k.title] = k.name
    try:
        _, _, findings = prepare_new(program, kind, checked)
    except RmtuiError as e:
        errors.setdefault(GENERAL, e.message)
        return data, errors
    for key, text in _by_field(findings, {}).items():
        errors.setdefault(key, text)  # a field that could not be read says that first
    return data, errors


def assignments_of(kind: str, texts: dict[str, str], before: dict[str, str]
                   ) -> tuple[list[Assignment], dict[str, str]]:
    """The fields whose text changed, as edits (blank unsets), and unreadable ones."""
    changed = {k: v for k, v in texts.items() if v.strip() != before.get(k, "").strip()}
    data, errors = parse_texts(kind, changed)
    out = [Assignment(k, "set", data[k]) if k in data else Assignment(k, "unset")
           for k in changed if k not in errors]
    return out, errors


def check_edit(program: Program, kind: str, entity_id: str, texts: dict[str, str],
               before: dict[str, str], expected: str | None) -> tuple[list[Assignment], dict[str, str]]:
    """``(edits, problems by field)`` for an existing entity, as shown with digest ``expected``."""
    from rmtui.core import kinds

    edits, errors = assignments_of(kind, texts, before)
    if errors or not edits:
        return edits, errors
    k = kinds.get(kind)
    try:
        draft = try_edit(program, k, entity_id, lambda doc: assign(doc, edits, k), expected=expected)
    except RmtuiError as e:
        return edits, {GENERAL: e.message + (f" ({e.hint})" if e.hint else "")}
    return edits, _by_field(draft.findings, {})
