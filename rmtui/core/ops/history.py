"""The program's history, and undoing rmtui's last change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rmtui.core import gitrepo, kinds
from rmtui.core.errors import DataError, RepoError, UsageError
from rmtui.core.journal import Journal
from rmtui.core.journal import recover as recover_journal
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.lock import program_lock
from rmtui.core.ops.change import Outcome
from rmtui.core.store import Program


def entity_paths(program: Program, entity_id: str, kind: Kind | None = None) -> list[Path]:
    """The files and folders that hold an entity (a pair's agreement and sessions too)."""
    out: list[Path] = []
    for k in ([kind] if kind else KINDS.values()):
        try:
            path = program.path_of(k, entity_id)
        except UsageError:
            continue
        out.append(path)
        if k.name == "pair":
            out.append(program.path_of("agreement", entity_id))
            out.append(program.root / "sessions" / entity_id)
        if k.name == "survey":
            out.append(program.root / "responses" / entity_id)
    return out


def history(program: Program, entity_id: str | None = None, kind: Kind | str | None = None,
            limit: int | None = None) -> list[gitrepo.Commit]:
    repo = gitrepo.Repo.of(program.root)
    if repo is None:
        raise RepoError("the program is not in a git repository, so it has no history",
                        hint="run `git init` in it to start one")
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    if entity_id is None:
        paths = [program.root]
    else:
        paths = entity_paths(program, entity_id, kind)
        if not paths:
            raise UsageError(f"{entity_id!r} is not a valid id")
    return repo.log(paths, limit=limit)


@dataclass(frozen=True)
class Shown:
    """One commit as text: header, message and patch (as ``git show`` prints it)."""

    commit: str
    text: str
    truncated: bool


def show(program: Program, sha: str, max_chars: int = 200_000) -> Shown:
    """The diff of one commit of the program's history (its changes under the program
    folder, paths relative to it), cut at ``max_chars``."""
    repo = gitrepo.Repo.of(program.root)
    if repo is None:
        raise RepoError("the program is not in a git repository, so it has no history",
                        hint="run `git init` in it to start one")
    full = repo.resolve(sha)
    if full is None:
        raise UsageError(f"no commit {sha!r} in the program's history",
                         hint="`rmtui history` lists the commits")
    text, cut = repo.show(full, [program.root], max_chars)
    return Shown(full, text, cut)


def _last_change(repo: gitrepo.Repo, program: Program) -> gitrepo.Commit | None:
    last = repo.log([program.root], limit=1, rmtui_only=True)
    if not last or last[0].op == "program.init":
        return None
    return last[0]


def undo_target(program: Program) -> gitrepo.Commit | None:
    """The commit :func:`undo` would revert now (rmtui's last change), or None."""
    repo = gitrepo.Repo.of(program.root)
    return None if repo is None else _last_change(repo, program)


def undo(program: Program, expected: str | None = None) -> Outcome:
    """Revert rmtui's last commit in this program with a new commit.

    With ``expected`` (a commit sha, as :func:`undo_target` gave it), refuse when
    rmtui's last change is another commit by now.
    """
    repo = gitrepo.Repo.of(program.root)
    if repo is None:
        raise RepoError("the program is not in a git repository; there is nothing to undo")
    with program_lock(program.root):
        found = recover_journal(program.root)
        repo.check_can_commit()
        target = _last_change(repo, program)
        if target is None:
            raise UsageError("there is no rmtui change to undo")
        if expected is not None and target.sha != expected:
            raise DataError(f"rmtui's last change is now {target.subject!r} "
                            f"({target.sha[:10]}), not the one shown; nothing was undone",
                            hint="look at the history again, then undo if that is still "
                                 "what you want")
        # a revert killed half way is aborted by the next rmtui (see core.journal)
        journal = Journal(program.root, f"undo: {target.subject}", "undo", commit=True)
        journal.start(repo.head())
        journal.begin()
        try:
            sha = repo.revert(target.sha, f"undo: {target.subject}", "undo")
        finally:
            journal.close()
    files = [program.relpath(repo.root / f) for f in repo.files_of(sha)]
    return Outcome(f"undid {target.subject!r} ({target.sha[:10]})", files, sha,
                   [found.describe()] if found else [])
