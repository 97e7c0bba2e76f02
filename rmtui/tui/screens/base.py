"""What every screen of the app shares: the program, a reload hook, a title bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from rmtui.tui.widgets.vtable import VirtualTable

if TYPE_CHECKING:
    from rmtui.core.store import Program
    from rmtui.tui.app import RmtuiApp


def bindings_of(node: object) -> list[Binding]:
    """A screen's or widget's own BINDINGS, tuples turned into Binding."""
    return [b if isinstance(b, Binding) else Binding(*b) for b in getattr(node, "BINDINGS", [])]


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

    def _data_changed(self, old: int, new: int) -> None:
        if old == new:  # Textual calls watchers once, unchanged, when a reactive is
            return      # first read (reactives are set up lazily): nothing changed
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


class FilteredListScreen(ProgramScreen):
    """A screen whose ``Input#filter`` filters its :class:`VirtualTable`.

    ``/`` focuses the box, a letter that is not a key of the screen starts it with
    that letter, esc clears it and Enter goes back to the table.
    """

    FILTER_BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def after_filter(self) -> None:
        """Called when the filter changed the rows shown (update counts, the pane)."""

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(VirtualTable).filter(event.value)
        self.after_filter()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(VirtualTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(VirtualTable).focus()

    def on_key(self, event: events.Key) -> None:
        # Textual calls every class's on_key along the MRO: subclasses override
        # key_typed instead
        self.key_typed(event)

    def key_typed(self, event: events.Key) -> None:
        self.start_filter_with(event)

    def start_filter_with(self, event: events.Key) -> bool:
        """A lower-case letter typed on the table that is no key here starts the filter."""
        char = event.character
        if not (self.query_one(VirtualTable).has_focus and char and char.isalpha()
                and not char.isupper() and event.key not in self._keys()):
            return False
        box = self.query_one("#filter", Input)
        box.value += char
        box.cursor_position = len(box.value)
        box.focus()
        event.stop()
        return True

    def _keys(self) -> set[str]:
        keys: set[str] = set()
        for b in [*bindings_of(self), *bindings_of(VirtualTable)]:
            keys.update(b.key.split(","))
        return keys
