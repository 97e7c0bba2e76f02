"""A virtual table: renders only the rows on screen, so 10,000 rows cost what 30 do.

Textual's stock ``DataTable`` lays out every row before it becomes ready
(3 to 4 s at 10,000 rows); this one keeps plain tuples and draws each visible
line on demand. It sorts by any column (``s`` cycles the column, ``S`` flips the
order) and filters by a text that must appear in the row (``filter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 0  # 0: share what is left
    drop: int = 0   # when the table is too narrow, columns with the highest drop go first


def _sort_key(value):
    if value is None or value == "":
        return (2, "")
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).casefold())


class VirtualTable(ScrollView, can_focus=True):
    """Rows of plain values; one row key each (the first value)."""

    COMPONENT_CLASSES = {"vtable--header", "vtable--cursor", "vtable--cursor-blurred"}
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; }
    VirtualTable > .vtable--cursor { background: $accent; color: $text; text-style: bold; }
    VirtualTable > .vtable--cursor-blurred { background: $panel; text-style: bold; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
        Binding("s", "sort_next", "Sort"),
        Binding("S", "sort_flip", "Reverse", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Highlighted):
        pass

    def __init__(self, columns: Sequence[Column], *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self._rows: list[tuple] = []
        self._haystack: list[str] = []
        self._view: list[int] = []
        self._filter = ""
        self.sort_column: int | None = None
        self.sort_reverse = False

    # -- data ------------------------------------------------------------------

    def set_rows(self, rows: Sequence[tuple], *, keep_cursor: bool = True) -> None:
        """Replace every row; the cursor stays on the same key where it can."""
        key = self.cursor_key if keep_cursor else None
        self._rows = list(rows)
        self._haystack = ["\t".join("" if v is None else str(v) for v in r).casefold()
                          for r in self._rows]
        self._rebuild(key)

    @property
    def row_count(self) -> int:
        return len(self._view)

    @property
    def total(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> tuple:
        return self._rows[self._view[index]]

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor < len(self._view):
            return str(self._rows[self._view[self.cursor]][0])
        return None

    @property
    def cursor_row(self) -> tuple | None:
        return self.row(self.cursor) if 0 <= self.cursor < len(self._view) else None

    def filter(self, text: str) -> None:
        """Show only rows holding every word of ``text`` (case- and accent-blind on ids)."""
        self._filter = text.casefold().strip()
        self._rebuild(self.cursor_key)

    def sort_by(self, column: int | None, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self._rebuild(self.cursor_key)

    def move_to(self, key: str) -> bool:
        for i, r in enumerate(self._view):
            if str(self._rows[r][0]) == key:
                self.cursor = i
                return True
        return False

    def _rebuild(self, key: str | None) -> None:
        words = self._filter.split()
        if words:
            hay = self._haystack
            view = [i for i in range(len(self._rows)) if all(w in hay[i] for w in words)]
        else:
            view = list(range(len(self._rows)))
        if self.sort_column is not None:
            c = self.sort_column
            rows = self._rows
            view.sort(key=lambda i: _sort_key(rows[i][c]), reverse=self.sort_reverse)
        self._view = view
        self.virtual_size = Size(self.size.width, len(view) + 1)
        self.cursor = 0
        if key is not None:
            self.move_to(key)
        self.refresh()

    # -- rendering ---------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        """Each column's width; 0 for columns left out because the table is too narrow."""
        total -= 2  # the cursor gutter
        shown = list(range(len(self.columns)))
        flex_min = 12

        def need(cols: list[int]) -> int:
            return sum((self.columns[i].width or flex_min) + 1 for i in cols)

        for i in sorted(shown, key=lambda i: -self.columns[i].drop):
            if need(shown) <= total or self.columns[i].drop == 0:
                break
            shown.remove(i)
        fixed = sum(self.columns[i].width + 1 for i in shown if self.columns[i].width)
        flex = [i for i in shown if not self.columns[i].width]
        share = max(flex_min, (total - fixed) // max(1, len(flex)) - 1) if flex else 0
        return [(c.width or share) if i in shown else 0 for i, c in enumerate(self.columns)]

    def _line(self, values: Sequence, widths: list[int], style: Style) -> Text:
        line = Text(style=style, no_wrap=True, end="")
        for v, w in zip(values, widths, strict=False):
            if not w:
                continue
            cell = Text("" if v is None else str(v))
            cell.truncate(w, overflow="ellipsis", pad=True)
            line.append_text(cell)
            line.append(" ")
        return line

    def _strip(self, prefix: str, values: Sequence, widths: list[int], style: Style,
               width: int) -> Strip:
        line = Text(prefix, style=style, no_wrap=True, end="")
        line.append_text(self._line(values, widths, style))
        line.truncate(width, overflow="crop", pad=True)
        return Strip(line.render(self.app.console), width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._widths(width)
        if y == 0:
            labels = []
            for i, c in enumerate(self.columns):
                mark = ""
                if i == self.sort_column:
                    mark = " v" if self.sort_reverse else " ^"
                labels.append(c.label + mark)
            return self._strip("  ", labels, widths,
                               self.get_component_rich_style("vtable--header"), width)
        index = y - 1 + self.scroll_offset.y
        if index >= len(self._view):
            return Strip.blank(width, self.rich_style)
        values = self._rows[self._view[index]]
        if index == self.cursor:  # a marker too, so the cursor shows without colour
            part = "vtable--cursor" if self.has_focus else "vtable--cursor-blurred"
            return self._strip("> ", values, widths, self.get_component_rich_style(part), width)
        return self._strip("  ", values, widths, self.rich_style or Style(), width)

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._view) + 1)

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._view:
            return
        clamped = max(0, min(new, len(self._view) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        top = self.scroll_offset.y
        body = self._body_height()
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + body:
            self.scroll_to(y=new - body + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_key))

    # -- actions --------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        self.cursor = self.cursor + direction * self._body_height()

    def action_edge(self, end: int) -> None:
        self.cursor = len(self._view) - 1 if end else 0

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def action_sort_next(self) -> None:
        col = 0 if self.sort_column is None else (self.sort_column + 1) % len(self.columns)
        self.sort_by(col, False)

    def action_sort_flip(self) -> None:
        self.sort_by(self.sort_column or 0, not self.sort_reverse)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x, widths = 2, self._widths(self.scrollable_content_region.width)
            for i, w in enumerate(widths):
                if w and x <= event.x < x + w + 1:
                    self.sort_by(i, self.sort_column == i and not self.sort_reverse)
                    return
                x += w + 1
            return
        self.cursor = event.y - 1 + self.scroll_offset.y
        self.focus()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
