"""The ``rmtui`` command line: one module per noun, all over ``core.ops``.

Commands are imported only when they run, so ``rmtui --help`` stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from rmtui import __version__
from rmtui.cli.context import State, root_or_none
from rmtui.cli.errors import CliError
from rmtui.core.errors import EXIT_INTERRUPTED, RmtuiError

# name -> (module:attribute, short help). The short help is here so that
# listing commands does not import them all.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("rmtui.cli.program:init", "Create a new program in PATH from the template."),
    "demo": ("rmtui.cli.program:demo", "Build a realistic sample program in PATH."),
    "validate": ("rmtui.cli.validate:validate",
                 "Check every file against its JSON Schema and every cross-file rule."),
    "participant": ("rmtui.cli.participant:group",
                    "Add, list, show, edit and remove participants."),
    "pair": ("rmtui.cli.pair:group",
             "Add, list, show, edit and remove pairs; accept, start, pause, resume, complete "
             "or end them."),
    "match": ("rmtui.cli.match:group",
              "Suggest optimal mentor-mentee pairs, explain them, publish them, check them."),
    "goal": ("rmtui.cli.goal:group",
             "Add, list, show, edit and remove goals; record progress, mark them done or drop "
             "them."),
    "agreement": ("rmtui.cli.agreement:group",
                  "Add, list, show, edit and remove learning agreements; fill one from the "
                  "template and sign it."),
    "session": ("rmtui.cli.session:group", "Log, list, show, edit and remove mentoring sessions."),
    "survey": ("rmtui.cli.survey:group",
               "Add, list, show, edit and remove surveys; send one to participants."),
    "response": ("rmtui.cli.response:group",
                 "Add, list, show, edit and remove survey responses; import them from Forms or "
                 "Qualtrics."),
    "kpi": ("rmtui.cli.kpi:group", "Show every KPI with its value, target, status and n."),
    "report": ("rmtui.cli.report:report",
               "Write a one-page program report for leadership (Markdown or HTML)."),
    "import": ("rmtui.cli.importer:group",
               "Import data from other systems: participants from an HR export."),
    "export": ("rmtui.cli.export:export",
               "Export entities as CSV, JSON or JSONL, or sessions as an iCalendar file."),
    "history": ("rmtui.cli.history:history",
                "List the commits that changed the program, or one entity."),
    "undo": ("rmtui.cli.history:undo", "Revert rmtui's last change to the program with a new commit."),
    "sync": ("rmtui.cli.sync:sync",
             "Pull the others' changes (rebasing yours), validate, and push."),
    "merge-file": ("rmtui.cli.sync:merge_file",
                   "Merge two versions of a program file: git's merge driver for rmtui."),
    "tui": ("rmtui.cli.tui:tui", "Open the program in the terminal app."),
    "serve": ("rmtui.cli.tui:serve",
              "Serve the terminal app to a web browser, for people who do not use a terminal."),
    "migrate": ("rmtui.cli.migrate:migrate",
                "Upgrade a program in an older file format to this rmtui's, in one commit."),
}
ALIASES = {
    "check": "validate", "participants": "participant", "pairs": "pair", "goals": "goal",
    "agreements": "agreement", "sessions": "session", "surveys": "survey",
    "responses": "response", "log": "history",
}


class RmtuiGroup(click.Group):
    """Lazy subcommands, aliases, and errors turned into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        name = ALIASES.get(name, name)
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RmtuiError as exc:
            raise CliError(exc, root_or_none()) from None


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group("rmtui", cls=RmtuiGroup, context_settings=CONTEXT, invoke_without_command=True)
@click.option("-C", "--program", "program_path", metavar="PATH", envvar="RMTUI_PROGRAM",
              help="The program folder [default: the nearest folder upward holding program.toml; "
                   "env RMTUI_PROGRAM].")
@click.version_option(__version__, "-V", "--version", prog_name="rmtui")
@click.pass_context
def cli(ctx: click.Context, program_path: str | None) -> None:
    """rmtui runs reverse-mentoring programs: a git-versioned folder of YAML files.

    Every change is one git commit; `rmtui validate` checks everything; lists and
    reports take --format table|csv|tsv|json|jsonl|yaml|markdown.
    """
    ctx.obj = State(program_path)
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from rmtui.cli.tui import open_app

            open_app(ctx.obj)
            return
        click.echo(ctx.get_help())


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit codes 0 ok, 1 invalid data, 2 usage, 3 git/busy, 130 interrupted."""
    try:
        cli.main(args=argv, prog_name="rmtui", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("\ninterrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except RmtuiError as exc:
        CliError(exc).show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # the reader (head, less) went away: nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:  # a bug: say so briefly, with a way to see the traceback
        if os.environ.get("RMTUI_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("hint: this is a bug in rmtui; run again with RMTUI_DEBUG=1 for the "
                   "traceback, and report it", err=True)
        sys.exit(1)
    sys.exit(0)
