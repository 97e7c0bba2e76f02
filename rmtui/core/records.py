"""Entities as lists, reports and exports show them, and which fields they hold back.

Written once for the CLI lists, ``show`` and ``rmtui export``: a record is
the entity's data with its id first and the value each field takes when the
file leaves it out (a session is ``held`` unless it says otherwise); private
fields (the pair's own notes) and sensitive ones (personal data) come from
the schema's ``x-private`` and ``x-sensitive`` keywords, and from custom
attributes that ``program.toml`` marks ``sensitive``.
"""

from __future__ import annotations

from rmtui.core import schemas
from rmtui.core.kinds import Kind
from rmtui.core.settings import Settings


def record(kind: Kind, entity_id: str, data: dict) -> dict:
    """The entity with its id first and schema defaults filled in, in schema order."""
    fields = schemas.get(kind.name).fields
    row = {}
    if kind.key != ("id",):
        row["id"] = entity_id
    for name, value in data.items():
        row[name] = value
    for name, f in fields.items():
        if name not in row and f.default is not None:
            row[name] = f.default
    order = {name: i for i, name in enumerate(["id", *fields])}
    return dict(sorted(row.items(), key=lambda kv: order.get(kv[0], len(order))))


def known_fields(kind: Kind) -> list[str]:
    """Every top-level field a record of the kind can hold, id first."""
    names = list(schemas.get(kind.name).order)
    return (["id"] if "id" not in names else []) + names


def private_fields(kind: Kind) -> list[str]:
    """Free text that belongs to the pair (session summaries): printed only when asked."""
    return [n for n, f in schemas.get(kind.name).fields.items() if f.private]


def sensitive_fields(kind: Kind, settings: Settings) -> list[str]:
    """Personal data left out of lists and exports unless asked for: the schema's
    ``x-sensitive`` fields, and custom attributes program.toml marks ``sensitive``."""
    out = [n for n, f in schemas.get(kind.name).fields.items() if f.sensitive]
    if kind.name == "participant":
        declared = settings.get("attributes") or {}
        out.extend(f"attributes.{name}" for name, spec in sorted(declared.items())
                   if isinstance(spec, dict) and spec.get("sensitive"))
    return out
