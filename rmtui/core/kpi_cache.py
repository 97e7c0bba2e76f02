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

import marshal
import os
import sys
import tempfile
from pathlib import Path

from rmtui import __version__
from rmtui.core import gitrepo, schemas
from rmtui.core.errors import RepoError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.parallel import gc_paused, map_chunks
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


def _parse(item: tuple[str, str, str, bytes]) -> dict | None:
    name, entity_id, rel, raw = item
    rec = check_file(KINDS[name], entity_id, rel, raw)
    return compact(name, rec.data if rec.ok else None)


def _parse_chunk(items: list[tuple[str, str, str, bytes]]) -> list[dict | None]:
    with gc_paused():
        return [_parse(item) for item in items]


def parse_many(items: list[tuple[str, str, str, bytes]]) -> list[dict | None]:
    """:func:`check_file` (then :func:`compact`) for many ``(kind, id, rel, bytes)``, in
    order: in a pool of processes, one per core, when there are many."""
    return map_chunks(_parse_chunk, items, chunk_size=(500, 5000))


class TreeReader:
    """The entities of a program's tree at any commit, read from git objects (the work
    tree is never looked at); each blob is parsed once, however many trees hold it."""

    def __init__(self, repo: gitrepo.Repo, kinds: tuple[str, ...]) -> None:
        self.repo = repo
        self.kinds = kinds
        self._parsed: dict[tuple[str, str, str], dict | None] = {}

    def entries(self, listing: dict[str, str]) -> Entries:
        """``listing`` is ``{path in the program: blob}`` (:meth:`gitrepo.Repo.tree`)."""
        wanted = []
        for rel, blob in listing.items():
            found = _kind_of(rel, self.kinds)
            if found is not None:
                wanted.append((*found, rel, blob))
        todo = [w for w in wanted if (w[3], w[0], w[1]) not in self._parsed]
        raw = self.repo.blobs(w[3] for w in todo)
        todo = [w for w in todo if w[3] in raw]
        for w, data in zip(todo, parse_many([(n, i, rel, raw[b]) for n, i, rel, b in todo]),
                           strict=True):
            self._parsed[(w[3], w[0], w[1])] = data
        out: Entries = {k: {} for k in self.kinds}
        for name, entity_id, _rel, blob in sorted(wanted, key=lambda w: (w[0], w[1])):
            if (blob, name, entity_id) in self._parsed:
                out[name][entity_id] = self._parsed[(blob, name, entity_id)]
        return out


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
    with gc_paused():
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
            # the files as committed, from git's objects, then the ones that differ
            stored = tree, dirty, TreeReader(git.repo, kinds).entries(git.repo.tree(tree))
        old_tree, old_dirty, out = stored
        refresh = set(old_dirty) | dirty
        if old_tree != tree:
            moved = git.repo.changed_between(old_tree, tree)
            if moved is None:
                old_tree, refresh = tree, set(dirty)
                out = TreeReader(git.repo, kinds).entries(git.repo.tree(tree))
            else:
                refresh.update(moved)
        if len(refresh) > MAX_REFRESH:
            out = full(program, kinds)
        else:
            touched = set()
            for rel in refresh:
                touched.add(_refresh(program, out, rel, kinds))
            for name in touched - {None}:
                out[name] = dict(sorted(out[name].items()))  # ids in order, as loads give them
        if refresh or old_tree != tree or not cache.exists():
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
