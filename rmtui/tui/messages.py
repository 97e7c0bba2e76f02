"""Messages that carry results up from workers and widgets (never widgets down)."""

from __future__ import annotations

from textual.message import Message


class ProgramChanged(Message):
    """Files of the program changed on disk (an editor, ``git pull``, another rmtui)."""

    def __init__(self, paths: list[str], own: bool = False) -> None:
        super().__init__()
        self.paths = paths
        self.own = own


class OpenEntity(Message):
    """Show one entity: a participant in People, a pair in Pairs, a file's line in Problems."""

    def __init__(self, kind: str, entity_id: str) -> None:
        super().__init__()
        self.kind = kind
        self.entity_id = entity_id
