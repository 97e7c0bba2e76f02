"""Every mutation the CLI and the TUI offer: check, write, commit.

Each submodule holds one family of mutations; all of them go through
:func:`rmtui.core.ops.change.change`, so every one is a single commit of
exactly the files it touched, or nothing at all.
"""

from rmtui.core.ops.change import Change, Outcome, change
from rmtui.core.ops.entities import (
    Assignment,
    Reference,
    add,
    check_text,
    edit,
    new_id,
    parse_assignment,
    references_to,
    remove,
    replace_text,
    text_of,
)
from rmtui.core.ops.history import Shown, entity_paths, history, show, undo, undo_target
from rmtui.core.ops.imports import import_participants
from rmtui.core.ops.pairs import new_agreement, sign_agreement, transition
from rmtui.core.ops.program import init_program, template_files
from rmtui.core.ops.sessions import log_session

__all__ = [
    "Assignment", "Change", "Outcome", "Reference", "Shown", "add", "change", "check_text", "edit",
    "entity_paths", "history", "import_participants", "init_program", "log_session",
    "new_agreement", "new_id", "parse_assignment", "references_to", "remove", "replace_text",
    "show", "sign_agreement", "template_files", "text_of", "transition", "undo",
    "undo_target",
]
