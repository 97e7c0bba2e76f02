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

from rmtui.core import faults, gitrepo, schemas, yamlio
from rmtui.core.errors import DataError, RepoError
from rmtui.core.journal import FILE as JOURNAL_FILE
from rmtui.core.journal import Journal
from rmtui.core.journal import recover as recover_journal
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
        self.journal: Journal | None = None

    def _remember(self, path: Path, new: bytes | None) -> None:
        """Keep the file's old bytes, and note the write in the journal before it happens."""
        if path not in self.backups:
            self.backups[path] = yamlio.read_bytes(path)
        if self.journal is not None:
            self.journal.file(self.program.relpath(path), self.backups[path], new)

    def create(self, relpath: str, text: str) -> None:
        path = self.program.abspath(relpath)
        data = text.encode("utf-8")
        if yamlio.read_bytes(path) is not None:
            raise RepoError(f"{path} already exists",
                            hint="choose another id, or edit the existing one")
        self._remember(path, data)
        yamlio.write_atomic(path, data, None, new=True)

    def replace(self, relpath: str, data: bytes, expected: str) -> None:
        path = self.program.abspath(relpath)
        self._remember(path, data)
        yamlio.write_atomic(path, data, expected)

    def delete(self, relpath: str, expected: str | None = None) -> None:
        path = self.program.abspath(relpath)
        current = yamlio.read_bytes(path)
        if current is None:
            return
        if expected is not None and yamlio.digest(current) != expected:
            raise RepoError(f"{relpath} changed on disk since it was read; nothing was removed",
                            hint="look at the change (git diff), then run the command again")
        self._remember(path, None)
        path.unlink()
        faults.point("write: file removed")
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


def recover(program: Program) -> str | None:
    """Finish or undo a change a killed rmtui left behind; what was done, or None.

    Takes the program lock without waiting: if another rmtui holds it, the
    journal is that one's, and nothing is done.
    """
    if not (program.root / JOURNAL_FILE).exists():
        return None
    try:
        with program_lock(program.root, timeout=0):
            found = recover_journal(program.root)
    except RepoError as exc:
        if "another rmtui" in exc.message:
            return None  # the journal is that writer's own
        return (f"an interrupted change could not be finished yet ({exc.message}); "
                "it will be when git is free: run the command again")
    return found.describe() if found else None


@contextmanager
def change(program: Program, message: str, op: str, *, commit: bool = True) -> Iterator[Change]:
    """Run a mutation: lock, refuse early if git is busy, write, commit, or undo the writes.

    A journal records each write before it happens, so that if the process is
    killed half way the next rmtui undoes the half change (or, if the commit
    had landed, completes it): see :mod:`rmtui.core.journal`.
    """
    ch = Change(program, commit)
    with program_lock(program.root):
        found = recover_journal(program.root)
        if found is not None:
            ch.warnings.append(found.describe())
        if commit:
            ch.repo = gitrepo.Repo.of(program.root)
            if ch.repo is None:
                ch.warnings.append("the program is not in a git repository, so nothing was "
                                   "committed (run `git init` in it to keep its history)")
            else:
                ch.repo.check_can_commit()
        ch.journal = Journal(program.root, message, op, commit=ch.repo is not None)
        if ch.repo is not None:
            ch.journal.start(ch.repo.head())
        try:
            yield ch
            if ch.repo is not None and ch.backups:
                faults.point("change: files written")
                ch.repo.before_staging = ch.journal.staged
                ch.sha = ch.repo.commit(list(ch.backups), message, op)
        except BaseException:
            if ch.repo is not None and ch.repo.landed is not None:
                ch.sha = ch.repo.landed  # the commit stands; the journal finishes it next time
                raise
            ch.rollback()  # (the repository facade put the index back)
            ch.journal.close()
            raise
        ch.journal.close()
        faults.point("change: done")


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
