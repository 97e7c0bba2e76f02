"""``sync``: pull the others' changes (rebasing ours), check, and push.

The steps, under the program lock:

1. refuse while git is busy or the work tree holds uncommitted program files;
2. make sure this clone merges program files with rmtui's driver
   (``.gitattributes`` and ``.git/config``: older repositories get them here);
3. ``git pull --rebase``; on a conflict, stop in the rebase and say which
   entities are in conflict and how to go on;
4. give sessions kept in a comment by a merge their own files (one commit);
5. validate: with errors, stop before pushing;
6. ``git push`` (pulling again if someone pushed in between).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rmtui.core import gitrepo, merge
from rmtui.core.errors import DataError, RepoError
from rmtui.core.journal import recover as recover_journal
from rmtui.core.kinds import of_path
from rmtui.core.lock import program_lock
from rmtui.core.store import Program

_PUSH_TRIES = 3


@dataclass
class SyncResult:
    pulled: int = 0
    pushed: int = 0
    notes: list[str] = field(default_factory=list)


def _entity(program: Program, repo: gitrepo.Repo, path: str) -> str:
    """``participant asa-oberg (participants/asa-oberg.yaml)`` for a repository path."""
    full = repo.root / path
    try:
        rel = program.relpath(full)
    except ValueError:
        return path
    found = of_path(rel)
    return f"{found[0].name} {found[1]} ({rel})" if found else rel


def _setup(program: Program, repo: gitrepo.Repo, result: SyncResult) -> None:
    """This clone merges program files with rmtui's driver; older repositories get the
    attributes in a commit of their own."""
    merge.register_driver(repo)
    if merge.attributes_text(_read_text(program.root / ".gitattributes")) is None:
        return
    from rmtui.core.ops.change import change

    with change(program, "program: merge program files field by field (rmtui's merge driver)",
                "program.attributes") as ch:
        merge.ensure_attributes(program, ch)
    result.notes.append("this repository now merges program files with rmtui's merge driver "
                        "(.gitattributes)")


def _read_text(path) -> str | None:
    from rmtui.core import yamlio

    raw = yamlio.peek(path)
    return raw.decode("utf-8", "replace") if raw is not None else None


def _count(repo: gitrepo.Repo, spec: str) -> int:
    out = repo.git("rev-list", "--count", spec, check=False).strip()
    return int(out) if out.isdigit() else 0


def _finish(program: Program, result: SyncResult) -> None:
    """Split sessions a merge kept in one file, then check everything."""
    from rmtui.core.validate import validate

    split = merge.split_merged_sessions(program)
    if split is not None:
        result.notes.append(split.message)
    report = validate(program)
    if not report.ok:
        raise DataError(
            f"the program has {report.errors} error(s) after the pull; nothing was pushed",
            hint="`rmtui validate` lists them: fix them, commit, and run `rmtui sync` again")


def sync(program: Program, *, push: bool = True) -> SyncResult:
    """Pull with rebase, validate, push. Raises with what to do when it has to stop."""
    repo = gitrepo.Repo.of(program.root)
    if repo is None:
        raise RepoError("the program is not in a git repository, so there is nothing to sync",
                        hint="put it in a repository with a remote (git init; git remote add "
                             "origin URL; git push -u origin HEAD)")
    result = SyncResult()
    with program_lock(program.root, nested=True):
        found = recover_journal(program.root)
        if found is not None:
            result.notes.append(found.describe())
        repo.check_can_commit()
        upstream = repo.git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}",
                            check=False).strip()
        dirty = [line[3:] for line in repo.git("status", "--porcelain", "--untracked-files=no",
                                                "--", str(program.root)).splitlines()]
        if dirty:
            raise RepoError("the program has changes that are not committed: "
                            + ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else ""),
                            hint="commit them (or `git stash` them), then run `rmtui sync` again")
        _setup(program, repo, result)
        if not upstream:
            result.notes.append("this branch has no upstream: nothing was pulled or pushed "
                                "(`git push -u origin HEAD` sets one)")
            _finish(program, result)
            return result
        for attempt in range(_PUSH_TRIES):
            seen = repo.git("rev-parse", "-q", "--verify", "@{upstream}", check=False).strip()
            proc = gitrepo._run(["pull", "--rebase", "--no-autostash"], repo.root, check=False)
            if proc.returncode != 0:
                conflicted = repo.unmerged()
                if conflicted:
                    names = [_entity(program, repo, p) for p in conflicted]
                    raise RepoError(
                        "the pull stopped on a conflict: both sides changed "
                        + ("the same field of " if len(names) == 1 else "")
                        + ", ".join(names),
                        hint="for each file, keep the right value between the <<<<<<< and >>>>>>> "
                             "lines and delete the markers, `git add` it, then "
                             "`git rebase --continue` and `rmtui sync` again; "
                             "or `git rebase --abort` to leave things as they were")
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise RepoError("git pull failed: " + (detail[-1] if detail else "unknown error"),
                                hint="\n".join(detail[:-1][-5:]) or None)
            result.pulled += _count(repo, f"{seen}..{upstream}") if seen else _count(repo, upstream)
            _finish(program, result)
            if not push:
                break
            ahead = _count(repo, f"{upstream}..HEAD")
            if not ahead:
                break
            proc = gitrepo._run(["push"], repo.root, check=False)
            if proc.returncode == 0:
                result.pushed = ahead
                break
            if attempt == _PUSH_TRIES - 1:
                detail = (proc.stderr or proc.stdout).strip().splitlines()
                raise RepoError("git push failed: " + (detail[-1] if detail else "unknown error"),
                                hint="someone keeps pushing at the same time: run `rmtui sync` "
                                     "again in a moment")
    return result
