"""Pairs: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class PairsScreen(ProgramScreen):
    TITLE_TEXT = "Pairs"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Pairs")
        yield Footer()


SCREEN = PairsScreen
