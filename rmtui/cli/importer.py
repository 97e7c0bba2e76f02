"""``rmtui import``: people from HR exports, again and again as they change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from rmtui.cli.context import program, report


@click.group("import")
def group() -> None:
    """Import data from other systems: participants from an HR export.

    Each import is checked whole before anything is written and made as one
    commit; importing the same file again changes nothing.
    """


@group.command("participants")
@click.argument("file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--mapping", "mapping_file", metavar="MAPPING.toml",
              type=click.Path(dir_okay=False, path_type=Path),
              help="How the columns become participant fields. Without it, a mapping is "
                   "proposed from the header and printed (nothing is imported).")
@click.option("--save-mapping", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the proposed mapping to FILE (TOML) to edit and pass to --mapping.")
@click.option("--role", type=click.Choice(["mentor", "mentee", "from-column"]),
              help="Give everyone in the file this role, or take it from the mapping's role "
                   "field (from-column, the default when the mapping has one).")
@click.option("--dry-run", is_flag=True,
              help="Print what would change (added, updated field by field, unchanged, missing "
                   "from the file) and write nothing.")
@click.option("--sync", is_flag=True,
              help="Also mark participants who are no longer in the file as left_company "
                   "(nobody is ever deleted).")
@click.option("--encoding", metavar="NAME",
              help="The file's encoding when it is not UTF-8, such as cp1252 (Excel on Windows).")
@click.option("--delimiter", metavar="CHAR",
              help="The column separator (, ; | or tab) [default: sniffed from the file].")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the plan of a dry run (json also after a "
                                      "real one).")
@click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")
def participants(file: Path, mapping_file: Path | None, save_mapping: Path | None,
                 role: str | None, dry_run: bool, sync: bool, encoding: str | None,
                 delimiter: str | None, fmt: str, no_commit: bool) -> None:
    """Add and update participants from an HR export (CSV): Workday, SuccessFactors,
    BambooHR or a spreadsheet.

    People are found again by employee_id on every import, so ids stay the same when
    names change; fields the mapping does not cover, and comments written by hand,
    survive. The whole file is checked first: one bad row (a date that is not a date,
    a duplicate employee number, a ragged row) stops the import, naming the row, and
    nothing is written. A real run is one commit; running it again changes nothing.

    \b
    rmtui import participants hr.csv --save-mapping hr.toml   # propose, then edit
    rmtui import participants hr.csv -m hr.toml --dry-run     # see what would change
    rmtui import participants hr.csv -m hr.toml --sync        # do it; mark leavers

    \b
    A mapping has one [fields.NAME] table per participant field (attributes as
    [fields.attributes.NAME]) taking one of
      column = "Header"   template = "Employee {EmpID}"   value = "en"
    then, as needed:
      transform = "last-first"        "Last, First  M" -> "First M Last"
      map = { "M" = "male" }          unmapped = "error" | "keep" | "blank"
      default = "..."                 for a blank cell
      split = ";"                     a list from "Python; SQL"
      date = "%m/%d/%y"               two_digit_year = "past" | 30
      from_age = 2017                 birth_year from an age
      lookup = "name"                 manager_id from the manager's name
      blank = "keep"                  a blank cell leaves the field as it is
      only_new = true                 set when a person is added, never again
    and [source] may give key = "employee_id" | "email", encoding, delimiter.
    """
    from rmtui.core import importer

    if mapping_file is not None and save_mapping is not None:
        raise click.UsageError("--save-mapping writes a proposal for a file with no mapping; "
                               "it cannot be used with --mapping")
    # the program first when there is one to import into, so that problems in the
    # file are shown relative to where the person is, with the offending line
    prog = program() if mapping_file is not None or dry_run else None
    mapping = importer.load_mapping(mapping_file) if mapping_file is not None else None
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    table = importer.read_table(
        file, encoding=encoding or (mapping.encoding if mapping else None),
        delimiter=delimiter or (mapping.delimiter if mapping else None))
    click.echo(f"read {table.describe()}", err=True)
    if mapping is None:
        proposal = importer.propose(table)
        text = proposal.to_toml(f"rmtui import mapping proposed for {table.name}")
        if save_mapping is not None:
            _save(save_mapping, text)
        else:
            click.echo(text, nl=False)
        if not dry_run:
            click.echo("nothing was imported: this is a proposed mapping", err=True)
            click.echo(f"hint: review it{' in ' + str(save_mapping) if save_mapping else ''}, "
                       "then run `rmtui import participants "
                       f"{file} --mapping {save_mapping or 'MAPPING.toml'} --dry-run`", err=True)
            return
        mapping = proposal
    assert prog is not None
    plan = importer.make_plan(prog, table, mapping, role=role, sync=sync)
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    if dry_run:
        for w in plan.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2) if fmt == "json"
                   else render_plan(plan), nl=fmt == "json")
        click.echo("dry run: nothing was written", err=True)
        return
    from rmtui.core.ops.imports import import_participants

    outcome = import_participants(prog, plan, commit=not no_commit)
    if fmt == "json":
        click.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
    report(outcome)


def _save(path: Path, text: str) -> None:
    if path.exists():
        raise click.UsageError(f"{path} already exists: rmtui does not overwrite a mapping "
                               "(it may hold your edits); remove it or choose another name")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror) from None
    click.echo(f"wrote {path}", err=True)


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    return json.dumps(value, ensure_ascii=False)


def render_plan(plan) -> str:
    """The plan as people read it: counts first, then each person and field."""
    key = plan.mapping.key
    lines = [plan.table.describe()]
    missing = len(plan.missing)
    marked = sum(m.marked for m in plan.missing)
    summary = (f"{len(plan.added)} to add, {len(plan.changed)} to update, "
               f"{len(plan.unchanged)} unchanged, {missing} missing from the file")
    if missing:
        summary += (f" ({marked} to mark left_company)" if plan.sync
                    else " (--sync marks them left_company)")
    lines.append(summary)
    if plan.added:
        lines += ["", "added:"]
        width = max(len(a.id) for a in plan.added)
        for a in plan.added:
            lines.append(f"  + {a.id.ljust(width)}  {a.data.get('name')} "
                         f"({key} {a.data.get(key)}, row {a.row.number})")
    if plan.changed:
        lines += ["", "updated:"]
        for u in plan.changed:
            lines.append(f"  ~ {u.id} ({key} {u.after.get(key)}, row {u.row.number})")
            for c in u.changes:
                lines.append(f"      {c.field}: {_shown(c.old)} -> {_shown(c.new)}")
    if plan.missing:
        lines += ["", "missing from the file:"]
        for m in plan.missing:
            if m.marked:
                what = f"status {m.status} -> left_company"
            elif m.status == "left_company":
                what = "already left_company"
            else:
                what = f"status {m.status}" + ("" if plan.sync else "; --sync marks left_company")
            lines.append(f"  - {m.id} ({key} {m.key}): {what}")
    return "\n".join(lines) + "\n"
