"""``rmtui init`` and ``rmtui demo``: new programs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rmtui.cli.context import report


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", metavar="NAME", help="The program's name [default: the folder's name].")
def init(path: Path, name: str | None) -> None:
    """Create a new program in PATH from the template.

    Writes a commented program.toml (rules, weights, KPI targets), the baseline,
    final, pulse and exit surveys and a learning-agreement template; runs
    `git init` unless PATH is already inside a repository; makes the first
    commit. Refuses to overwrite an existing program.
    """
    from rmtui.core import ops

    report(ops.init_program(path, name))
    click.echo(f"next: cd {path} && rmtui participant add --name ... --role mentor", err=True)


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("-n", "--participants", type=click.IntRange(2, 100_000), default=60,
              show_default=True, help="How many people to create.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed: the same seed and date give the same files, byte for byte.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="The day the sample is built around [default: today].")
def demo(path: Path, participants: int, seed: int, as_of: str | None) -> None:
    """Build a realistic sample program in PATH.

    People with names from many languages, an org chart, pairs in every status,
    agreements, goals, months of sessions and survey responses, in two commits.
    """
    import datetime as dt

    from rmtui.core import values
    from rmtui.core.demo import build_demo

    day = dt.date.fromisoformat(values.parse_date(as_of)) if as_of else None
    bar = _Progress() if sys.stderr.isatty() else None
    try:
        outcome = build_demo(path, participants=participants, seed=seed, as_of=day,
                             progress=bar)
    finally:
        if bar:
            bar.close()
    report(outcome)


class _Progress:
    """A progress bar on stderr, one per stage of the demo."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=max(total, 1), label=stage, file=sys.stderr)
            self.bar.__enter__()
            self.done = 0
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
