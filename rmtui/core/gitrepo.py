"""The one git facade: the git command line, porcelain output.

rmtui writes through ``git`` itself (a commit through GitPython's index took
0.73 s in a 10,000-file repository, the command line 0.11 s) and never
mixes index writers. Every rmtui commit carries an ``Rmtui-Op:`` trailer, so
that ``undo`` and ``history`` can tell rmtui's changes from hand-made ones.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmtui.core import faults
from rmtui.core.errors import RepoError

TRAILER = "Rmtui-Op"
_SEP = "\x1f"
# rmtui's paths are paths, never patterns (a folder may be called "Acme [2027] *")
_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}
_IN_PROGRESS = (
    ("MERGE_HEAD", "merge", "finish it with `git commit`, or abort it with `git merge --abort`"),
    ("rebase-merge", "rebase", "finish it with `git rebase --continue`, or `git rebase --abort`"),
    ("rebase-apply", "rebase", "finish it with `git rebase --continue`, or `git rebase --abort`"),
    ("CHERRY_PICK_HEAD", "cherry-pick",
     "finish it with `git cherry-pick --continue`, or `git cherry-pick --abort`"),
    ("REVERT_HEAD", "revert", "finish it with `git revert --continue`, or `git revert --abort`"),
)


_PLUMBING_MAX = 500  # more paths than this (a demo, an import) go through `git commit`
_COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit")


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str      # ISO 8601
    subject: str
    op: str | None  # the Rmtui-Op trailer, None for commits made by hand


def _run(args: Sequence[str], cwd: Path, *, check: bool = True, env: dict | None = None,
         input: str | None = None) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, input=input,
            encoding="utf-8", errors="surrogateescape",
            # output is parsed, so in English
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})},
        )
    except FileNotFoundError:
        raise RepoError("git is not installed", hint="install git, then run the command again") \
            from None
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise RepoError(f"git {args[0]} failed: " + (detail[-1] if detail else f"exit {proc.returncode}"),
                        hint="\n".join(detail[:-1][-5:]) or None)
    return proc


def toplevel(path: Path) -> Path | None:
    """The work tree that holds ``path``, or None outside any repository."""
    folder = path if path.is_dir() else path.parent
    proc = _run(["rev-parse", "--show-toplevel"], folder, check=False)
    return Path(proc.stdout.strip()) if proc.returncode == 0 else None


def is_ignored(repo_root: Path, path: Path) -> bool:
    proc = _run(["check-ignore", "-q", "--", str(path)], repo_root, check=False)
    return proc.returncode == 0


def init(path: Path) -> None:
    _run(["init", "-q"], path)


class Repo:
    """A git work tree that holds a program."""

    def __init__(self, root: Path, git_dir: Path | None = None, hooks: Path | None = None) -> None:
        self.root = root
        self._git_dir = git_dir
        self._hooks = hooks
        self.landed: str | None = None  # the commit made, once the branch has moved
        self.before_staging: Callable[[str], None] | None = None

    @classmethod
    def of(cls, path: Path) -> Repo | None:
        """The repository that holds ``path`` (one git call), or None."""
        folder = path if path.is_dir() else path.parent
        proc = _run(["rev-parse", "--show-toplevel", "--git-dir", "--git-path", "hooks"], folder,
                    check=False)
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or len(lines) != 3:
            return None
        return cls(Path(lines[0]), folder / lines[1], folder / lines[2])

    def git(self, *args: str, check: bool = True, env: dict | None = None) -> str:
        return _run(args, self.root, check=check, env={**_LITERAL, **(env or {})}).stdout

    @property
    def git_dir(self) -> Path:
        if self._git_dir is None:
            self._git_dir = Path(self.root, self.git("rev-parse", "--git-dir").strip())
        return self._git_dir

    @property
    def hooks(self) -> Path:
        if self._hooks is None:
            self._hooks = Path(self.root, self.git("rev-parse", "--git-path", "hooks").strip())
        return self._hooks

    # -- state ---------------------------------------------------------------

    def in_progress(self) -> tuple[str, str] | None:
        """``(operation, how to finish)`` while a merge, rebase, ... is under way."""
        git_dir = self.git_dir
        for marker, name, how in _IN_PROGRESS:
            if (git_dir / marker).exists():
                return name, how
        return None

    def unmerged(self) -> list[str]:
        """Paths with unresolved conflicts (read from the index alone: no file is stat'ed)."""
        out = self.git("ls-files", "-u", "-z")
        return sorted({entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry})

    def check_can_commit(self) -> None:
        """Refuse (before anything is written) when a commit would be wrong."""
        busy = self.in_progress()
        if busy:
            name, how = busy
            raise RepoError(f"a git {name} is in progress; rmtui will not commit in the middle of it",
                            hint=how)
        conflicted = self.unmerged()
        if conflicted:
            raise RepoError("files hold unresolved conflicts: " + ", ".join(conflicted[:5]),
                            hint="resolve them, `git add` them, and commit; then run the command again")
        if (self.git_dir / "index.lock").exists():
            raise RepoError("git's index is locked (.git/index.lock exists): another git command "
                            "is running, or one was killed",
                            hint="wait for it to finish; if no git command is running, remove "
                                 f"{self.git_dir / 'index.lock'} and try again")

    def has_head(self) -> bool:
        return _run(["rev-parse", "-q", "--verify", "HEAD"], self.root, check=False).returncode == 0

    def identity_env(self) -> dict[str, str]:
        """A fallback author when git has none, so a fresh machine can still commit."""
        name = _run(["config", "user.name"], self.root, check=False).stdout.strip()
        email = _run(["config", "user.email"], self.root, check=False).stdout.strip()
        env = {}
        for who in ("AUTHOR", "COMMITTER"):
            if not name and not os.environ.get(f"GIT_{who}_NAME"):
                env[f"GIT_{who}_NAME"] = "rmtui"
            if not email and not os.environ.get(f"GIT_{who}_EMAIL") \
                    and not os.environ.get("EMAIL"):
                env[f"GIT_{who}_EMAIL"] = "rmtui@localhost"
        return env

    # -- writing ---------------------------------------------------------------

    def relpath(self, path: Path | str) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def head(self) -> str | None:
        proc = _run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], self.root, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.strip() or None

    def commit(self, paths: Iterable[Path], message: str, op: str) -> str | None:
        """Commit exactly ``paths`` (created, changed or deleted); return the new sha.

        Other changes in the work tree or the index stay as they are.
        ``self.before_staging``, if set, hears what the index held for these
        paths before `git add` changes it (the journal keeps it, to put it
        back after a crash).
        """
        rel = sorted({Path(os.path.relpath(p, self.root)).as_posix() for p in paths})
        if not rel:
            return None
        self.landed = None
        if len(rel) <= _PLUMBING_MAX and not any((self.root / p).is_dir() for p in rel):
            head = self._plain_commits()
            if head is not None:
                return self._commit_plumbing(rel, message, op, *head)
        staged = self.staged(rel)
        if self.before_staging is not None:
            self.before_staging(staged)
        try:
            return self._commit(rel, message, op)
        except BaseException:
            # a hook said no, or git failed: the index holds for these paths what it held
            # before (the caller puts the files back)
            if self.landed is None:
                self.restore_index(rel, staged)
            raise

    def staged(self, rel: list[str]) -> str:
        """What the index holds for these paths (``ls-files -s -z``), to put back later."""
        return self.git("ls-files", "-s", "-z", "--", *rel)

    def _plain_commits(self) -> tuple[str, str] | None:
        """True when a commit is only a commit: no hook to run, no signature to make.

        Then rmtui builds the commit itself with git's plumbing, which in a
        large repository is several times faster than `git commit` (that
        reads, refreshes and writes the whole index twice). Otherwise it
        uses `git commit`, so that hooks run and signing works as usual.
        """
        if any(os.access(self.hooks / name, os.X_OK) for name in _COMMIT_HOOKS):
            return None
        config = _run(["config", "--get-regexp", r"^(core\.hookspath|commit\.gpgsign)$"],
                      self.root, check=False).stdout.lower().split("\n")
        if any(line.startswith("core.hookspath ") for line in config) \
                or "commit.gpgsign true" in config:
            return None
        proc = _run(["rev-parse", "HEAD^{commit}", "HEAD^{tree}"], self.root, check=False)
        heads = proc.stdout.split()
        return (heads[0], heads[1]) if proc.returncode == 0 and len(heads) == 2 else None

    def _commit_plumbing(self, rel: list[str], message: str, op: str, parent: str,
                         parent_tree: str) -> str | None:
        """Commit exactly ``rel`` on top of HEAD without touching the rest of the index.

        Blobs and trees are written first; the branch moves in one atomic
        compare-and-swap (``update-ref NEW OLD``); then the index entries of
        these paths are brought in line. Killed before the ref moves, the
        repository is as it was (with a few unreachable objects); after it,
        the commit is whole.
        """
        present = [p for p in rel if (self.root / p).is_file() and not (self.root / p).is_symlink()]
        blobs: dict[str, str] = {}
        if present:
            out = _run(["hash-object", "-w", "--stdin-paths"], self.root,
                       input="".join(p + "\n" for p in present), env=_LITERAL).stdout.split()
            blobs = dict(zip(present, out, strict=True))
        faults.point("commit: blobs written")
        # every folder above a changed path, deepest first
        folders: set[str] = {""}
        for p in rel:
            parts = p.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                folders.add("/".join(parts[:i]))
        listing: dict[str, dict[str, tuple[str, str, str]]] = {f: {} for f in folders}
        # one listing of every such folder ("./" is the top; git also lists the folders
        # on the way down, which are all in `folders` anyway)
        text = self.git("ls-tree", "-z", parent, "--", *sorted((f + "/") if f else "./"
                                                                for f in folders))
        for entry in text.split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            mode, kind, sha = meta.split(" ")
            folder, _, name = path.rpartition("/")
            if folder in listing:
                listing[folder][name] = (mode, kind, sha)
        for p in rel:
            folder, _, name = p.rpartition("/")
            if p in blobs:
                old = listing[folder].get(name)
                mode = old[0] if old and old[1] == "blob" else "100644"
                listing[folder][name] = (mode, "blob", blobs[p])
            else:
                listing[folder].pop(name, None)
        for folder in sorted(folders, key=lambda f: -f.count("/") - (1 if f else 0)):
            entries = listing[folder]
            if not folder:
                continue
            parent_folder, _, name = folder.rpartition("/")
            if entries:
                listing[parent_folder][name] = ("040000", "tree", self._mktree(entries))
            else:
                listing[parent_folder].pop(name, None)
        tree = self._mktree(listing[""])
        if tree == parent_tree:
            self.sync_index(rel)
            return None  # nothing actually changed
        faults.point("commit: trees written")
        full = f"{message.rstrip()}\n\n{TRAILER}: {op}\n"
        sha = _run(["commit-tree", tree, "-p", parent, "-F", "-"], self.root, input=full,
                   env={**_LITERAL, **self.identity_env()}).stdout.strip()
        faults.point("commit: commit written")
        subject = message.strip().splitlines()[0] if message.strip() else op
        proc = _run(["update-ref", "-m", f"commit: {subject}", "HEAD", sha, parent], self.root,
                    check=False)
        if proc.returncode != 0:
            raise RepoError("the branch moved while rmtui was committing; nothing was committed",
                            hint="another git command changed HEAD: look at `git log`, then run "
                                 "the command again")
        self.landed = sha
        faults.point("commit: branch moved")
        self.sync_index(rel)
        faults.point("commit: index updated")
        return sha

    def _mktree(self, entries: dict[str, tuple[str, str, str]]) -> str:
        text = "".join(f"{mode} {kind} {sha}\t{name}\0"
                       for name, (mode, kind, sha) in sorted(entries.items()))
        return _run(["mktree", "-z"], self.root, input=text).stdout.strip()

    def sync_index(self, rel: list[str]) -> None:
        """Make the index hold, for these paths, what the work tree holds (as just committed)."""
        _run(["update-index", "--add", "--remove", "-z", "--stdin"], self.root,
             input="".join(p + "\0" for p in rel), env=_LITERAL)

    def restore_index(self, rel: list[str], staged: str) -> None:
        """Give the index entries of ``rel`` back what ``staged`` (``ls-files -s -z``) says."""
        _run(["update-index", "-q", "--force-remove", "--", *rel], self.root, check=False,
             env=_LITERAL)
        if staged:
            _run(["update-index", "-z", "--index-info"], self.root, check=False, input=staged,
                 env=_LITERAL)

    def _commit(self, rel: list[str], message: str, op: str) -> str | None:
        present = [p for p in rel if (self.root / p).exists()]
        gone = [p for p in rel if not (self.root / p).exists()]
        if present:
            self.git("add", "-A", "--", *present)
        tracked_gone = []
        if gone:
            listed = self.git("ls-files", "-z", "--", *gone).split("\0")
            tracked_gone = [p for p in gone if p in set(listed)]
            if tracked_gone:
                self.git("rm", "-q", "--cached", "--ignore-unmatch", "--", *tracked_gone)
            if self.has_head():
                in_head = [p for p in self.git("ls-tree", "-r", "-z", "--name-only", "HEAD", "--",
                                               *gone).split("\0") if p]
                tracked_gone = sorted(set(tracked_gone) | set(in_head))
        to_commit = present + tracked_gone
        if not to_commit:
            return None
        status = self.git("status", "--porcelain", "--", *to_commit)
        if not status.strip():
            return None  # nothing actually changed
        full = f"{message.rstrip()}\n\n{TRAILER}: {op}\n"
        # --only: this commit holds these paths and nothing else that is staged,
        # the first commit of a repository too
        before = self.git("rev-parse", "-q", "--verify", "HEAD", check=False).strip()
        faults.point("commit: staged")
        args = ["commit", "-q", "-F", "-", "--only", "--", *to_commit]
        try:
            _run(args, self.root, env={**_LITERAL, **self.identity_env()}, input=full)
        except RepoError:
            after = self.git("rev-parse", "-q", "--verify", "HEAD", check=False).strip()
            if after and after != before:
                self.landed = after  # a post-commit step failed, the commit stands
            raise
        self.landed = self.git("rev-parse", "HEAD").strip()
        faults.point("commit: committed")
        return self.landed

    # -- reading ---------------------------------------------------------------

    def log(self, paths: Sequence[Path] = (), limit: int | None = None,
            rmtui_only: bool = False) -> list[Commit]:
        if not self.has_head():
            return []
        fmt = _SEP.join(["%H", "%an", "%aI", "%s", f"%(trailers:key={TRAILER},valueonly,separator=,)"])
        args = ["log", f"--format={fmt}%x1e"]
        if limit:
            args.append(f"-n{limit}")
        if rmtui_only:
            args.append(f"--grep=^{TRAILER}: ")
        args.append("--")
        args.extend(os.path.relpath(p, self.root) for p in paths)
        out = []
        for chunk in self.git(*args).split("\x1e"):
            chunk = chunk.strip("\n")
            if not chunk:
                continue
            sha, author, date, subject, op = (chunk.split(_SEP) + [""] * 5)[:5]
            out.append(Commit(sha, author, date, subject, op.strip() or None))
        return out

    def resolve(self, rev: str) -> str | None:
        """The full sha of the commit ``rev`` names, or None when it names none."""
        if rev.startswith("-"):
            return None
        proc = _run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                    self.root, check=False)
        return (proc.stdout.strip() or None) if proc.returncode == 0 else None

    def mainline(self, paths: Sequence[Path] = ()) -> list[tuple[str, str]]:
        """``(sha, committer date ISO 8601)`` along the first-parent line of HEAD, newest
        first; with ``paths``, only commits that touched them."""
        if not self.has_head():
            return []
        args = ["log", "--first-parent", "--format=%H %cI", "HEAD", "--"]
        args.extend(os.path.relpath(p, self.root) for p in paths)
        return [tuple(line.split(" ", 1)) for line in self.git(*args).splitlines()
                if " " in line]  # type: ignore[misc]

    def commit_date(self, sha: str) -> str:
        """The committer date of a commit, ISO 8601."""
        return self.git("show", "-s", "--format=%cI", sha).strip()

    def tree_id(self, rev: str, prefix: str = "") -> str | None:
        """The id of the tree of ``prefix`` (a folder) at commit ``rev``; None if none."""
        spec = f"{rev}:{prefix.rstrip('/')}" if prefix else f"{rev}^{{tree}}"
        proc = _run(["rev-parse", "--verify", "--quiet", "--end-of-options", spec], self.root,
                    check=False)
        return (proc.stdout.strip() or None) if proc.returncode == 0 else None

    def dirty(self, folders: Sequence[str], meanwhile: Callable[[], Any] | None = None
              ) -> tuple[list[str], Any]:
        """Files under ``folders`` (relative to the work tree) that differ from HEAD: changed,
        staged, deleted, untracked or ignored; both questions go to git at once, and
        ``meanwhile()`` runs while git works. Returns the paths and what ``meanwhile`` gave.

        When git's stat cache is stale (a copied or touched folder: every file looks
        changed), it is refreshed once, as ``git status`` would, and git asked again.
        """
        def ask(during: Callable[[], Any] | None) -> tuple[list[str], Any]:
            env = {**os.environ, "LC_ALL": "C", **_LITERAL}
            commands = (["git", "diff-index", "--name-only", "-z", "--no-renames", "HEAD", "--",
                         *folders],
                        ["git", "ls-files", "--others", "-z", "--", *folders])
            procs = [subprocess.Popen(c, cwd=self.root, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=env) for c in commands]
            try:
                extra = during() if during is not None else None
            finally:
                outputs = [proc.communicate() for proc in procs]
            out: set[str] = set()
            for proc, (stdout, stderr) in zip(procs, outputs, strict=True):
                if proc.returncode != 0:
                    raise RepoError("git could not say which files changed: "
                                    + stderr.decode("utf-8", "replace").strip())
                out.update(p for p in stdout.decode("utf-8", "surrogateescape").split("\0") if p)
            return sorted(out), extra

        found, extra = ask(meanwhile)
        if len(found) > 200:
            _run(["update-index", "-q", "--refresh"], self.root, check=False)
            found, _ = ask(None)
        return found, extra

    def changed_between(self, old: str, new: str) -> list[str] | None:
        """Paths that differ between two trees, or None when one of them is gone."""
        proc = _run(["diff-tree", "-r", "--name-only", "-z", "--no-renames", old, new],
                    self.root, check=False)
        if proc.returncode != 0:
            return None
        return [p for p in proc.stdout.split("\0") if p]

    def tree(self, sha: str, prefix: str = "") -> dict[str, str]:
        """``{path: blob sha}`` of every regular file under ``prefix`` (relative to it) at a
        commit (or in a tree)."""
        out = {}
        where = prefix.rstrip("/") + "/" if prefix else ""
        args = ["ls-tree", "-r", "-z", "--full-tree", sha]
        if where:
            args += ["--", where]
        for entry in self.git(*args).split("\0"):
            meta, _, path = entry.partition("\t")
            parts = meta.split()
            # regular files only: a symbolic link's blob is its target, not its content
            if len(parts) == 3 and parts[1] == "blob" and parts[0] in ("100644", "100755") \
                    and path.startswith(where):
                out[path[len(where):]] = parts[2]
        return out

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of blobs, read in one ``git cat-file --batch``."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        try:
            proc = subprocess.run(["git", "cat-file", "--batch"], cwd=self.root,
                                  input=("\n".join(wanted) + "\n").encode("ascii"),
                                  capture_output=True, env={**os.environ, "LC_ALL": "C"})
        except FileNotFoundError:
            raise RepoError("git is not installed", hint="install git") from None
        if proc.returncode != 0:
            raise RepoError("git cat-file failed: " + proc.stderr.decode("utf-8", "replace").strip())
        data, pos, out = proc.stdout, 0, {}
        for sha in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue  # missing
            size = int(header[2])
            out[sha] = data[pos:pos + size]
            pos += size + 1
        return out

    def show(self, sha: str, paths: Sequence[Path] = (), max_chars: int = 200_000
             ) -> tuple[str, bool]:
        """A commit as ``git show`` prints it: header, message and patch, without colour; with ``paths``, only changes under them, named relative to the
        first. At most ``max_chars`` are read (a demo's first commit adds thousands of
        files): returns the text and whether it was cut short."""
        args = ["git", "show", "--no-color", "--no-ext-diff", "--no-renames", "--patch", "--format=commit %H%nAuthor: %an <%ae>%nDate:   %aI%n%n%B"]
        rel = [os.path.relpath(p, self.root) for p in paths]
        if rel and rel[0] != ".":
            args.append(f"--relative={rel[0]}")
        args += ["--end-of-options", sha, "--", *rel]
        env = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", **_LITERAL}
        try:
            proc = subprocess.Popen(args, cwd=self.root, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env)
        except FileNotFoundError:
            raise RepoError("git is not installed", hint="install git") from None
        assert proc.stdout is not None and proc.stderr is not None
        data = proc.stdout.read(max_chars * 4 + 1)  # bytes; up to 4 per character
        text = data.decode("utf-8", "replace")
        cut = len(text) > max_chars or len(data) > max_chars * 4
        if cut:
            proc.kill()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
        if not cut and code != 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise RepoError(f"git show {sha[:10]} failed: "
                            + (detail[-1] if detail else f"exit {code}"))
        if cut:
            text = text[:max_chars]
            text = text[:text.rfind("\n") + 1] if "\n" in text else text
        return text, cut

    def files_of(self, sha: str) -> list[str]:
        out = self.git("show", "--name-only", "-z", "--format=", sha)
        return [name.strip("\n") for name in out.split("\0") if name.strip("\n")]

    def has_staged_changes(self) -> bool:
        if not self.has_head():
            return False
        return _run(["diff", "--cached", "--quiet"], self.root, check=False).returncode != 0

    def revert(self, sha: str, message: str, op: str) -> str:
        """Revert one commit with a new commit that says so."""
        if self.has_staged_changes():
            raise RepoError("the index holds staged changes; undo would commit them too",
                            hint="commit them, or unstage them with `git restore --staged .`")
        proc = _run(["revert", "--no-edit", "--no-commit", sha], self.root, check=False)
        if proc.returncode != 0:
            _run(["revert", "--abort"], self.root, check=False)
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise RepoError("the change cannot be undone cleanly: later changes touch the same files",
                            hint=(detail[-1] if detail else None))
        faults.point("undo: reverted, not committed")
        full = f"{message.rstrip()}\n\nThis reverts commit {sha}.\n\n{TRAILER}: {op}\n"
        try:
            _run(["commit", "-q", "-F", "-"], self.root, env=self.identity_env(), input=full)
        except BaseException:
            # a hook said no: leave no revert half done (other local changes stay)
            _run(["revert", "--abort"], self.root, check=False)
            raise
        faults.point("undo: committed")
        return self.git("rev-parse", "HEAD").strip()
