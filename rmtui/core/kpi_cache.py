"""The KPI snapshot, kept between runs and brought up to date from what git says changed.

Reading 90,000 files through the load cache still means a stat and an
unpickled record per file. But git already knows which files differ from the
last commit: its index keeps every file's stat. So the snapshot the KPIs read
is stored under ``.rmtui/cache/`` with the tree it was built from and the
files that differed from that tree at the time. The next run asks git which
files differ now (``git diff-index HEAD`` and ``git ls-files --others``, side
by side) and, when HEAD moved, which files the two trees disagree on
(``git diff-tree``); it reads again exactly those. Every other file is the
same blob in both trees and unchanged on disk, so its data is what it was.

Outside a git repository, before the first commit, or when the cache is
missing, old or of another rmtui, the snapshot is built from the load cache
as usual, and stored for the next run.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rmtui import __version__
from rmtui.core import gitrepo, schemas
from rmtui.core.errors import RepoError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.store import CACHE_DIR, Program, check_file

FILE = "kpi-snapshot.marshal"
_FORMAT = 1
MAX_REFRESH = 5000          # more changed files than this: rebuild from the load cache
# what the KPIs and the report read of each kind (all of a participant: any field groups)
KEPT = {
    "session": ("pair", "date", "status", "duration_minutes", "ratings"),
    "pair": ("id", "mentor", "mentee", "status", "cohort", "proposed", "accepted", "started",
             "pauses", "ended"),
    "agreement": ("pair", "frequency", "duration_minutes"),
    "goal": ("id", "owner", "pair", "title", "target", "due", "status", "created", "completed",
             "progress"),
    "response": ("survey", "participant", "status", "sent", "submitted", "answers"),
}

# kind -> id -> data, or None when the file is unreadable or invalid
Entries = dict[str, dict[str, dict | None]]


@contextmanager
def no_gc() -> Iterator[None]:
    """No cyclic garbage collection while many plain objects are made (none in cycles):
    the collector's full passes over them cost more than the work itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def compact(kind: str, data: dict | None) -> dict | None:
    """What the KPIs keep of an entity: no text they never read (session summaries, goal
    progress notes, reasons, text answers, match breakdowns)."""
    keep = KEPT.get(kind)
    if data is None or keep is None:
        return data
    out = {k: data[k] for k in keep if k in data}
    if kind == "goal" and "progress" in out:
        out["progress"] = [{k: v for k, v in p.items() if k != "note"} for p in out["progress"]]
    elif kind == "response" and "answers" in out:
        out["answers"] = {k: v for k, v in out["answers"].items() if isinstance(v, int)}
    return out


def _stamp() -> list:
    # marshal's format is Python's own: the version is part of the stamp
    return [_FORMAT, __version__, schemas.fingerprint(), list(sys.version_info[:2]), repr(KEPT)]


def _kind_of(rel: str, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    folder = rel.split("/", 1)[0]
    for name in kinds:
        kind = KINDS[name]
        if kind.folder != folder:
            continue
        entity_id = kind.id_of(rel)
        if entity_id is None:
            return None
        try:
            kind.check_id(entity_id)
        except UsageError:
            return None
        return name, entity_id
    return None


def full(program: Program, kinds: tuple[str, ...]) -> Entries:
    """Every entity of the kinds, through the load cache."""
    return {name: {entity_id: compact(name, rec.data if rec.ok else None)
                   for entity_id, rec in program.load(name).items()} for name in kinds}


def _refresh(program: Program, out: Entries, rel: str, kinds: tuple[str, ...]) -> str | None:
    """Read one file again into ``out`` (or take it out when it is gone); its kind."""
    found = _kind_of(rel, kinds)
    if found is None:
        return None
    name, entity_id = found
    path = program.abspath(rel)
    if path.is_symlink():
        out[name][entity_id] = None
        return name
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        out[name].pop(entity_id, None)
        return name
    rec = check_file(KINDS[name], entity_id, rel, raw)
    out[name][entity_id] = compact(name, rec.data if rec.ok else None)
    return name


class _Git:
    def __init__(self, program: Program) -> None:
        repo = gitrepo.Repo.of(program.root)
        if repo is None:
            raise LookupError
        self.repo = repo
        rel = os.path.relpath(program.root, Path(repo.root).resolve())
        self.prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"


def entries(program: Program, kinds: tuple[str, ...]) -> Entries:
    """The entities of ``kinds``, from the stored snapshot brought up to date."""
    with no_gc():
        try:
            git = _Git(program)
            tree = git.repo.tree_id("HEAD", git.prefix)
        except (LookupError, RepoError):
            tree = None
        if tree is None:
            return full(program, kinds)
        folders = {KINDS[k].folder for k in kinds}
        cache = program.root / CACHE_DIR / FILE
        try:
            # the stored snapshot is read while git looks at the files
            changed, stored = git.repo.dirty([git.prefix or "."],
                                             meanwhile=lambda: _load(cache, kinds))
        except RepoError:
            return full(program, kinds)
        dirty = {rel for p in changed if p.startswith(git.prefix)
                 and (rel := p[len(git.prefix):]).split("/", 1)[0] in folders}
        if stored is None:
            out = full(program, kinds)
            _save(cache, kinds, tree, dirty, out)
            return out
        old_tree, old_dirty, out = stored
        refresh = set(old_dirty) | dirty
        if old_tree != tree:
            moved = git.repo.changed_between(old_tree, tree)
            if moved is None:
                out = full(program, kinds)
                _save(cache, kinds, tree, dirty, out)
                return out
            refresh.update(moved)
        if len(refresh) > MAX_REFRESH:
            out = full(program, kinds)
        else:
            touched = set()
            for rel in refresh:
                touched.add(_refresh(program, out, rel, kinds))
            for name in touched - {None}:
                out[name] = dict(sorted(out[name].items()))  # ids in order, as loads give them
        if refresh or old_tree != tree:
            _save(cache, kinds, tree, dirty, out)
        return out


def _load(path: Path, kinds: tuple[str, ...]) -> tuple[str, set[str], Entries] | None:
    try:
        stamp, stored_kinds, tree, dirty, out = marshal.loads(path.read_bytes())
    except Exception:  # a missing, old or damaged cache is simply rebuilt
        return None
    if stamp != _stamp() or stored_kinds != list(kinds) or not isinstance(out, dict):
        return None
    return tree, set(dirty), out


def _save(path: Path, kinds: tuple[str, ...], tree: str, dirty: set[str], out: Entries) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".marshal")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps([_stamp(), list(kinds), tree, sorted(dirty), out]))
        os.replace(tmp, path)
    except (OSError, ValueError):  # a read-only checkout still works, only slower
        pass
