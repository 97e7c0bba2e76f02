"""``rmtui migrate``: upgrade a program written in an older file format."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report


@click.command()
@click.option("--no-commit", is_flag=True, help="Write the upgraded files but do not commit them.")
def migrate(no_commit: bool) -> None:
    """Upgrade a program in an older file format to this rmtui's, in one commit.

    program.toml says which format a program uses (schema_version; none means 0).
    Each upgrade step renames what changed between two versions, keeping comments
    and key order; all steps together make one commit, so `git show` lists every
    change and `rmtui undo` takes it back. Does nothing on a program that is up to
    date.
    """
    from rmtui.core.migrate import migrate as run

    outcome, done = run(program(any_version=True), commit=not no_commit)
    for line in done:
        click.echo(line, err=True)
    report(outcome)
