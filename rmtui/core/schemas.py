"""The JSON Schemas in ``schemas/``: the one source of truth for every file kind.

Each record is checked with fastjsonschema first (about 20 times faster);
only the records that fail are checked again with jsonschema, which gives
the complete list of problems, each turned into a message a person can act
on. Field help for the CLI and TUI forms also comes from here.

Custom keywords: ``x-ref`` (the value is the id of an entity of that kind),
``x-private`` (free text of the pair: never printed unless asked by name),
``x-sensitive`` (personal data left out of exports unless asked for).
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from rmtui.core.ids import ID_PATTERN, ID_RULE_TEXT
from rmtui.core.resources import schemas_dir
from rmtui.core.yamlio import is_iso_date

_COMMON = "common.schema.json"
_TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list", "object": "a mapping", "null": "empty",
}


def type_name(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass(frozen=True)
class Issue:
    """One schema problem, at a path inside the document."""

    path: tuple[str | int, ...]
    message: str
    hint: str | None = None
    at_key: bool = False  # point at the key (unknown fields) rather than the value


@dataclass(frozen=True)
class Field:
    """What the schema says about one top-level field."""

    name: str
    schema: dict
    required: bool

    @property
    def type(self) -> str:
        if "enum" in self.schema:
            return "enum"
        t = self.schema.get("type", "string")
        if isinstance(t, list):
            return "string" if "string" in t else t[0]
        if t == "string" and self.schema.get("format") == "date":
            return "date"
        return t

    @property
    def item_type(self) -> str | None:
        items = self.schema.get("items")
        if not isinstance(items, dict):
            return None
        return items.get("type", "string")

    @property
    def description(self) -> str:
        return self.schema.get("description", "")

    @property
    def choices(self) -> list | None:
        return self.schema.get("enum")

    @property
    def ref(self) -> str | None:
        items = self.schema.get("items")
        return self.schema.get("x-ref") or (items.get("x-ref") if isinstance(items, dict) else None)

    @property
    def private(self) -> bool:
        return bool(self.schema.get("x-private"))

    @property
    def sensitive(self) -> bool:
        return bool(self.schema.get("x-sensitive"))

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    @property
    def is_id(self) -> bool:
        return self.schema.get("pattern") == ID_PATTERN


def _inline(schema: Any, common_defs: dict) -> Any:
    """Rewrite ``common.schema.json#/$defs/x`` refs to local ones."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            if k == "$ref" and isinstance(v, str) and v.startswith(_COMMON + "#"):
                out[k] = v[len(_COMMON):]
            else:
                out[k] = _inline(v, common_defs)
        return out
    if isinstance(schema, list):
        return [_inline(v, common_defs) for v in schema]
    return schema


def resolve(schema: dict, root: dict) -> dict:
    """A sub-schema with its ``$ref`` merged in (local keys win)."""
    seen = 0
    while "$ref" in schema and seen < 10:
        ref = schema["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **merged}
        seen += 1
    return schema


class Schema:
    """One file kind's schema, made self-contained."""

    def __init__(self, name: str, raw: dict, common: dict) -> None:
        self.name = name
        schema = _inline(raw, common)
        defs = dict(copy.deepcopy(common.get("$defs", {})))
        defs.update(schema.get("$defs", {}))
        schema["$defs"] = defs
        self.raw = schema

    @cached_property
    def _fast(self):
        import fastjsonschema

        return fastjsonschema.compile(self.raw, formats={"date": is_iso_date}, use_default=False)

    @cached_property
    def _full(self):
        import jsonschema

        checker = jsonschema.FormatChecker(formats=())
        checker.checks("date")(is_iso_date)
        cls = jsonschema.validators.validator_for(self.raw)
        return cls(self.raw, format_checker=checker)

    def is_valid(self, data: Any) -> bool:
        import fastjsonschema

        try:
            self._fast(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    def check(self, data: Any) -> list[Issue]:
        """Every problem with ``data``; the empty list when it is valid."""
        if self.is_valid(data):
            return []
        issues = sorted(self._issues(data), key=lambda i: [str(p) for p in i.path])
        return issues or [Issue((), "does not match its schema")]

    # -- turning jsonschema errors into messages people can act on ---------

    def _issues(self, data: Any) -> Iterator[Issue]:
        for err in self._full.iter_errors(data):
            yield from self._explain(err)

    def _explain(self, err) -> Iterator[Issue]:
        path = tuple(err.absolute_path)
        where = _describe(path)
        sub = resolve(err.schema, self.raw) if isinstance(err.schema, dict) else {}
        desc = sub.get("description")
        kind = err.validator
        if kind == "required":
            props = sub.get("properties", {})
            for name in err.validator_value:
                if isinstance(err.instance, dict) and name not in err.instance:
                    field = resolve(props.get(name, {}), self.raw)
                    yield Issue(path, f"missing required field '{name}'",
                                _field_hint(name, field.get("description")))
        elif kind == "additionalProperties" and isinstance(err.instance, dict):
            allowed = list(sub.get("properties", {}))
            for key in err.instance:
                if key not in allowed:
                    yield Issue(path + (key,), f"unknown field '{key}'"
                                + (f" in {where}" if path else ""), _did_you_mean(key, allowed),
                                at_key=True)
        elif kind == "type":
            expected = err.validator_value
            expected = expected if isinstance(expected, list) else [expected]
            wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
            hint = desc
            if "string" in expected and isinstance(err.instance, int | float) \
                    and not isinstance(err.instance, bool):
                hint = f"put it in quotes to keep it as text: '{err.instance}'"
            elif "string" in expected and isinstance(err.instance, bool):
                hint = "put it in quotes to keep it as text (YAML reads true/false as a boolean)"
            yield Issue(path, f"{where} must be {wanted}, not {type_name(err.instance)}", hint)
        elif kind == "enum":
            choices = ", ".join(str(c) for c in err.validator_value)
            yield Issue(path, f"{where} is {err.instance!r}, which is not one of: {choices}",
                        _did_you_mean(str(err.instance), [str(c) for c in err.validator_value]))
        elif kind == "const":
            yield Issue(path, f"{where} must be {err.validator_value!r}", desc)
        elif kind == "pattern":
            if err.validator_value == ID_PATTERN:
                yield Issue(path, f"{where} is {err.instance!r}, which is not a valid id",
                            ID_RULE_TEXT)
            else:
                yield Issue(path, f"{where} is {err.instance!r}, which is not in the expected form",
                            desc)
        elif kind == "format":
            yield Issue(path, f"{where} is {err.instance!r}, which is not a real date",
                        "write dates as YYYY-MM-DD, such as 2027-01-15")
        elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            word = {"minimum": "at least", "maximum": "at most",
                    "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}[kind]
            yield Issue(path, f"{where} is {err.instance!r}; it must be {word} {err.validator_value}",
                        desc)
        elif kind == "minLength":
            yield Issue(path, f"{where} must not be empty", desc)
        elif kind == "minItems":
            yield Issue(path, f"{where} needs at least {err.validator_value} item(s)", desc)
        elif kind == "propertyNames":
            yield Issue(path, f"{err.instance!r} is not a valid name in {where}",
                        "names are lowercase letters, digits and underscores", at_key=True)
        elif kind == "$ref":
            yield Issue(path, f"{where}: {err.message}", desc)
        else:
            yield Issue(path, f"{where}: {err.message}", desc)

    # -- fields -------------------------------------------------------------

    @cached_property
    def fields(self) -> dict[str, Field]:
        required = set(self.raw.get("required", []))
        return {
            name: Field(name, resolve(prop, self.raw), name in required)
            for name, prop in self.raw.get("properties", {}).items()
        }

    @cached_property
    def order(self) -> list[str]:
        return list(self.raw.get("properties", {}))

    def ref_paths(self) -> list[tuple[tuple[str, ...], str]]:
        """Where this kind refers to other entities: ``((field,), kind)``.

        A path ending in ``*`` means every item of a list. Worked out once per
        schema: validation asks for every entity.
        """
        return list(self._ref_paths)

    @cached_property
    def _ref_paths(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        found: list[tuple[tuple[str, ...], str]] = []

        def walk(schema: dict, path: tuple[str, ...]) -> None:
            schema = resolve(schema, self.raw)
            if "x-ref" in schema:
                found.append((path, schema["x-ref"]))
            for name, prop in schema.get("properties", {}).items():
                walk(prop, path + (name,))
            items = schema.get("items")
            if isinstance(items, dict):
                walk(items, path + ("*",))

        walk(self.raw, ())
        return tuple(found)

    def defaults(self) -> dict:
        """Defaults of the top-level fields and of nested objects (settings)."""
        return _defaults(self.raw, self.raw)


def _defaults(schema: dict, root: dict) -> Any:
    schema = resolve(schema, root)
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if schema.get("type") == "object" and "properties" in schema:
        out = {}
        for name, prop in schema["properties"].items():
            value = _defaults(prop, root)
            if value is not None and value != {}:
                out[name] = value
        return out
    return None


def _describe(path: tuple) -> str:
    if not path:
        return "the file"
    parts = []
    for p in path:
        if isinstance(p, int):
            parts.append(f"[{p + 1}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "'" + "".join(parts) + "'"


def _field_hint(name: str, description: str | None) -> str:
    return f"add '{name}: ...'" + (f" ({description})" if description else "")


def _did_you_mean(word: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if options and len(options) <= 30:
        return "allowed here: " + ", ".join(options)
    return None


@cache
def _common() -> dict:
    return json.loads((schemas_dir() / _COMMON).read_text(encoding="utf-8"))


@cache
def get(name: str) -> Schema:
    """The schema of a file kind: ``participant``, ``pair``, ``program``, ..."""
    raw = json.loads((schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Schema(name, raw, _common())


@cache
def fingerprint() -> str:
    """Changes whenever a schema file changes: part of the cache key."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(schemas_dir().glob("*.json")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
