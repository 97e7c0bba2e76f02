"""`?`: the keys of the screen underneath, and what it is for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from rmtui.tui.screens.base import bindings_of

GENERAL = """\
1-7      Dashboard, People, Matching, Pairs, Surveys, History, Problems
ctrl+p   command palette: every screen and action by name
ctrl+r   reload from disk (the app also reloads by itself when files change)
?        this help         ctrl+q  quit"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        # one Static in one scroller: the help opens on the first key pressed, often
        # while the dashboard is still loading, so it is kept cheap to lay out
        title = getattr(self.under, "TITLE_TEXT", "") or "rmtui"
        lines = []
        seen = set()
        focused = self.under.focused
        for b in [*bindings_of(self.under), *bindings_of(focused)]:
            if b.description and b.description not in seen:
                seen.add(b.description)
                lines.append(f"{self.app.get_key_display(b):<8} {b.description}")
        text = Text(f"{title}: keys\n\n", style="bold")
        text.append("\n".join(lines) or "(no keys of its own)", style="not bold")
        help_text = getattr(self.under, "HELP", "")
        if help_text:
            text.append(f"\n\n{help_text}", style="not bold")
        text.append("\n\nEverywhere\n\n")
        text.append(f"{GENERAL}\n\nesc closes this help.", style="not bold")
        with VerticalScroll(classes="dialog help"):
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
