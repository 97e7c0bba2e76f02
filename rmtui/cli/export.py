"""``rmtui export``: everything a program holds, for BI tools, scripts and calendars."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from rmtui.cli.context import program

_EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".ics": "ics"}


@click.command("export")
@click.argument("entities", nargs=-1, metavar="[ENTITY]...")
@click.option("-f", "--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]),
              help="csv: flat rows, one file per kind; json: one nested document; jsonl: one "
                   "record per line [default: from -o's extension, else json].")
@click.option("-o", "--output", metavar="DIR|FILE",
              help="Write to FILE, or one file per kind into DIR (an existing folder, a "
                   "name ending in /, or a name with no extension when several kinds are "
                   "exported) [default: standard output].")
@click.option("--include-sensitive", is_flag=True,
              help="Also export sensitive personal data (birth dates, gender, ethnicity, "
                   "attributes marked sensitive) and the pairs' private session notes.")
@click.option("--pair", "pairs", multiple=True, metavar="ID",
              help="With `calendar`: only this pair's sessions (repeatable).")
def export(entities: tuple[str, ...], fmt: str | None, output: str | None,
           include_sensitive: bool, pairs: tuple[str, ...]) -> None:
    """Export entities as CSV, JSON or JSONL, or sessions as an iCalendar file.

    ENTITY is participant, pair, goal, agreement, session, survey or response (or
    their plurals); every kind when none is given. CSV columns follow the schemas,
    so they are the same on every export. Session summaries and sensitive personal
    data are left out unless --include-sensitive; what was left out is said on
    standard error. `calendar` exports the planned and held sessions as an .ics file
    for Outlook, Google Calendar or Thunderbird.

    \b
    rmtui export participants -o people.csv
    rmtui export --format csv -o export/          # one CSV per kind
    rmtui export --format json > program.json
    rmtui export calendar -o sessions.ics
    """
    if "calendar" in entities:
        if len(entities) > 1:
            raise click.UsageError("`calendar` is exported on its own, not with other entities")
        if fmt is not None:
            raise click.UsageError("the calendar is always iCalendar (.ics); leave out --format")
        _calendar(output, pairs)
        return
    if pairs:
        raise click.UsageError("--pair is for `rmtui export calendar`")
    from rmtui.core import export as core

    kinds = core.kinds_named(entities)
    to_dir = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir()
                                     or (len(kinds) > 1 and not Path(output).suffix))
    fmt = fmt or _format_of(output, to_dir)
    if not to_dir and fmt == "csv" and len(kinds) > 1:
        raise click.UsageError("a CSV file holds one kind: name one entity, or give -o DIR "
                               "for one CSV file per kind")
    prog = program()
    data = core.collect(prog, kinds, include_sensitive=include_sensitive)
    if to_dir:
        folder = Path(output or ".")
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            text = {"csv": lambda k: core.to_csv(data, k),
                    "json": lambda k: core.to_json_list(data, k),
                    "jsonl": lambda k: "".join(core.to_jsonl(data, [k]))}[fmt](kind)
            _write(folder / f"{kind.plural}.{fmt}", text)
    else:
        if fmt == "csv":
            text = core.to_csv(data, kinds[0])
        elif fmt == "json":
            text = core.to_json(data)
        else:
            text = "".join(core.to_jsonl(data))
        _emit(output, text)
    for line in data.left_out_lines():
        click.echo(f"left out ({line}); --include-sensitive exports them", err=True)
    for kind_name, n in data.unreadable.items():
        click.echo(f"warning: {n} {kind_name} file(s) could not be read and were left out; "
                   "`rmtui validate` says why", err=True)


def _format_of(output: str | None, to_dir: bool) -> str:
    if output and not to_dir:
        ext = os.path.splitext(output)[1].lower()
        if ext in _EXTENSIONS and _EXTENSIONS[ext] != "ics":
            return _EXTENSIONS[ext]
    return "json"


def _calendar(output: str | None, pairs: tuple[str, ...]) -> None:
    from rmtui.core.calendar import sessions_calendar

    text, warnings = sessions_calendar(program(), pairs)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    _emit(output, text)


def _write(path: Path, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror) from None
    click.echo(f"wrote {path}", err=True)


def _emit(output: str | None, text: str) -> None:
    if output and output != "-":
        _write(Path(output), text)
    else:  # the bytes as they are: CSV and iCalendar lines end in CRLF
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
