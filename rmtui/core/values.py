"""Turn text typed by a person (``--set grade=5``, a form field) into a value.

The field's schema says what the text means: a whole number, a date, a
list separated by commas, true/false. Problems are usage errors that name
the field and say what was expected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rmtui.core import clock, schemas
from rmtui.core.errors import UsageError
from rmtui.core.schemas import Schema, resolve
from rmtui.core.yamlio import is_iso_date

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def field_schema(schema: Schema, dotted: str) -> dict | None:
    """The sub-schema of ``a.b.c``; None when the path is not allowed."""
    node: dict = schema.raw
    for part in dotted.split("."):
        node = resolve(node, schema.raw)
        props = node.get("properties", {})
        if part in props:
            node = props[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
    return resolve(node, schema.raw)


def _types(sub: dict) -> list[str]:
    if "enum" in sub:
        return ["enum"]
    t = sub.get("type", "string")
    t = t if isinstance(t, list) else [t]
    if "string" in t and sub.get("format") == "date":
        return ["date"]
    return t


def parse_date(text: str, what: str = "date") -> str:
    text = text.strip()
    if text == "today":
        return clock.today().isoformat()
    if text == "yesterday":
        return (clock.today() - dt.timedelta(days=1)).isoformat()
    if not is_iso_date(text):
        raise UsageError(f"{what}: {text!r} is not a date", hint="write dates as YYYY-MM-DD (or today)")
    return text


def check_field(kind: str, dotted: str) -> dict:
    """The sub-schema of a field, or a usage error listing the fields there are."""
    schema = schemas.get(kind)
    sub = field_schema(schema, dotted)
    if sub is None:
        top = dotted.split(".")[0]
        options = ", ".join(schema.order)
        raise UsageError(f"a {kind} has no field {dotted!r}",
                         hint=(f"fields are: {options}" if top not in schema.order
                               else f"'{top}' has no part {dotted[len(top) + 1:]!r}"))
    return sub


def parse(kind: str, dotted: str, text: str) -> Any:
    """The value of ``dotted`` for an entity of ``kind`` given as ``text``."""
    return coerce(check_field(kind, dotted), dotted, text)


def _structured(sub: dict) -> bool:
    """A group of fields, or a list of groups (survey questions, goal progress)."""
    types = _types(sub)
    if "object" in types and "string" not in types:
        return True
    items = sub.get("items")
    return "array" in types and isinstance(items, dict) and "object" in _types(items)


def _flow(dotted: str, text: str) -> Any:
    """A YAML flow value typed on the command line: ``{id: q1, type: likert}``."""
    from rmtui.core import yamlio

    parsed = yamlio.parse(text.encode("utf-8"), f"--set {dotted}")
    problems = [d.message for d in parsed.diagnostics if d.is_error]
    if problems or parsed.data is None:
        raise UsageError(f"{dotted}: {text!r} is not a YAML value"
                         + (f" ({problems[0]})" if problems else ""),
                         hint=f"write it in YAML flow style: --set '{dotted}+={{key: value, ...}}'")
    return yamlio.to_plain(parsed.data)


def coerce(sub: dict, dotted: str, text: str) -> Any:
    types = _types(sub)
    if _structured(sub):
        if not text.lstrip().startswith(("{", "[")):
            if "array" in types:
                raise UsageError(f"{dotted} is a list of groups of fields",
                                 hint=f"give an item in YAML flow style: "
                                      f"--set '{dotted}+={{key: value, ...}}'")
            raise UsageError(f"{dotted} is a group of fields",
                             hint=f"set its parts one by one: --set {dotted}.<part>=VALUE, "
                                  f"or all at once: --set '{dotted}={{part: value, ...}}'")
        value = _flow(dotted, text)
        if "array" in types and isinstance(value, dict):
            value = [value]
        return value
    if "enum" in types:
        choices = [str(c) for c in sub["enum"]]
        if text not in choices:
            raise UsageError(f"{dotted}: {text!r} is not one of: {', '.join(choices)}")
        return text
    if "date" in types:
        return parse_date(text, dotted)
    listed = text.lstrip().startswith("[")
    if "array" in types and ("string" not in types or listed):
        # a text where a list or a text may go (attributes) is one text unless written [a, b]
        items = sub.get("items", {})
        if listed:
            value = _flow(dotted, text)
            if not isinstance(value, list):
                raise UsageError(f"{dotted}: {text!r} is not a list", hint="write it as [a, b]")
            parts = ["" if v is None else str(v) for v in value]
        else:
            parts = [p.strip() for p in text.split(",") if p.strip()]
        return [coerce(items, dotted, p) if isinstance(items, dict) and items else p for p in parts]
    if "integer" in types:
        try:
            return int(text)
        except ValueError:
            if "string" in types:
                return text
            raise UsageError(f"{dotted}: {text!r} is not a whole number") from None
    if "number" in types:
        try:
            number = float(text)
        except ValueError:
            if "string" in types:
                return text
            raise UsageError(f"{dotted}: {text!r} is not a number") from None
        return int(number) if number.is_integer() and "." not in text else number
    if "boolean" in types:
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise UsageError(f"{dotted}: {text!r} is not true or false")
    return text
