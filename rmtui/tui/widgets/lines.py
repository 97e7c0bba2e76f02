"""Long styled text that scrolls both ways and draws only the lines on screen.

A ``Static`` lays out all of its text at once: a 2,500-line diff took 0.4 s of the
event loop. This keeps a list of one-line ``Text`` (split in a worker with
:func:`split_lines`) and renders each visible line on demand.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


def split_lines(text: Text | str) -> list[Text]:
    """One ``Text`` per line (safe to call in a worker: no widget is touched)."""
    if isinstance(text, str):
        text = Text(text)
    lines = list(text.split("\n", allow_blank=True))
    if lines and not lines[-1].plain and text.plain.endswith("\n"):
        lines.pop()
    return lines


class TextLines(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    TextLines { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Text] = []

    def set_lines(self, lines: list[Text] | str) -> None:
        """Show these lines (a plain string is split here), scrolled to the top."""
        self._lines = split_lines(lines) if isinstance(lines, str) else lines
        width = max((line.cell_len for line in self._lines), default=0)
        self.virtual_size = Size(width + 1, len(self._lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def plain(self) -> str:
        """The text shown, without styles."""
        return "".join(line.plain + "\n" for line in self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        x0, y0 = self.scroll_offset
        index = y + y0
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = Strip(list(self._lines[index].render(self.app.console, end="")))
        strip = strip.crop_extend(x0, x0 + width, self.rich_style)
        return strip.apply_style(self.rich_style)
