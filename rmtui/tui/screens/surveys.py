"""Surveys: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class SurveysScreen(ProgramScreen):
    TITLE_TEXT = "Surveys"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Surveys")
        yield Footer()


SCREEN = SurveysScreen
