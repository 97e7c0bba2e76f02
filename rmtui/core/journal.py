"""The change journal: what a change is about to do, so that a crash can be undone.

Before a change writes its first file it records, in ``.rmtui/journal``, the
commit it will make (message, operation, the HEAD it starts from); before
each file is written it appends the file's path, its old bytes and the
digest of its new bytes. The journal is removed once the change is
committed (or put back after an error). If rmtui is killed in between, the
journal is still there, and the next rmtui that takes the program lock
(any change, or ``validate``) finishes the story:

* if the commit landed (HEAD is a commit of this change on top of the
  recorded HEAD), only git's index may lag behind: it is brought in line;
* otherwise every file that holds the change's new bytes gets its old bytes
  back (or is removed, if it was new), the index entries of those paths get
  back what they held, and leftover temporary files are removed.

Either way the program ends up with the whole change or none of it. A file
someone changed by hand since is left alone, and said so.

Entries are appended with one ``write`` each (a killed process loses
nothing it wrote; the header is also flushed to disk).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from rmtui.core import faults, gitrepo, yamlio

FILE = ".rmtui/journal"


class Journal:
    """The journal of the change under way (created on first use)."""

    def __init__(self, root: Path, message: str, op: str, commit: bool) -> None:
        self.path = root / FILE
        self.root = root
        self.header = {"v": 1, "message": message, "op": op, "commit": commit, "head": None}
        self.fd: int | None = None

    def start(self, head: str | None) -> None:
        self.header["head"] = head

    def begin(self) -> None:
        """Write the journal now, even before any file is noted."""
        self._open()

    def _open(self) -> int:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(self.fd, (json.dumps(self.header) + "\n").encode())
            os.fsync(self.fd)
            faults.point("journal: opened")
        return self.fd

    def file(self, relpath: str, old: bytes | None, new: bytes | None) -> None:
        """Note one file before it is written (``new`` None: it is removed)."""
        entry = {"path": relpath,
                 "old": base64.b64encode(old).decode() if old is not None else None,
                 "new": yamlio.digest(new) if new is not None else None}
        os.write(self._open(), (json.dumps(entry) + "\n").encode())
        faults.point("journal: file noted")

    def staged(self, text: str) -> None:
        """What the index held for the paths before `git add` changed it."""
        os.write(self._open(), (json.dumps({"staged": text}) + "\n").encode())

    def close(self) -> None:
        """The change is complete (or fully put back): forget it."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@dataclass
class Recovery:
    """What :func:`recover` found and did."""

    message: str
    landed: bool
    restored: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)   # changed by hand since: not touched

    def describe(self) -> str:
        if self.landed:
            return (f"an interrupted change ({self.message!r}) had been committed; "
                    "git's index was brought up to date")
        text = f"an interrupted change ({self.message!r}) was undone"
        if self.restored:
            text += ": " + ", ".join(self.restored[:5]) + (" ..." if len(self.restored) > 5 else "")
        if self.left:
            text += "; changed since, left as they are: " + ", ".join(self.left)
        return text


def _read(path: Path) -> tuple[dict, list[dict], str | None] | None:
    try:
        lines = path.read_bytes().decode("utf-8", "replace").split("\n")
    except FileNotFoundError:
        return None
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # the last line of a killed writer may be cut short
    if not rows or not isinstance(rows[0], dict) or rows[0].get("v") != 1:
        return {}, [], None
    files = [r for r in rows[1:] if isinstance(r, dict) and isinstance(r.get("path"), str)]
    staged = next((r["staged"] for r in rows[1:] if isinstance(r, dict) and "staged" in r), None)
    return rows[0], files, staged


def _landed(repo: gitrepo.Repo, header: dict) -> bool:
    """Whether HEAD is this change's commit, made on top of the recorded HEAD."""
    proc = repo.git("log", "-1", "--format=%H%x00%P%x00%B", check=False)
    parts = proc.split("\0")
    if len(parts) < 3 or not parts[0]:
        return False
    parents = parts[1].split()
    before = header.get("head")
    if (parents[:1] if before else parents) != ([before] if before else []):
        return False
    body = parts[2]
    return (body.startswith(str(header.get("message", "")).rstrip())
            and f"{gitrepo.TRAILER}: {header.get('op')}" in body)


def recover(root: Path) -> Recovery | None:
    """Finish or undo a change a killed rmtui left behind. Call it under the program lock."""
    path = root / FILE
    found = _read(path)
    if found is None:
        return None
    header, files, staged = found
    message = str(header.get("message", "a change"))
    rels = list(dict.fromkeys(f["path"] for f in files))
    repo = gitrepo.Repo.of(root) if header.get("commit") else None
    if header.get("op") == "undo" and repo is not None and (repo.git_dir / "REVERT_HEAD").exists():
        repo.git("revert", "--abort", check=False)
    if repo is not None and header and _landed(repo, header):
        repo.sync_index([repo.relpath(root / r) for r in rels])
        out = Recovery(message, True)
    else:
        out = Recovery(message, False)
        for entry in reversed(files):
            rel = entry["path"]
            target = root / rel
            try:
                current = yamlio.read_bytes(target)
            except Exception:
                out.left.append(rel)
                continue
            old = base64.b64decode(entry["old"]) if entry.get("old") is not None else None
            if current == old:
                continue  # not written yet, or already put back
            if (current is None and entry.get("new") is None) or \
                    (current is not None and yamlio.digest(current) == entry.get("new")):
                if old is None:
                    target.unlink(missing_ok=True)
                    _prune(target.parent, root)
                else:
                    yamlio.write_atomic(target, old, None)
                if rel not in out.restored:
                    out.restored.append(rel)
            elif rel not in out.left:
                out.left.append(rel)
        if repo is not None and staged is not None and rels:
            repo.restore_index([repo.relpath(root / r) for r in rels], staged)
    for rel in rels:
        _remove_temporaries(root / rel)
    path.unlink(missing_ok=True)
    return out


def _remove_temporaries(target: Path) -> None:
    """The temporary files :func:`yamlio.write_atomic` makes next to a file."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    prefix = f".{target.name}."
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)


def _prune(folder: Path, root: Path) -> None:
    """Remove a folder left empty (sessions/<pair>/), but never an entity folder."""
    try:
        if folder.parent != root and folder != root and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass
