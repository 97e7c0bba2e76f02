"""Every command has help, and the command list matches the commands."""

from __future__ import annotations

import click
import pytest

from rmtui.cli import ALIASES, COMMANDS, cli


def _all_commands() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        out.append((name,))
        if isinstance(cmd, click.Group):
            out.extend((name, sub) for sub in cmd.commands)
    return out


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "rmtui")
def test_every_command_has_help(rmtui, path: tuple[str, ...]) -> None:
    run = rmtui(*path, "--help")
    assert run.code == 0
    assert "Usage: rmtui" in run.out
    body = run.out.split("\n\n", 1)[1]
    assert len(body.strip()) > 20, "the command needs a description"


def test_listed_short_help_matches_the_command() -> None:
    ctx = click.Context(cli)
    for name, (_, short) in COMMANDS.items():
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        assert cmd.get_short_help_str(limit=200) == short, name


def test_aliases_reach_their_commands(rmtui) -> None:
    assert set(ALIASES.values()) <= set(COMMANDS)
    assert rmtui("check", "--help").out.replace("check", "validate") == \
        rmtui("validate", "--help").out


def test_every_entity_group_has_the_five_verbs() -> None:
    ctx = click.Context(cli)
    for name in ("participant", "goal", "pair", "agreement", "session", "survey", "response"):
        group = cli.get_command(ctx, name)
        assert {"add", "list", "show", "edit", "remove"} <= set(group.commands), name
