"""How errors reach a person: a message, located diagnostics, a hint, an exit code.

Nothing the user can cause ends in a traceback. Diagnostics print as
``path:line:col: error[rule]: message``, then the offending line with a
caret, then ``hint: ...`` (the hledger habit).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import click

from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import RmtuiError


def _display_path(root: Path | None, rel: str) -> str:
    if root is None:
        return rel
    full = root / rel
    try:
        shown = os.path.relpath(full)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(full)
    return shown if not shown.startswith("../../..") else str(full)


def _excerpt(root: Path | None, d: Diagnostic) -> list[str]:
    if root is None or d.line is None or d.rule == "encoding":
        return []
    from rmtui.core.yamlio import peek

    raw = peek(root / d.path)
    if raw is None:
        return []
    if b"\x00" in raw[:4096]:
        return []
    lines = raw.decode("utf-8", "replace").split("\n")
    if not 0 < d.line <= len(lines):
        return []
    text = lines[d.line - 1].rstrip("\r").replace("\t", "→")
    if len(text) > 120:
        text = text[:119] + "…"
    gutter = str(d.line)
    out = [f"  {gutter} | {text}"]
    if d.col:
        out.append(f"  {' ' * len(gutter)} | {' ' * (d.col - 1)}^")
    return out


def format_diagnostic(d: Diagnostic, root: Path | None = None, excerpt: bool = True) -> str:
    lines = [d.headline(_display_path(root, d.path))]
    if excerpt:
        lines.extend(_excerpt(root, d))
    if d.hint:
        lines.append(f"  hint: {d.hint}")
    return "\n".join(lines)


def print_diagnostics(diags: Iterable[Diagnostic], root: Path | None, err: bool = True) -> None:
    for d in diags:
        click.echo(format_diagnostic(d, root), err=err)


class CliError(click.ClickException):
    """An :class:`RmtuiError` on its way out through click."""

    def __init__(self, error: RmtuiError, root: Path | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.root = root
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:  # noqa: ARG002 - always stderr
        if self.error.diagnostics:
            print_diagnostics(self.error.diagnostics, self.root)
        click.echo(f"error: {self.error.message}", err=True)
        if self.error.hint:
            click.echo(f"hint: {self.error.hint}", err=True)
