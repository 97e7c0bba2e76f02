"""Matching: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class MatchingScreen(ProgramScreen):
    TITLE_TEXT = "Matching"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Matching")
        yield Footer()


SCREEN = MatchingScreen
