"""One change: writes under the program lock, then one commit, or nothing at all.

A mutation checks the new content first (schema and cross-file rules), then
writes under the program lock with atomic replaces that refuse when a file
changed since it was read, then commits exactly the files it touched in one
commit whose message says what happened. If anything fails on the way, the
files are put back as they were: no half change is left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rmtui.core import gitrepo, schemas, yamlio
from rmtui.core.errors import DataError, RepoError
from rmtui.core.kinds import Kind
from rmtui.core.lock import program_lock
from rmtui.core.store import Program
from rmtui.core.validate import Finding


@dataclass
class Outcome:
    """What a mutation did, for the CLI to print and the TUI to show."""

    message: str
    paths: list[str] = field(default_factory=list)   # relative to the program folder
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    entity_id: str | None = None
    changed: bool = True


# --------------------------------------------------------------------------
# One change: writes under the lock, then one commit, or nothing at all
# --------------------------------------------------------------------------


class Change:
    """The files one mutation writes, and its commit."""

    def __init__(self, program: Program, commit: bool) -> None:
        self.program = program
        self.want_commit = commit
        self.repo: gitrepo.Repo | None = None
        self.backups: dict[Path, bytes | None] = {}
        self.warnings: list[str] = []
        self.sha: str | None = None

    def _remember(self, path: Path) -> None:
        if path not in self.backups:
            self.backups[path] = yamlio.read_bytes(path)

    def create(self, relpath: str, text: str) -> None:
        path = self.program.abspath(relpath)
        self._remember(path)
        yamlio.write_atomic(path, text.encode("utf-8"), None, new=True)

    def replace(self, relpath: str, data: bytes, expected: str) -> None:
        path = self.program.abspath(relpath)
        self._remember(path)
        yamlio.write_atomic(path, data, expected)

    def delete(self, relpath: str, expected: str | None = None) -> None:
        path = self.program.abspath(relpath)
        current = yamlio.read_bytes(path)
        if current is None:
            return
        if expected is not None and yamlio.digest(current) != expected:
            raise RepoError(f"{relpath} changed on disk since it was read; nothing was removed",
                            hint="look at the change (git diff), then run the command again")
        self._remember(path)
        path.unlink()
        _prune_empty(path.parent, self.program.root)

    @property
    def touched(self) -> list[str]:
        return sorted(self.program.relpath(p) for p in self.backups)

    def rollback(self) -> None:
        for path, original in self.backups.items():
            try:
                if original is None:
                    if path.exists():
                        path.unlink()
                        _prune_empty(path.parent, self.program.root)
                else:
                    yamlio.write_atomic(path, original, None)
            except OSError:  # pragma: no cover - best effort on a failing disk
                pass


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove a folder left empty (sessions/<pair>/), but never an entity folder."""
    try:
        if folder.parent != root and folder != root and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass


@contextmanager
def change(program: Program, message: str, op: str, *, commit: bool = True) -> Iterator[Change]:
    """Run a mutation: lock, refuse early if git is busy, write, commit, or undo the writes."""
    ch = Change(program, commit)
    with program_lock(program.root):
        if commit:
            ch.repo = gitrepo.Repo.of(program.root)
            if ch.repo is None:
                ch.warnings.append("the program is not in a git repository, so nothing was "
                                   "committed (run `git init` in it to keep its history)")
            else:
                ch.repo.check_can_commit()
        try:
            yield ch
            if ch.repo is not None and ch.backups:
                ch.sha = ch.repo.commit(list(ch.backups), message, op)
        except BaseException:
            ch.rollback()
            raise


def outcome_of(ch: Change, message: str, entity_id: str | None = None) -> Outcome:
    return Outcome(message, ch.touched, ch.sha, ch.warnings, entity_id,
                   changed=bool(ch.backups))


# --------------------------------------------------------------------------
# Checking before writing
# --------------------------------------------------------------------------


def refuse(what: str, findings: list[Finding]) -> None:
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return
    lines = []
    for f in errors:
        where = ".".join(str(p) for p in f.path)
        lines.append((f"{where}: " if where else "") + f.message
                     + (f" ({f.hint})" if f.hint else ""))
    raise DataError(f"{what} was not saved:\n  " + "\n  ".join(lines),
                    hint="fix the values and run the command again")


def warnings_of(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.severity != "error"]


def ordered(kind: Kind, data: dict) -> dict:
    """Fields in the order the schema lists them, unknown ones last."""
    order = {name: i for i, name in enumerate(schemas.get(kind.name).order)}
    return dict(sorted(data.items(), key=lambda kv: order.get(kv[0], len(order))))
