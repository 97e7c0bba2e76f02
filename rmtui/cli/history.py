"""``rmtui history`` and ``rmtui undo``: the git log as the audit trail."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.output import OutputSpec, emit, output_options

FIELDS = ("commit", "date", "author", "subject")


@click.command()
@click.argument("entity_id", metavar="[ID]", required=False)
@click.option("--kind", type=click.Choice(["participant", "goal", "pair", "agreement", "session",
                                           "survey", "response"]),
              help="The kind of ID, when several kinds share it.")
@click.option("-n", "--limit", type=click.IntRange(1), metavar="N", help="Show at most N commits.")
@output_options()
def history(entity_id: str | None, kind: str | None, limit: int | None, out: OutputSpec) -> None:
    """List the commits that changed the program, or one entity.

    For a pair, its agreement and sessions count too; for a survey, its responses.
    The `op` column names the rmtui operation (empty for changes made by hand).
    """
    from rmtui.core import ops

    commits = ops.history(program(), entity_id, kind, limit)
    rows = [{"commit": c.sha[:10], "sha": c.sha, "date": c.date[:10], "time": c.date,
             "author": c.author, "subject": c.subject, "op": c.op or ""} for c in commits]
    emit(rows, out, FIELDS, known=("commit", "sha", "date", "time", "author", "subject", "op"),
         empty="no commits")


@click.command()
def undo() -> None:
    """Revert rmtui's last change to the program with a new commit.

    Changes made by hand are left alone; run undo again to undo the undo.
    """
    from rmtui.core import ops

    report(ops.undo(program()))
