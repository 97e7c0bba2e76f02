"""Errors the core raises, each with the exit code DESIGN.md gives it.

0 ok, 1 invalid data or failed check, 2 usage error, 3 repository busy or
git error, 130 interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rmtui.core.diagnostics import Diagnostic

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_REPO = 3
EXIT_INTERRUPTED = 130


class RmtuiError(Exception):
    """An error a person can act on: what is wrong, and what to do."""

    exit_code = EXIT_INVALID

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        diagnostics: Sequence[Diagnostic] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.diagnostics = list(diagnostics)


class DataError(RmtuiError):
    """The data is invalid, or a check failed."""

    exit_code = EXIT_INVALID


class UsageError(RmtuiError):
    """The command was called wrongly: an unknown id, field or value."""

    exit_code = EXIT_USAGE


class RepoError(RmtuiError):
    """git failed, the repository is busy, or a file changed underneath us."""

    exit_code = EXIT_REPO
