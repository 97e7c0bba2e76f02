"""``rmtui kpi``: the program's KPIs against their targets, now, then, by group, over time."""

from __future__ import annotations

import json

import click

from rmtui.cli.context import program
from rmtui.cli.output import OutputSpec, emit, output_options, write

FIELDS = ("kpi", "value", "target", "status", "n", "note")
KNOWN = ("kpi", "label", "value", "target", "status", "met", "n", "note", "definition", "unit")


def _as_of_option(func):
    return click.option("--as-of", "as_of", metavar="DATE",
                        help="Compute as of this day (YYYY-MM-DD) [default: today; with --at, "
                             "the day of that commit].")(func)


def _parse_day(text: str | None):
    import datetime as dt

    from rmtui.core import values

    return dt.date.fromisoformat(values.parse_date(text, "--as-of")) if text else None


def reads_whole_program(func):
    """The command builds hundreds of thousands of plain objects (none in cycles): the
    cyclic garbage collector's full passes over them would cost more than the command
    itself, so it rests while the command runs."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from rmtui.core.parallel import gc_paused

        with gc_paused():
            return func(*args, **kwargs)

    return wrapper


def _warn_skipped(snap) -> None:
    if snap.skipped:
        click.echo(f"warning: {snap.skipped} file(s) could not be read or are invalid and are "
                   "left out of the KPIs; `rmtui validate` says why", err=True)


def kpi_rows(values: dict, *, for_people: bool) -> list[dict]:
    """One row per KPI: shown text for people, plain numbers for scripts."""
    rows = []
    for v in values.values():
        rows.append({
            "kpi": v.name, "label": v.label,
            "value": v.shown if for_people else v.to_json()["value"],
            "target": v.shown_target if for_people else v.target,
            "status": v.status, "met": v.met, "n": v.n, "note": v.reason or "",
            "definition": v.definition, "unit": v.unit,
        })
    return rows


@click.group("kpi", invoke_without_command=True)
@_as_of_option
@click.option("--at", "at", metavar="COMMIT",
              help="Compute from the program as it was at this commit (read from git; the "
                   "working tree is not touched).")
@click.option("--by", "by", metavar="FIELD",
              help="One column per group of participants: department, location, cohort, "
                   "role or any participant field (attributes.x too). Groups under "
                   "kpi.min_group_size people are hidden.")
@output_options()
@click.pass_context
@reads_whole_program
def group(ctx: click.Context, as_of: str | None, at: str | None, by: str | None,
          out: OutputSpec) -> None:
    """Show every KPI with its value, target, status and n.

    The definitions are those of DESIGN.md (see README, "KPIs"); targets come from
    program.toml [targets]. A KPI whose inputs are missing shows n/a and the reason.
    `--format json` gives an object keyed by KPI name, each {value, target, met, n}.
    """
    if ctx.invoked_subcommand is not None:
        if as_of or at or by or out.format or out.fields or out.output:
            raise click.UsageError("options go after the subcommand: rmtui kpi trend --format ...")
        return
    from rmtui.core import kpi

    prog = program()
    snap = kpi.snapshot_at(prog, at) if at else kpi.snapshot(prog)
    _warn_skipped(snap)
    day = _parse_day(as_of)
    if by:
        _emit_grouped(kpi.compute_by(snap, by, day), out)
        return
    values = kpi.compute(snap, day)
    fmt = out.resolve_format()
    if fmt == "json" and not out.fields:
        write(json.dumps({k: v.to_json() for k, v in values.items()}, ensure_ascii=False,
                         indent=2) + "\n", out)
        return
    people = fmt in ("table", "markdown")
    emit(kpi_rows(values, for_people=people), out, FIELDS, known=KNOWN)


def _emit_grouped(grouped, out: OutputSpec) -> None:
    fmt = out.resolve_format()
    if fmt == "json" and not out.fields:
        obj = {"field": grouped.field, "min_group_size": grouped.min_size,
               "groups": {label: {"people": grouped.sizes[label],
                                  "kpis": {k: v.to_json() for k, v in values.items()}}
                          for label, values in grouped.groups.items()},
               "hidden": grouped.hidden}
        write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", out)
        return
    people = fmt in ("table", "markdown")
    if people:
        labels = list(grouped.groups)
        rows = []
        for name, overall in grouped.overall.items():
            row = {"kpi": name, "target": overall.shown_target, "all": _cell(overall)}
            for label in labels:
                row[label] = _cell(grouped.groups[label][name])
            rows.append(row)
        rows.append({"kpi": "people", "target": "", "all": str(grouped.people),
                     **{label: str(grouped.sizes[label]) for label in labels}})
        fields = ["kpi", "target", "all", *labels]
        emit(rows, out, fields, known=fields)
        note = grouped.hidden_note
        if note:
            if out.output:
                click.echo(note, err=True)
            else:
                click.echo(f"\n{note}" if fmt == "table" else f"\n_{note}_")
        return
    rows = []
    for label, values in grouped.groups.items():
        for row in kpi_rows(values, for_people=False):
            rows.append({"group": label, "people": grouped.sizes[label], **row})
    fields = ("group", "people", "kpi", "value", "target", "met", "n", "note")
    emit(rows, out, fields, known=("group", "people", *KNOWN))
    if grouped.hidden_note:
        click.echo(grouped.hidden_note, err=True)


def _cell(v) -> str:
    return "n/a" if v.value is None else f"{v.shown} (n={v.n})"


@group.command("trend")
@click.option("--every", type=click.Choice(["week", "month", "quarter"]), default="month",
              show_default=True, help="The length of a period.")
@click.option("--until", metavar="DATE", help="The last day [default: today].")
@click.option("--since", metavar="DATE", help="The first day [default: the first commit].")
@click.option("--source", type=click.Choice(["history", "dates"]), default="history",
              show_default=True,
              help="history: each period from the program as it was at the last commit on or "
                   "before its end; dates: every period from the current files, by their dates "
                   "(for a program whose past was recorded in one commit).")
@output_options()
@reads_whole_program
def trend(every: str, until: str | None, since: str | None, source: str,
          out: OutputSpec) -> None:
    """Show every KPI at the end of each period, with a sparkline per KPI.

    Walks the program's git history: a period's KPIs are computed from the program as
    it was at the last commit on or before the period's end, as of that end; the last
    period ends today (or --until). Only the git objects are read.
    """
    from rmtui.core import kpi

    end = _parse_day(until)
    start = _parse_day(since)
    points = kpi.trend_points(program(), every, until=end, source=source, since=start)
    fmt = out.resolve_format()
    if not points:
        if fmt == "json":
            write("[]\n", out)
        click.echo("no commits in the period", err=True)
        return
    if fmt == "json" and not out.fields:
        obj = [{"date": p.date.isoformat(), "commit": p.commit,
                "kpis": {k: v.to_json() for k, v in p.kpis.items()}} for p in points]
        write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", out)
        return
    if fmt in ("table", "markdown"):
        labels = [_period_label(p.date, every, last=i == len(points) - 1)
                  for i, p in enumerate(points)]
        rows = []
        for name in kpi.NAMES:
            series = [p.kpis[name] for p in points]
            row = {"kpi": name}
            for label, v in zip(labels, series, strict=True):
                row[label] = v.shown
            row["trend"] = kpi.sparkline(v.value for v in series)
            rows.append(row)
        fields = ["kpi", *labels, "trend"]
        emit(rows, out, fields, known=fields)
        return
    rows = []
    for p in points:
        for row in kpi_rows(p.kpis, for_people=False):
            rows.append({"date": p.date.isoformat(), "commit": p.commit or "", **row})
    fields = ("date", "commit", "kpi", "value", "target", "met", "n")
    if source == "dates":
        fields = tuple(f for f in fields if f != "commit")
    emit(rows, out, fields, known=("date", "commit", *KNOWN))


def _period_label(day, every: str, *, last: bool) -> str:
    if every == "month" and not last:
        return day.strftime("%Y-%m")
    if every == "quarter" and not last:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return day.isoformat()
