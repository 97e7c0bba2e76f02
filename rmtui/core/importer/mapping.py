"""A mapping: how the columns of an HR export become participant fields.

A mapping is a TOML file the program owner keeps next to the export and
reuses on every import::

    [source]
    encoding = "utf-8"            # optional; utf-8 unless stated
    delimiter = ","               # optional; sniffed when left out
    key = "employee_id"           # the field that finds a person again on the next import

    [fields.name]
    column = "Employee_Name"
    transform = "last-first"      # "Adinolfi, Wilson  K" -> "Wilson K Adinolfi"

    [fields.grade]
    column = "JobLevel"

    [fields.birth_date]
    column = "DOB"
    date = "%m/%d/%y"             # strptime codes; two-digit years are in the past

    [fields.attributes.education]
    column = "EducationField"

Each field takes its value from one ``column``, a ``template`` such as
``"Employee {EmployeeNumber}"``, or a constant ``value``; then, in this
order: ``transform`` (``last-first``, ``lower``, ``upper``, ``title``),
``map`` (``{"M" = "male"}``; ``unmapped`` says what to do with other values:
``error``, ``keep`` or ``blank``), ``default`` (for a blank result),
``split`` (a list from ``"Python; SQL"``), ``date`` (one format or a list),
``from_age`` (a birth year from an age in that year), and the field's type
from the schema. ``lookup = "name"`` turns a manager's name into that
person's employee id. A blank result unsets the field on the next import
(the export is the truth for the fields it maps) unless ``blank = "keep"``;
``only_new = true`` sets a field when a person is added and never again.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmtui.core import clock, ids, schemas
from rmtui.core import diagnostics as diag
from rmtui.core.errors import DataError, UsageError
from rmtui.core.importer.table import Row, Table, header_key, squeeze
from rmtui.core.yamlio import is_iso_date

MAX_MAPPING_BYTES = 1024 * 1024
TRANSFORMS = ("last-first", "lower", "upper", "title")
KEYS = ("employee_id", "email")
_SPEC_KEYS = ("column", "template", "value", "transform", "map", "unmapped", "default", "split",
              "date", "two_digit_year", "from_age", "type", "lookup", "unmatched", "blank",
              "only_new")
_NOT_MAPPABLE = {"id": "ids are made from names and never change",
                 "preferences": "preferences name participant ids; set them in rmtui",
                 "exclusions": "exclusions name participant ids; set them in rmtui"}
_ATTRIBUTE_TYPES = {"string": "string", "text": "string", "integer": "integer", "number": "number",
                    "boolean": "boolean", "list": "array"}
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


class Keep:
    """A blank value that leaves the field as it is (``blank = "keep"``)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


@dataclass
class FieldSpec:
    """How one participant field is made from a row."""

    target: str                      # name, grade, attributes.team
    column: str | None = None
    template: str | None = None
    value: Any = None
    transform: str | None = None
    map: dict[str, Any] | None = None
    unmapped: str = "error"
    default: Any = None
    split: str | None = None
    date: tuple[str, ...] = ()
    two_digit_year: str | int = "past"
    from_age: int | None = None
    type: str | None = None          # for attributes: string, integer, number, boolean, list
    lookup: str | None = None
    unmatched: str = "keep"
    blank: str = "unset"
    only_new: bool = False
    note: str | None = None          # a comment written above the field (proposals)

    def to_toml(self) -> dict:
        out: dict[str, Any] = {}
        for key in _SPEC_KEYS:
            value = getattr(self, key)
            if key == "date":
                value = (list(value) if len(value) > 1 else value[0]) if value else None
            if key == "two_digit_year" and (not self.date or value == "past"):
                continue
            if key == "unmapped" and (self.map is None or value == "error"):
                continue
            if key == "unmatched" and (self.lookup is None or value == "keep"):
                continue
            if key == "blank" and value == "unset":
                continue
            if key == "only_new" and not value:
                continue
            if value is not None:
                out[key] = value
        return out


@dataclass
class Mapping:
    """The whole mapping: where the rows come from and how each field is made."""

    fields: dict[str, FieldSpec] = field(default_factory=dict)
    key: str = "employee_id"
    encoding: str | None = None
    delimiter: str | None = None
    path: Path | None = None
    notes: list[str] = field(default_factory=list)   # proposals: said at the top of the file
    format: str | None = None                         # the exporting tool (survey responses)

    def covers(self, target: str) -> bool:
        return target in self.fields

    def to_toml(self, title: str | None = None, about: list[str] | None = None) -> str:
        """The mapping as a TOML file a person can read, edit and pass back with --mapping;
        ``about`` replaces the comment lines that explain a participants mapping."""
        import tomli_w

        lines = [f"# {title}" if title else "# rmtui import mapping", "#"]
        lines += [f"# {line}" if line else "#" for line in about] if about is not None else [
            "# Each [fields.X] says where participant field X comes from: a column, a",
            "# template such as \"Employee {EmployeeNumber}\", or a constant value; then",
            "# transform, map, default, split, date and lookup shape it. See",
            "# `rmtui import participants --help` and README's 'Importing people'."]
        for note in self.notes:
            lines.append("#")
            lines.extend(f"# {part}" for part in _wrap(note))
        lines.append("")
        source: dict[str, Any] = {"key": self.key}
        if self.format:
            source["format"] = self.format
        if self.encoding:
            source["encoding"] = self.encoding
        if self.delimiter:
            source["delimiter"] = self.delimiter
        lines.append(tomli_w.dumps({"source": source}).rstrip("\n"))
        nested = {k: v for k, v in self.fields.items() if "." in k}  # attributes.x, answers.x
        for name, spec in self.fields.items():
            if name in nested:
                continue
            lines.append("")
            if spec.note:
                lines.extend(f"# {part}" for part in _wrap(spec.note))
            lines.append(tomli_w.dumps({"fields": {name: spec.to_toml()}}).rstrip("\n"))
        for name, spec in nested.items():
            lines.append("")
            if spec.note:
                lines.extend(f"# {part}" for part in _wrap(spec.note))
            group, inner = name.split(".", 1)
            lines.append(tomli_w.dumps({"fields": {group: {inner: spec.to_toml()}}})
                         .rstrip("\n"))
        return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 76) -> list[str]:
    import textwrap

    out: list[str] = []
    for para in text.split("\n"):
        out.extend(textwrap.wrap(para, width) or [""])
    return out


# --------------------------------------------------------------------------
# Reading a mapping file
# --------------------------------------------------------------------------


class _Problems:
    """Problems with a mapping file, located at the table that holds them."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.found: list[diag.Diagnostic] = []

    def line_of(self, target: str | None) -> int | None:
        if target is None:
            return None
        parts = target.split(".")
        pattern = re.compile(r"^\s*\[\s*fields\s*\.\s*" + r"\s*\.\s*".join(
            r'(?:"?' + re.escape(p) + r'"?)' for p in parts) + r"\s*\]")
        for i, line in enumerate(self.lines, 1):
            if pattern.match(line):
                return i
        return None

    def add(self, target: str | None, message: str, hint: str | None = None) -> None:
        where = f"[fields.{target}]: " if target else ""
        self.found.append(diag.error(str(self.path), "mapping", where + message, hint,
                                     self.line_of(target)))


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; every problem in it is reported at once."""
    doc, text, path = read_toml(path)
    return mapping_from(doc, path, text)


def read_toml(path: Path | str) -> tuple[dict, str, Path]:
    """A mapping file's TOML document, its text and its absolute path, or a located
    refusal (any mapping: participants, survey responses)."""
    path = Path(path).absolute()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist",
                         hint="write one with --save-mapping FILE, then edit it") from None
    except OSError as exc:
        raise UsageError(f"{path} cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_MAPPING_BYTES:
        raise DataError(f"{path.name} is {len(raw) / 1e6:.1f} MB; a mapping file is at most "
                        f"{MAX_MAPPING_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8-sig")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise DataError(f"{path.name} is not UTF-8 text", hint="save the mapping as UTF-8") \
            from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise DataError(f"{path.name} is not valid TOML", diagnostics=[diag.error(
            str(path), "mapping", str(exc).split(" (at line")[0], "see the TOML syntax at "
            "toml.io", line, col)]) from None
    return doc, text, path


def mapping_from(doc: dict, path: Path, text: str = "") -> Mapping:
    problems = _Problems(path, text)
    mapping = Mapping(path=path)
    for key in doc:
        if key not in ("source", "fields"):
            problems.add(None, f"unknown table [{key}]", "a mapping has [source] and [fields.*]")
    source = doc.get("source", {})
    if not isinstance(source, dict):
        problems.add(None, "[source] must be a table")
        source = {}
    for key, value in source.items():
        if key == "key":
            if value not in KEYS:
                problems.add(None, f"[source] key = {value!r}: people are found again by "
                             + " or ".join(KEYS))
            else:
                mapping.key = value
        elif key == "encoding" and isinstance(value, str):
            mapping.encoding = value
        elif key == "delimiter" and isinstance(value, str):
            mapping.delimiter = "\t" if value in ("tab", "\\t") else value
        else:
            problems.add(None, f"[source] has an unknown or wrong setting {key!r}",
                         "it may hold key, encoding and delimiter (text)")
    fields = doc.get("fields", {})
    if not isinstance(fields, dict):
        problems.add(None, "[fields] must hold one table per field")
        fields = {}
    for name, spec in fields.items():
        if name == "attributes" and isinstance(spec, dict) and all(
                isinstance(v, dict) for v in spec.values()):
            for attr, inner in spec.items():
                _add_spec(mapping, problems, f"attributes.{attr}", inner)
        else:
            _add_spec(mapping, problems, name, spec)
    if mapping.key not in mapping.fields and not problems.found:
        problems.add(None, f"the mapping does not say where {mapping.key} comes from",
                     f"add [fields.{mapping.key}] with the column of the HR system's "
                     f"{'employee number' if mapping.key == 'employee_id' else 'e-mail'}: it "
                     "finds each person again on the next import")
    if "name" not in mapping.fields and not problems.found:
        problems.add(None, "the mapping does not say where name comes from",
                     "add [fields.name] with a column, or a template such as "
                     "\"Employee {EmployeeNumber}\" when the file has no names")
    if problems.found:
        raise DataError(f"{path.name} is not a usable mapping", diagnostics=problems.found)
    return mapping


def _add_spec(mapping: Mapping, problems: _Problems, target: str, raw: Any) -> None:
    if not isinstance(raw, dict):
        problems.add(target, "must be a table such as { column = \"Department\" }")
        return
    top = target.split(".")[0]
    fields = schemas.get("participant").fields
    if top in _NOT_MAPPABLE:
        problems.add(target, f"{top} cannot be imported: {_NOT_MAPPABLE[top]}")
        return
    if top not in fields:
        import difflib

        close = difflib.get_close_matches(top, list(fields), n=1)
        problems.add(target, f"a participant has no field {top!r}",
                     f"did you mean {close[0]!r}?" if close else
                     "fields are: " + ", ".join(f for f in fields if f not in _NOT_MAPPABLE))
        return
    if top == "attributes" and target == "attributes":
        problems.add(target, "give each attribute its own table: [fields.attributes.NAME]")
        return
    if top == "attributes" and not re.fullmatch(r"[a-z][a-z0-9_]*", target.split(".", 1)[1]):
        problems.add(target, "an attribute name is lowercase letters, digits and underscores")
        return
    spec = parse_spec(problems, target, raw)
    if spec.lookup and target != "manager_id":
        problems.add(target, "lookup = \"name\" is for manager_id only")
    if spec.from_age is not None and target != "birth_year":
        problems.add(target, "from_age is for birth_year only")
    if spec.type and top != "attributes":
        problems.add(target, "type is for attributes only; the schema types every other field")
    mapping.fields[target] = spec


def parse_spec(problems: _Problems, target: str, raw: dict) -> FieldSpec:
    """One ``[fields.X]`` table as a FieldSpec; what is wrong with it goes to ``problems``."""
    spec = FieldSpec(target)
    for key, value in raw.items():
        if key not in _SPEC_KEYS:
            import difflib

            close = difflib.get_close_matches(key, _SPEC_KEYS, n=1)
            problems.add(target, f"unknown setting {key!r}",
                         f"did you mean {close[0]!r}?" if close else
                         "settings are: " + ", ".join(_SPEC_KEYS))
            continue
        error = _set(spec, key, value)
        if error:
            problems.add(target, error)
    sources = [k for k in ("column", "template", "value") if k in raw]
    if len(sources) != 1:
        problems.add(target, "needs exactly one of column, template or value"
                     + (f" (it has {', '.join(sources)})" if sources else ""))
    return spec


def _set(spec: FieldSpec, key: str, value: Any) -> str | None:
    """Store one setting; a message when its value is wrong."""
    def text(v: Any) -> bool:
        return isinstance(v, str)

    if key in ("column", "template"):
        if not text(value) or not value.strip():
            return f"{key} must be text"
        setattr(spec, key, value)
    elif key == "value":
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        spec.value = value
    elif key == "transform":
        if value not in TRANSFORMS:
            return f"transform {value!r} is not one of: {', '.join(TRANSFORMS)}"
        spec.transform = value
    elif key == "map":
        if not isinstance(value, dict):
            return "map must be a table of values, such as { \"M\" = \"male\" }"
        spec.map = {squeeze(str(k)): v for k, v in value.items()}
    elif key in ("unmapped", "unmatched", "blank"):
        allowed = {"unmapped": ("error", "keep", "blank"), "unmatched": ("keep", "blank", "error"),
                   "blank": ("unset", "keep")}[key]
        if value not in allowed:
            return f"{key} must be one of: {', '.join(allowed)}"
        setattr(spec, key, value)
    elif key == "default":
        spec.default = value.isoformat() if isinstance(value, dt.date) else value
    elif key == "split":
        if not text(value) or not value:
            return "split must be the separator, such as \";\""
        spec.split = value
    elif key == "date":
        formats = [value] if text(value) else value
        if not isinstance(formats, list) or not formats or not all(text(f) and "%" in f
                                                                    for f in formats):
            return "date must be a strptime format such as \"%m/%d/%Y\", or a list of them"
        spec.date = tuple(formats)
    elif key == "two_digit_year":
        if value != "past" and not (isinstance(value, int) and 0 <= value <= 99):
            return "two_digit_year is \"past\" or the last two-digit year of this century (0-99)"
        spec.two_digit_year = value
    elif key == "from_age":
        if not isinstance(value, int) or not 1900 <= value <= 2100:
            return "from_age is the year the ages were taken, such as 2017"
        spec.from_age = value
    elif key == "type":
        if value not in _ATTRIBUTE_TYPES:
            return f"type must be one of: {', '.join(_ATTRIBUTE_TYPES)}"
        spec.type = value
    elif key == "lookup":
        if value != "name":
            return "lookup must be \"name\" (find the manager by name among the people)"
        spec.lookup = value
    elif key == "only_new":
        if not isinstance(value, bool):
            return "only_new is true or false"
        spec.only_new = value
    return None


# --------------------------------------------------------------------------
# Rows to values
# --------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot become the field's value."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def name_key(name: str) -> str:
    """A name for comparison: accents, case, spaces and punctuation left out."""
    return re.sub(r"[^a-z0-9]", "", ids.fold(name).lower())


def last_first(text: str) -> str:
    """``"Adinolfi, Wilson  K"`` -> ``"Wilson K Adinolfi"``; other text is left as it is."""
    if "," not in text:
        return text
    last, first = (squeeze(p) for p in text.split(",", 1))
    return f"{first} {last}".strip() if first else last


_TRANSFORM: dict[str, Callable[[str], str]] = {
    "last-first": last_first, "lower": str.lower, "upper": str.upper, "title": str.title,
}


class Compiled:
    """A mapping bound to the columns of one table: turns each row into field values."""

    def __init__(self, mapping: Mapping, table: Table, declared: dict | None = None) -> None:
        self.mapping = mapping
        self.table = table
        self.schema_fields = schemas.get("participant").fields
        self.declared = declared or {}
        self.columns: dict[str, int] = {}
        self.today = clock.today()
        problems = _Problems(mapping.path or Path("mapping"), _read(mapping.path))
        for target, spec in mapping.fields.items():
            for name in self._columns_of(spec):
                index = table.column(name)
                if index is None:
                    close = _close_column(name, table.header)
                    problems.add(target, f"{table.name} has no column {name!r}",
                                 (f"did you mean {close!r}? " if close else "")
                                 + "its columns are: " + ", ".join(h for h in table.header if h))
                else:
                    self.columns[name] = index
        if problems.found:
            raise DataError(f"the mapping does not fit {table.name}: nothing was imported",
                            diagnostics=problems.found)

    @staticmethod
    def _columns_of(spec: FieldSpec) -> list[str]:
        if spec.column:
            return [spec.column]
        if spec.template:
            return [m.group(1) for m in _TEMPLATE_FIELD.finditer(spec.template)]
        return []

    def kind_of(self, target: str) -> tuple[str, str | None, list | None]:
        """(type, item type, choices) of a target field."""
        spec = self.mapping.fields.get(target)
        if target.startswith("attributes."):
            declared = self.declared.get(target.split(".", 1)[1]) or {}
            stated = (spec.type if spec else None) or declared.get("type")
            if stated is None:
                return "any", None, None
            t = _ATTRIBUTE_TYPES.get(stated, "string")
            return t, ("string" if t == "array" else None), None
        f = self.schema_fields[target]
        return f.type, f.item_type, f.choices

    def cell(self, row: Row, name: str) -> str:
        return row.cells[self.columns[name]]

    def raw(self, spec: FieldSpec, row: Row) -> Any:
        """The field's text before it is shaped: a cell, a filled-in template, or the constant."""
        if spec.column:
            return self.cell(row, spec.column)
        if spec.template:
            names = self._columns_of(spec)
            if names and all(not self.cell(row, n) for n in names):
                return ""
            return squeeze(_TEMPLATE_FIELD.sub(lambda m: self.cell(row, m.group(1)),
                                               spec.template))
        return spec.value

    def value(self, spec: FieldSpec, row: Row) -> Any:
        """The field's value for a row: a typed value, None (blank) or KEEP; raises CellError."""
        raw = self.raw(spec, row)
        if spec.value is not None and not spec.column and not spec.template:
            return self.typed(spec, raw)
        text = raw
        if text and spec.transform:
            text = _TRANSFORM[spec.transform](text)
        value: Any = text
        if spec.map is not None and text != "":
            if text in spec.map:
                value = spec.map[text]
            else:
                folded = {k.casefold(): v for k, v in spec.map.items()}
                if text.casefold() in folded:
                    value = folded[text.casefold()]
                elif spec.unmapped == "keep":
                    value = text
                elif spec.unmapped == "blank" or spec.default is not None:
                    value = ""
                else:
                    known = ", ".join(repr(k) for k in list(spec.map)[:12])
                    raise CellError(f"{text!r} is not in the field's map",
                                    f"add it to [fields.{spec.target}] map (it knows {known}), "
                                    "or set unmapped = \"keep\", \"blank\" or a default")
        if value == "" or value is None:
            value = spec.default if spec.default is not None else None
        if value is None or value == "":
            return KEEP if spec.blank == "keep" else None
        return self.typed(spec, value)

    def typed(self, spec: FieldSpec, value: Any) -> Any:
        kind, item, choices = self.kind_of(spec.target)
        if kind == "array":
            if isinstance(value, list):
                items = [squeeze(str(v)) for v in value]
            elif spec.split:
                items = [squeeze(p) for p in str(value).split(spec.split)]
            else:
                items = [squeeze(str(value))]
            items = [i for i in items if i]
            out: list = []
            for i in items:
                if i not in out:
                    out.append(i)
            return out or None
        if isinstance(value, list) and kind != "any":
            raise CellError(f"{spec.target} takes one value, not a list")
        if spec.from_age is not None:
            age = _integer(value, "an age")
            if not 0 < age < 130:
                raise CellError(f"{value!r} is not an age")
            return spec.from_age - age
        if kind == "date":
            return self.date(spec, value)
        if kind == "integer":
            return _integer(value, "a whole number")
        if kind == "number":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
            try:
                number = float(str(value))
            except ValueError:
                raise CellError(f"{value!r} is not a number") from None
            return int(number) if number.is_integer() and "." not in str(value) else number
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            low = str(value).strip().lower()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise CellError(f"{value!r} is not true or false (yes/no)")
        if kind == "any":  # an attribute of no stated type: text, or the constant's own type
            if isinstance(value, bool | int | float):
                return value
            if isinstance(value, list):
                return [str(v) for v in value]
        value = str(value) if not isinstance(value, str) else value
        if kind == "enum" and choices and value not in choices:
            raise CellError(f"{value!r} is not one of: {', '.join(map(str, choices))}",
                            f"map the file's values onto these with map = {{ ... }} in "
                            f"[fields.{spec.target}]")
        return value

    def date(self, spec: FieldSpec, value: Any) -> str:
        text = str(value).strip()
        if not spec.date:
            if is_iso_date(text):
                return text
            raise CellError(f"{text!r} is not a date written YYYY-MM-DD",
                            f"give its format in the mapping: date = \"%m/%d/%Y\" under "
                            f"[fields.{spec.target}]")
        for fmt in spec.date:
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if "%y" in fmt:
                parsed = self._century(parsed, spec.two_digit_year)
            return parsed.isoformat()
        shown = " or ".join(spec.date)
        raise CellError(f"{text!r} is not a date in the form {shown}",
                        "fix the cell, or the date format in the mapping")

    def _century(self, parsed: dt.date, rule: str | int) -> dt.date:
        """Two-digit years: in the past (``"past"``), or up to a pivot in this century."""
        yy = parsed.year % 100
        now = self.today.year
        century = now - now % 100
        if rule == "past":
            year = century + yy if century + yy <= now else century - 100 + yy
        else:
            year = century + yy if yy <= int(rule) else century - 100 + yy
        try:
            return parsed.replace(year=year)
        except ValueError:  # 29 February of a year that has none
            raise CellError(f"{parsed.strftime('%m/%d')}/{yy:02d} is not a real date") from None


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not {what}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise CellError(f"{text!r} is not {what}") from None
    if not number.is_integer():
        raise CellError(f"{text!r} is not {what}")
    return int(number)


def _close_column(name: str, header: list[str]) -> str | None:
    import difflib

    keys = {header_key(h): h for h in header if h}
    close = difflib.get_close_matches(header_key(name), list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


def _read(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
