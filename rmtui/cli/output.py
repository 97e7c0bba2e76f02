"""One output option set for every list and report.

``--format table|csv|tsv|json|jsonl|yaml|markdown``, ``--fields`` and
``-o FILE``. A terminal gets an aligned table; a pipe gets tab-separated,
untruncated text unless a format is named; ``-o report.csv`` picks the
format from the file's extension. Fields are dotted paths into the records
(``ratings.mentor``); an unknown field is answered with the list of valid
ones. Private fields (session summaries) are printed only when asked for by
name.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "yaml", "markdown")
_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".txt": "table"}
_MAX_CELL = 40


@dataclass(frozen=True)
class OutputSpec:
    format: str | None
    fields: list[str] | None
    output: str | None

    def resolve_format(self, default: str | None = None) -> str:
        if self.format:
            return self.format
        if self.output:
            ext = os.path.splitext(self.output)[1].lower()
            if ext in _EXTENSIONS:
                return _EXTENSIONS[ext]
            return "tsv"
        if default:
            return default
        return "table" if sys.stdout.isatty() else "tsv"

    @property
    def to_terminal(self) -> bool:
        return self.output is None and sys.stdout.isatty()


def output_options(extra_formats: Sequence[str] = ()) -> Callable:
    """The shared ``--format/--fields/-o`` options; the command gets ``out: OutputSpec``."""
    choices = tuple(extra_formats) + FORMATS

    def decorator(func: Callable) -> Callable:
        @click.option("-o", "--output", "output_file", metavar="FILE",
                      help="Write to FILE instead of standard output (format from its extension).")
        @click.option("--fields", metavar="F1,F2",
                      help="Fields to show, comma-separated (dotted for nested: ratings.mentor).")
        @click.option("-f", "--format", "fmt", type=click.Choice(choices),
                      help="Output format [default: table on a terminal, tsv in a pipe].")
        @functools.wraps(func)
        def wrapper(*args: Any, fmt: str | None, fields: str | None, output_file: str | None,
                    **kwargs: Any) -> Any:
            wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
            return func(*args, out=OutputSpec(fmt, wanted, output_file), **kwargs)

        return wrapper

    return decorator


# --------------------------------------------------------------------------
# Values and fields
# --------------------------------------------------------------------------


def get_path(record: dict, dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set_path(target: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def cell(value: Any) -> str:
    """A value as text in a table or CSV cell."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def available_fields(records: Sequence[dict], known: Sequence[str] = ()) -> list[str]:
    """Every dotted field that appears in the records or is known to exist."""
    seen: dict[str, None] = dict.fromkeys(known)

    def walk(node: Any, prefix: str) -> None:
        for k, v in node.items():
            name = f"{prefix}{k}"
            seen.setdefault(name)
            if isinstance(v, dict) and v and all(not isinstance(x, dict | list) for x in v.values()):
                for sub in v:
                    seen.setdefault(f"{name}.{sub}")

    for r in records:
        walk(r, "")
    return list(seen)


def check_fields(names: Sequence[str], available: Sequence[str], what: str = "field") -> None:
    """A usage error listing the valid fields when a name is not one of them."""
    valid = set(available)
    unknown = [f for f in names if f not in valid and f.split(".")[0] not in valid]
    if unknown:
        raise click.UsageError(
            f"unknown {what}(s): {', '.join(unknown)}\nvalid fields: {', '.join(available)}")


def choose_fields(out: OutputSpec, default: Sequence[str], available: Sequence[str]) -> list[str]:
    if not out.fields:
        return list(default)
    check_fields(out.fields, available)
    return list(out.fields)


def without(record: dict, hidden: Sequence[str]) -> dict:
    """``record`` without the (dotted) fields in ``hidden``."""
    out = dict(record)
    for name in hidden:
        head, _, rest = name.partition(".")
        if head not in out:
            continue
        if not rest:
            del out[head]
        elif isinstance(out[head], dict):
            out[head] = without(out[head], [rest])
    return out


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def render(rows: Sequence[dict], fields: Sequence[str], fmt: str, *, truncate: bool = False,
           whole: Sequence[dict] | None = None) -> str:
    """Rows as text in ``fmt``. ``whole`` gives nested records for json/yaml without --fields."""
    if fmt in ("json", "jsonl", "yaml"):
        objs = list(whole) if whole is not None else [_pick(r, fields) for r in rows]
        if fmt == "json":
            return json.dumps(objs, ensure_ascii=False, indent=2) + "\n"
        if fmt == "jsonl":
            return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)
        from rmtui.core import yamlio

        return yamlio.dump_list(objs) if objs else "[]\n"
    table = [[cell(get_path(r, f)) for f in fields] for r in rows]
    if fmt == "tsv":
        esc = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"})
        lines = ["\t".join(fields)] + ["\t".join(c.translate(esc) for c in row) for row in table]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        from rmtui.core.export import csv_safe

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(fields)
        for r, row in zip(rows, table, strict=True):
            writer.writerow([c if _is_number(get_path(r, f)) else csv_safe(c)
                             for f, c in zip(fields, row, strict=True)])
        return buf.getvalue()
    from tabulate import tabulate

    if truncate:
        width = max(20, min(_MAX_CELL, shutil.get_terminal_size((100, 24)).columns // 2))
        table = [[_shorten(c, width) for c in row] for row in table]
    table = [[c.replace("\n", " ") for c in row] for row in table]
    if fmt == "markdown":
        table = [[c.replace("|", "\\|") for c in row] for row in table]
        return tabulate(table, headers=list(fields), tablefmt="github", disable_numparse=True) + "\n"
    if not table:
        return ""
    return tabulate(table, headers=list(fields), tablefmt="simple", disable_numparse=True) + "\n"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _pick(record: dict, fields: Sequence[str]) -> dict:
    out: dict = {}
    for f in fields:
        _set_path(out, f, get_path(record, f))
    return out


def write(text: str, out: OutputSpec) -> None:
    if out.output:
        try:
            with open(out.output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except OSError as exc:
            raise click.FileError(out.output, hint=exc.strerror) from None
        click.echo(f"wrote {out.output}", err=True)
    else:
        click.echo(text, nl=False)


def emit(rows: Sequence[dict], out: OutputSpec, default_fields: Sequence[str], *,
         known: Sequence[str] = (), private: Sequence[str] = (), whole: bool = True,
         empty: str | None = None) -> None:
    """Print a list of records in the format the person or script wants."""
    fmt = out.resolve_format()
    available = available_fields(rows, known)
    fields = choose_fields(out, default_fields, available)
    records = None
    if whole and not out.fields and fmt in ("json", "jsonl", "yaml"):
        records = [without(r, private) for r in rows]
    if not rows and empty and fmt == "table":
        click.echo(empty, err=True)
        return
    write(render(rows, fields, fmt, truncate=out.to_terminal, whole=records), out)


def emit_one(record: dict, out: OutputSpec, *, known: Sequence[str] = (),
             private: Sequence[str] = ()) -> None:
    """Print one record: ``field value`` lines for people, an object for scripts."""
    fmt = out.resolve_format()
    shown = without(record, private)
    available = available_fields([record], known)
    fields = choose_fields(out, [_flat for _flat in _flat_fields(shown)], available)
    if fmt in ("json", "yaml"):
        obj = shown if not out.fields else _pick(record, fields)
        if fmt == "json":
            write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", out)
        else:
            from rmtui.core import yamlio

            write(yamlio.dump(obj) if obj else "{}\n", out)
        return
    if fmt in ("table", "tsv"):
        rows = [{"field": f, "value": get_path(record, f)} for f in fields]
        write(render(rows, ["field", "value"], fmt, truncate=False), out)
        return
    write(render([record], fields, fmt), out)


def _flat_fields(record: dict) -> list[str]:
    out = []
    for k, v in record.items():
        if isinstance(v, dict) and v and all(not isinstance(x, dict | list) for x in v.values()):
            out.extend(f"{k}.{sub}" for sub in v)
        else:
            out.append(k)
    return out
