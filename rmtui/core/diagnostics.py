"""Diagnostics: one problem in one file, located as precisely as we can."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at ``path:line:col`` (1-based; line and col may be unknown).

    ``path`` is relative to the program folder, with ``/`` separators.
    ``rule`` names the check (``schema``, ``yaml-syntax``, ``unknown-ref``, ...)
    so people can grep for it and tools can group by it.
    """

    path: str
    line: int | None
    col: int | None
    severity: str
    rule: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self, path: str | None = None) -> str:
        where = path if path is not None else self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def headline(self, path: str | None = None) -> str:
        return f"{self.location(path)}: {self.severity}[{self.rule}]: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def error(path: str, rule: str, message: str, hint: str | None = None,
          line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, col, ERROR, rule, message, hint)


def warning(path: str, rule: str, message: str, hint: str | None = None,
            line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, col, WARNING, rule, message, hint)


def sort_key(d: Diagnostic) -> tuple:
    return (d.path, d.line or 0, d.col or 0, d.rule, d.message)
