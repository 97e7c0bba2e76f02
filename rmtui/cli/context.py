"""What every command shares: the program it works on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rmtui.core.store import Program


@dataclass
class State:
    program_path: str | None = None
    _program: Program | None = None

    def program(self) -> Program:
        if self._program is None:
            from rmtui.core.store import Program

            self._program = Program.find(self.program_path)
        return self._program


def state() -> State:
    ctx = click.get_current_context()
    obj = ctx.find_object(State)
    if obj is None:
        obj = ctx.ensure_object(State)
    return obj


def program(*, any_version: bool = False) -> Program:
    """The program the command works on; one in an older file format is refused
    (with the hint to run `rmtui migrate`) unless ``any_version``."""
    prog = state().program()
    if not any_version:
        prog.check_version()
    return prog


def root_or_none() -> Path | None:
    obj = click.get_current_context().find_object(State)
    return obj._program.root if obj is not None and obj._program is not None else None


def report(outcome, *, quiet_id: bool = False) -> None:
    """Print an ops outcome: the id on stdout for scripts, the story on stderr."""
    for w in outcome.warnings:
        click.echo(f"warning: {w}", err=True)
    if outcome.entity_id and not quiet_id and outcome.changed:
        click.echo(outcome.entity_id)
    line = outcome.message
    if outcome.commit:
        line += f" (commit {outcome.commit[:10]})"
    elif outcome.changed and outcome.paths:
        line += " (not committed)"
    click.echo(line, err=True)
