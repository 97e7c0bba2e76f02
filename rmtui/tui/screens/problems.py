"""Problems: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class ProblemsScreen(ProgramScreen):
    TITLE_TEXT = "Problems"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Problems")
        yield Footer()


SCREEN = ProblemsScreen
