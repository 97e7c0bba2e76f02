"""Dashboard: (being built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from rmtui.tui.screens.base import ProgramScreen


class DashboardScreen(ProgramScreen):
    TITLE_TEXT = "Dashboard"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Dashboard")
        yield Footer()


SCREEN = DashboardScreen
