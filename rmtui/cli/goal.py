"""``rmtui goal``: SMART goals, their progress, done or dropped."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import make_group

group = make_group(
    "goal",
    "Add, list, show, edit and remove goals; record progress, mark them done or drop them."
    "\n\nSMART goals: owner, pair, measure, baseline, target and due date (`goal add "
    "--owner ID --pair ID --title TEXT --measure TEXT --target VALUE --due DATE`); "
    "`rmtui validate` warns about a goal without a measure, a target or a due date.",
)


def _date_option(what: str):
    return click.option("--date", "on", metavar="DATE", default="today", show_default=True,
                        help=f"The day {what} (YYYY-MM-DD, today or yesterday).")


_NO_COMMIT = click.option("--no-commit", is_flag=True, help="Write the file but do not commit it.")


@group.command("progress")
@click.argument("goal_id", metavar="ID")
@_date_option("of the update")
@click.option("--note", metavar="TEXT", help="What happened.")
@click.option("--value", metavar="VALUE", help="Where the owner is now on the goal's measure.")
@_NO_COMMIT
def progress(goal_id: str, on: str, note: str | None, value: str | None,
             no_commit: bool) -> None:
    """Add a dated progress update (a note, the measure's value, or both) to an open goal."""
    from rmtui.core import values
    from rmtui.core.ops import goals

    parsed = values.parse("goal", "target", value) if value is not None else None
    report(goals.progress(program(), goal_id, on=values.parse_date(on), note=note, value=parsed,
                          commit=not no_commit), quiet_id=True)


@group.command("done")
@click.argument("goal_id", metavar="ID")
@_date_option("it was reached")
@_NO_COMMIT
def done(goal_id: str, on: str, no_commit: bool) -> None:
    """Mark an open goal done, dated."""
    from rmtui.core import values
    from rmtui.core.ops import goals

    report(goals.close(program(), goal_id, "done", on=values.parse_date(on),
                       commit=not no_commit), quiet_id=True)


@group.command("drop")
@click.argument("goal_id", metavar="ID")
@click.option("--reason", metavar="TEXT", required=True,
              help="Why the goal is dropped (kept in the goal file). Required.")
@_date_option("it was dropped")
@_NO_COMMIT
def drop(goal_id: str, reason: str, on: str, no_commit: bool) -> None:
    """Drop an open goal, with the reason, dated."""
    from rmtui.core import values
    from rmtui.core.ops import goals

    report(goals.close(program(), goal_id, "dropped", on=values.parse_date(on), reason=reason,
                       commit=not no_commit), quiet_id=True)
