"""History: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class HistoryScreen(ProgramScreen):
    TITLE_TEXT = "History"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("History")
        yield Footer()


SCREEN = HistoryScreen
