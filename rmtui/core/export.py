"""Exports: every entity kind as flat CSV rows for BI tools, or nested JSON for scripts.

Records are what lists show (:func:`rmtui.core.records.record`: id first,
schema defaults filled in). Private free text (session summaries) and
sensitive personal data (birth dates, gender, ethnicity, custom attributes
program.toml marks sensitive) are left out unless asked for, and the export
says which fields it left out.

CSV columns come from the schema, in its order, so they are the same for
every export of a program whatever the data holds: groups of fields become
dotted columns (``ratings.mentor``), open-ended groups one column per key
found (``attributes.team``, ``answers.q1``, sorted), lists of values one cell
joined with ``"; "`` (what ``split = ";"`` reads back on import), lists of
records (goal progress, survey questions) one cell of JSON. Every text cell
goes through :func:`csv_safe`, so that no cell runs as a spreadsheet formula.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rmtui.core import records, schemas
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.schemas import resolve
from rmtui.core.settings import Settings
from rmtui.core.store import Program

LIST_SEPARATOR = "; "
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A cell that a spreadsheet shows as text and never runs as a formula.

    Spreadsheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` (and
    tab or carriage return, which some strip first) as a formula, so a name
    such as ``=HYPERLINK(...)`` in an HR export could run on the program
    owner's machine. Such cells get a leading apostrophe, which spreadsheets
    hide and which a person can see in any other tool.
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(value: Any) -> str:
    """A value as one CSV cell (numbers as numbers, lists joined, records as JSON)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list) for v in value):
            return csv_safe(LIST_SEPARATOR.join(cell_text(v) for v in value))
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return csv_safe(str(value))


def _at(record: dict, dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _without(record: dict, dotted: str) -> bool:
    """Remove a (dotted) field; True when it was there."""
    head, _, rest = dotted.partition(".")
    if head not in record:
        return False
    if not rest:
        del record[head]
        return True
    inner = record[head]
    if not isinstance(inner, dict) or not _without(inner, rest):
        return False
    if not inner:
        del record[head]
    return True


# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------


def columns(kind: Kind, rows: list[dict], settings: Settings,
            left_out: Iterable[str] = ()) -> list[str]:
    """The CSV columns of a kind: the schema's fields in order, groups spread out."""
    schema = schemas.get(kind.name)
    out = ["id"] if kind.key != ("id",) else []
    declared = {}
    if kind.name == "participant":
        declared = {"attributes": sorted(settings.get("attributes") or {})}
    for name in schema.order:
        out.extend(_spread(name, schema.raw["properties"][name], schema.raw,
                           [r.get(name) for r in rows], declared.get(name, [])))
    gone = set(left_out)
    return [c for c in out if c not in gone and not any(c.startswith(g + ".") for g in gone)]


def _spread(path: str, sub: dict, root: dict, values: list, declared: list[str]) -> list[str]:
    sub = resolve(sub, root)
    types = sub.get("type")
    is_object = types == "object" or (isinstance(types, list) and types == ["object"])
    if not is_object:
        return [path]
    out = []
    props = sub.get("properties", {})
    for name, inner in props.items():
        out.extend(_spread(f"{path}.{name}", inner, root,
                           [v.get(name) for v in values if isinstance(v, dict)], []))
    if sub.get("additionalProperties", True) is not False:
        keys = set(declared)
        for v in values:
            if isinstance(v, dict):
                keys.update(k for k in v if k not in props)
        out.extend(f"{path}.{k}" for k in sorted(keys))
    return out


# --------------------------------------------------------------------------
# Collecting what to export
# --------------------------------------------------------------------------


@dataclass
class Export:
    """The records of each kind to export, and what was left out of them."""

    kinds: list[Kind]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    left_out: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)

    def left_out_lines(self) -> list[str]:
        """What was held back, by reason: ``sensitive: participant.gender (311 records)``."""
        by_reason: dict[str, list[str]] = {}
        for kind_name, fields in self.left_out.items():
            for name, (reason, n) in fields.items():
                by_reason.setdefault(reason, []).append(
                    f"{kind_name}.{name} ({n} record{'s' if n != 1 else ''})")
        return [f"{reason}: {', '.join(items)}" for reason, items in by_reason.items()]


def collect(program: Program, kinds: Iterable[Kind], *, include_sensitive: bool = False) -> Export:
    """Every readable record of each kind, without the fields that are held back."""
    settings = program.settings_unchecked
    out = Export(list(kinds))
    for kind in out.kinds:
        loaded = program.load(kind)
        held = {f: "private to the pair" for f in records.private_fields(kind)}
        held.update({f: "sensitive" for f in records.sensitive_fields(kind, settings)})
        rows: list[dict] = []
        counts: dict[str, int] = {}
        for entity_id, rec in loaded.items():
            if rec.data is None:
                out.unreadable[kind.name] = out.unreadable.get(kind.name, 0) + 1
                continue
            row = records.record(kind, entity_id, rec.data)
            if not include_sensitive:
                row = copy.deepcopy(row)
                for name in held:
                    if _without(row, name):
                        counts[name] = counts.get(name, 0) + 1
            rows.append(row)
        out.rows[kind.name] = rows
        out.columns[kind.name] = columns(kind, rows, settings,
                                         () if include_sensitive else held)
        if counts:
            out.left_out[kind.name] = {name: (held[name], n) for name, n in counts.items()}
    return out


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------


def to_csv(export: Export, kind: Kind) -> str:
    """One kind as CSV (RFC 4180: CRLF line ends), header first."""
    cols = export.columns[kind.name]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(cols)
    for row in export.rows[kind.name]:
        writer.writerow([cell_text(_at(row, c)) for c in cols])
    return buf.getvalue()


def to_json(export: Export) -> str:
    """Every kind in one JSON document: ``{"participants": [...], "pairs": [...]}``."""
    doc = {kind.plural: export.rows[kind.name] for kind in export.kinds}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_json_list(export: Export, kind: Kind) -> str:
    """One kind as a JSON array of records."""
    return json.dumps(export.rows[kind.name], ensure_ascii=False, indent=2) + "\n"


def to_jsonl(export: Export, kinds: Iterable[Kind] | None = None) -> Iterator[str]:
    """One record per line, each saying which kind it is (``"entity": "participant"``)."""
    for kind in kinds or export.kinds:
        for row in export.rows[kind.name]:
            yield json.dumps({"entity": kind.name, **row}, ensure_ascii=False) + "\n"


def kinds_named(names: Iterable[str]) -> list[Kind]:
    """Kinds by name or plural, in the program's order; every kind when none is named."""
    from rmtui.core import kinds as kinds_mod

    wanted = {kinds_mod.get(n).name for n in names}
    return [k for k in KINDS.values() if not wanted or k.name in wanted]
