"""``rmtui tui`` and ``rmtui serve``: the terminal app, in a terminal or a browser."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from rmtui.cli.context import State, state
from rmtui.core.errors import UsageError


def _root(obj: State) -> Path | None:
    """The program to open; None outside one (the app offers to create one)."""
    from rmtui.core.store import Program

    try:
        prog = obj.program()
    except UsageError:
        if obj.program_path:  # asked for by name: say what is wrong
            raise
        return None
    prog.check_version()
    return prog.root if isinstance(prog, Program) else None


def open_app(obj: State) -> None:
    from rmtui.core.ops.change import recover
    from rmtui.tui import run

    root = _root(obj)
    if root is not None:
        from rmtui.core.store import Program

        note = recover(Program(root))  # a change a killed rmtui left half done
        if note:
            click.echo(f"note: {note}", err=True)
    run(root)


@click.command()
def tui() -> None:
    """Open the program in the terminal app.

    `rmtui` with no command does the same when run in a terminal. Keys: 1-7 switch screens (Dashboard, People, Matching, Pairs, Surveys, History,
    Problems), ctrl+p opens the command palette, ? shows the keys of a screen.
    Outside a program, the app offers to create one or to build the demo.
    """
    open_app(state())


@click.command()
@click.option("--host", default="localhost", show_default=True,
              help="The address to listen on; anything but localhost lets other machines in.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="The port to listen on.")
@click.option("--public-url", metavar="URL",
              help="The address browsers use, when it differs from http://HOST:PORT "
                   "(behind a proxy).")
def serve(host: str, port: int, public_url: str | None) -> None:
    """Serve the terminal app to a web browser, for people who do not use a terminal.

    Each browser tab runs its own copy of the app on this machine, on the program of
    this command. It listens on localhost unless --host says otherwise; stop it with
    ctrl+c.
    """
    from textual_serve.server import Server

    root = _root(state())
    if root is None:
        raise UsageError("no program here to serve",
                         hint="pass --program/-C PATH, or cd into a program")
    command = shlex.join([sys.executable, "-m", "rmtui", "-C", str(root), "tui"])
    if host not in ("localhost", "127.0.0.1", "::1"):
        click.echo(f"warning: serving on {host}: anyone who can reach this address can open "
                   "and change the program", err=True)
    click.echo(f"Serving {root} on http://{host}:{port} (ctrl+c stops)", err=True)
    Server(command, host=host, port=port, title="rmtui", public_url=public_url).serve()
