"""Driving the app in tests: a fixed terminal size, workers waited for, no blinking."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from rmtui.tui.app import RmtuiApp

SIZE = (80, 24)  # the smallest terminal the app promises to work in; snapshots use it


def run(coro) -> None:
    """Run one test flow (``async with app.run_test() ...``) to its end."""
    asyncio.run(coro)


def text_of(widget) -> str:
    """What a widget shows, as plain text."""
    return str(widget.render())


def make_app(root: Path | None) -> RmtuiApp:
    """The app without the file watcher (tests post changes themselves)."""
    return RmtuiApp(root, watch=False)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and their results reach the screen."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


async def press(pilot: Pilot, *keys: str) -> None:
    """Press ``keys`` as a person would, then :func:`settle`."""
    await pilot.press(*keys)
    await settle(pilot)


def commits(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "log", "--format=%s"], capture_output=True,
                         text=True, check=True).stdout
    return out.splitlines()


def clean(root: Path) -> bool:
    out = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True,
                         text=True, check=True).stdout
    return out == ""
