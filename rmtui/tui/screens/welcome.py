"""Outside a program: create one, or build the demo and open it."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from rmtui.core.errors import RmtuiError

TEXT = ("There is no rmtui program here (no program.toml in this folder or above it).\n\n"
        "Create a new program from the template, or build the demo: a realistic sample "
        "program with people, pairs in every status, months of sessions and surveys.")


class WelcomeScreen(Screen):
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="dialog", id="welcome"):
            yield Static("Welcome to rmtui", classes="dialog-title")
            yield Static(TEXT)
            yield Static("\nFolder:")
            yield Input(str(Path.cwd() / "rmtui-program"), id="path")
            yield Static("", id="welcome-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Create a program", variant="primary", id="create")
                yield Button("Build and open the demo", id="demo")
        yield Footer()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        self.query_one("#welcome-error", Static).update("Working…")
        self._make(path, event.button.id == "demo")

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _make(self, path: Path, demo: bool) -> None:
        from rmtui.core import ops
        from rmtui.core.demo import build_demo

        try:
            if demo:
                build_demo(path)
            else:
                ops.init_program(path)
        except RmtuiError as e:
            msg = e.message + (f"\nhint: {e.hint}" if e.hint else "")
            self.app.call_from_thread(self.query_one("#welcome-error", Static).update, msg)
            return
        self.app.call_from_thread(self._open, path)

    def _open(self, path: Path) -> None:
        self.app.pop_screen()
        self.app.open_program(path)  # type: ignore[attr-defined]
