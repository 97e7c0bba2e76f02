"""What every screen of the app shares: the program, a reload hook, a title bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from rmtui.core.store import Program
    from rmtui.tui.app import RmtuiApp


class ProgramScreen(Screen):
    """A screen over the program; :meth:`reload` runs when its files change."""

    TITLE_TEXT = ""
    HELP = ""  # a paragraph for `?`, under the screen's keys

    @property
    def rapp(self) -> RmtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def program(self) -> Program:
        return self.rapp.program

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT
        self.watch(self.rapp, "data_version", self._data_changed, init=False)
        self.reload()

    _stale = False

    def _data_changed(self, _old: int, _new: int) -> None:
        if self.is_current:
            self.reload()
        else:  # reloaded when shown again, not while out of sight
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Load (in a worker) what the screen shows; called on mount and on change."""

    def open_entity(self, kind: str, entity_id: str) -> None:
        """Select one entity (after :class:`~rmtui.tui.messages.OpenEntity`)."""
