"""``rmtui sync`` and ``rmtui merge-file``: many owners, one program."""

from __future__ import annotations

import sys

import click

from rmtui.cli.context import program


@click.command()
@click.option("--no-push", is_flag=True, help="Pull and check, but do not push.")
def sync(no_push: bool) -> None:
    """Pull the others' changes (rebasing yours), validate, and push.

    Program files merge field by field, and two sessions of one pair logged on one
    day on two clones both stay (see README: Many owners). On a conflict it stops
    in the rebase, lists the entities in conflict and says how to go on; with
    validation errors it stops before pushing. Exits 3 on a conflict or git error,
    1 on invalid data.
    """
    from rmtui.core.ops.sync import sync as run

    result = run(program(), push=not no_push)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"pulled {result.pulled} commit(s), pushed {result.pushed} commit(s)", err=True)


@click.command("merge-file")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path")
def merge_file(base: str, ours: str, theirs: str, path: str) -> None:
    """Merge two versions of a program file: git's merge driver for rmtui.

    git runs it as `rmtui merge-file -- %O %A %B %P` for the files .gitattributes
    marks `merge=rmtui` (set up by init, sync and migrate). Writes the result into
    OURS; exits 0 when the merge is clean, 1 when a conflict is left for a person.
    """
    from rmtui.core.merge import main

    sys.exit(main([base, ours, theirs, path]))
