"""A program folder and its entities: ids, paths, reads and the load cache.

Reads of a whole kind go through a per-kind cache under ``.rmtui/cache/``
that holds, for each file, what the per-file checks made of it (its data and
its diagnostics), keyed by the file's size, modification time, inode and
change time. A file whose modification time is too close to the moment it
was read is never cached (git's "racy" rule), so an edit made in the same
clock tick as a read cannot be missed: the cache never serves stale data.

A whole-program read starts with one :meth:`Program.scan` of the entity
folders (one ``lstat`` per file, no parsing). Files the cache does not know
are parsed in a pool of processes when there are many of them, since
parsing is the one slow step of a cold read.
"""

from __future__ import annotations

import os
import pickle
import stat as stat_mod
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmtui import __version__
from rmtui.core import diagnostics as diag
from rmtui.core import kinds as kinds_mod
from rmtui.core import schemas, settings, yamlio
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.parallel import PARALLEL_MIN, gc_paused, map_chunks

CACHE_DIR = ".rmtui/cache"
_RACY_NS = 3_000_000_000  # files changed this close to a read are re-read next time
_CACHE_FORMAT = 3
KEPT_SESSION_MARK = b"# rmtui-merged-session:"  # see core.merge
MAX_FILE_BYTES = yamlio.MAX_FILE_BYTES
_SMALL_KIND = 1000         # a kind with fewer files has its cache rewritten on any change
_REWRITE_AFTER = 64        # a larger one once this many of its files are not in the cache

# A progress report: (stage, done, total). Core calls it; a UI decides how to show it.
Progress = Callable[[str, int, int], None]


@dataclass
class Record:
    """One entity file as read: its data (when readable) and its problems."""

    kind: str
    id: str
    path: str                      # relative to the program folder
    data: dict | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(d.is_error for d in self.diagnostics)


def check_file(kind: Kind, entity_id: str, relpath: str, raw: bytes) -> Record:
    """Everything that can be said about one file on its own.

    YAML problems, schema problems, and whether the file's key fields match
    its name. Pure: the result depends only on the arguments, so it can be
    cached by file stat and computed in another process.
    """
    if len(raw) > MAX_FILE_BYTES:
        return Record(kind.name, entity_id, relpath, diagnostics=[diag.error(
            relpath, "file-size", f"the file is {len(raw):,} bytes; rmtui reads files of at most "
            f"{MAX_FILE_BYTES:,} bytes", "an entity file holds a few fields: remove what does not "
            "belong in it", 1, 1)])
    parsed = yamlio.parse(raw, relpath)
    rec = Record(kind.name, entity_id, relpath, diagnostics=list(parsed.diagnostics))
    if kind.name == "session" and KEPT_SESSION_MARK in raw:
        line = raw[:raw.index(KEPT_SESSION_MARK)].count(b"\n") + 1
        rec.diagnostics.append(diag.warning(
            relpath, "merged-session", "a second session of this day, from a merge, is kept in "
            "a comment at the end of this file", "`rmtui sync` gives it its own file "
            "(the next free <date>-N.yaml)", line, 1))
    if not parsed.readable:
        return rec
    data = parsed.data
    if not isinstance(data, dict):
        rec.diagnostics.append(diag.error(
            relpath, "schema", f"the file must hold a mapping of fields, not {schemas.type_name(data)}",
            f"see schemas/{kind.name}.schema.json for the fields of a {kind.name}", 1, 1))
        return rec
    rec.data = data
    issues = schemas.get(kind.name).check(data)
    nodes = yamlio.compose(raw.decode("utf-8", "replace").lstrip("\ufeff")) if issues else None
    for issue in issues:
        line, col = yamlio.locate(nodes, list(issue.path), key=issue.at_key) or (None, None)
        rec.diagnostics.append(diag.error(relpath, "schema", issue.message, issue.hint, line, col))
    for key, want in kind.expected(entity_id).items():
        have = data.get(key)
        if isinstance(have, str) and have != want:
            if nodes is None:
                nodes = yamlio.compose(raw.decode("utf-8", "replace").lstrip("\ufeff"))
            line, col = yamlio.locate(nodes, [key]) or (None, None)
            rec.diagnostics.append(diag.error(
                relpath, "id-mismatch",
                f"'{key}' is {have!r} but the file name says {want!r}",
                f"ids never change: set '{key}: {want}', or move the file to match "
                f"(git mv {relpath} {kind.folder}/...)", line, col))
    return rec


class NotAPlainFile(OSError):
    """A link, fifo, socket or device where an entity file should be."""


def read_limited(path: Path | str) -> bytes:
    """A plain file's bytes, never more than one byte past :data:`MAX_FILE_BYTES`.

    Never follows a link and never blocks: a fifo or device raises
    :class:`NotAPlainFile` without being read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise NotAPlainFile(f"{path} is a symbolic link") from None
        raise exc
    try:
        if not stat_mod.S_ISREG(os.fstat(fd).st_mode):
            raise NotAPlainFile(f"{path} is not a plain file")
        chunks = []
        left = MAX_FILE_BYTES + 1
        while left > 0:  # (one read for a file of a few hundred bytes)
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _symlink_record(kind: Kind, entity_id: str, relpath: str) -> Record:
    return Record(kind.name, entity_id, relpath, diagnostics=[diag.error(
        relpath, "symlink", "the file is a symbolic link; rmtui reads and writes only plain files",
        f"replace the link with the file itself, or remove it (git rm {relpath})", 1, 1)])


def _check_path(job: tuple[str, str, str, str]) -> Record | None:
    """Read and check one file (in this process or a worker)."""
    kind_name, entity_id, rel, path = job
    try:
        raw = read_limited(path)
    except OSError:
        return None
    return check_file(KINDS[kind_name], entity_id, rel, raw)


def _check_chunk(jobs: list[tuple[str, str, str, str]]) -> list[Record | None]:
    return [_check_path(job) for job in jobs]


def check_paths(jobs: list[tuple[str, str, str, str]], progress: Progress | None = None,
                workers: int | None = None) -> list[Record | None]:
    """:func:`check_file` for many ``(kind, id, relpath, abspath)``, in order.

    Parsing is CPU-bound Python, so with many files it runs in a pool of
    processes (one per core); ``None`` stands for a file that vanished.
    """
    done = (lambda n, total: progress("reading files", n, total)) if progress else None
    return map_chunks(_check_chunk, jobs, workers=workers, min_items=PARALLEL_MIN, done=done)


@dataclass
class Scan:
    """What the entity folders hold, from one pass of ``lstat`` calls.

    ``entries`` maps each kind to ``{relpath: (id, stat key, is a link)}`` for
    every file that can be one of its entities; ``stray`` lists the other
    files and links found in entity folders. ``started`` is the clock
    reading taken before the first ``lstat`` (for the racy rule).
    """

    entries: dict[str, dict[str, tuple[str, tuple, bool]]]
    stray: list[str]
    started: int

    def keys(self) -> dict[str, tuple | None]:
        """``{relpath: stat key}`` of every entity file; None for racy ones."""
        limit = self.started - _RACY_NS
        out: dict[str, tuple | None] = {}
        for entries in self.entries.values():
            for rel, (_, key, _) in entries.items():
                out[rel] = key if key[1] < limit else None
        return out

    def ids(self, kind: str) -> dict[str, str]:
        """``{id: relpath}`` of one kind."""
        return {entity_id: rel for rel, (entity_id, _, _) in self.entries[kind].items()}


def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class Program:
    """A program folder: ``program.toml`` and its entity folders."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self._settings: settings.Settings | None = None

    # -- finding a program -------------------------------------------------

    @classmethod
    def find(cls, start: Path | str | None = None) -> Program:
        """The program at ``start`` or in the nearest folder above it."""
        here = Path(start or os.getcwd()).resolve()
        if start is not None and not here.exists():
            raise UsageError(f"{start} does not exist",
                             hint="give the folder of a program (one that holds program.toml)")
        for folder in (here, *here.parents):
            marker = folder / settings.FILENAME
            if marker.is_file() or marker.is_symlink():  # a link is found, then refused
                return cls(folder)
        raise UsageError(
            f"no program here: neither {here} nor any folder above it holds {settings.FILENAME}",
            hint="cd into a program, pass --program/-C PATH (or set RMTUI_PROGRAM), "
                 "or create one with `rmtui init PATH`",
        )

    # -- settings ------------------------------------------------------------

    @property
    def settings(self) -> settings.Settings:
        """The program's settings; raises if ``program.toml`` is invalid."""
        s = self.settings_unchecked
        if not s.ok:
            raise DataError("program.toml is invalid", hint="fix it, then run the command again",
                            diagnostics=s.diagnostics)
        return s

    def check_version(self) -> None:
        """Refuse a program in another file format version (``rmtui migrate`` upgrades it)."""
        s = self.settings_unchecked
        if s.outdated:
            raise DataError("this program's files are in another format version",
                            diagnostics=s.diagnostics,
                            hint=s.diagnostics[0].hint if s.diagnostics else None)

    @property
    def settings_unchecked(self) -> settings.Settings:
        if self._settings is None:
            self._settings = settings.load(self.root)
        return self._settings

    # -- paths and ids ---------------------------------------------------------

    def abspath(self, relpath: str) -> Path:
        return self.root / relpath

    def relpath(self, path: Path | str) -> str:
        return Path(path).resolve().relative_to(self.root).as_posix()

    def path_of(self, kind: Kind | str, entity_id: str) -> Path:
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        return self.root / kind.path(entity_id)

    def exists(self, kind: Kind | str, entity_id: str) -> bool:
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        try:
            return self.path_of(kind, entity_id).is_file()
        except UsageError:
            return False

    def scan(self, kinds: Iterable[str] | None = None) -> Scan:
        """Every file in the entity folders, with its stat key; no file is opened."""
        started = time.time_ns()
        entries: dict[str, dict[str, tuple[str, tuple, bool]]] = {}
        stray: list[str] = []
        for name in (kinds or KINDS):
            kind = KINDS[name]
            entries[name] = self._scan_kind(kind, stray)
        return Scan(entries, sorted(stray), started)

    def _scan_kind(self, kind: Kind, stray: list[str]) -> dict[str, tuple[str, tuple, bool]]:
        out: dict[str, tuple[str, tuple, bool]] = {}
        base = self.root / kind.folder
        valid = kind.valid_id
        lstat = os.lstat

        def take(rel: str, full: str, st: os.stat_result) -> None:
            is_link = stat_mod.S_ISLNK(st.st_mode)
            if rel.endswith(".yaml") and (is_link or stat_mod.S_ISREG(st.st_mode)):
                entity_id = rel[len(kind.folder) + 1:-5]
                if valid(entity_id):
                    out[rel] = (entity_id, _stat_key(st), is_link)
                    return
            stray.append(rel)

        try:
            top = os.listdir(base)
        except (FileNotFoundError, NotADirectoryError):
            return out
        for name in top:
            if name.startswith("."):
                continue
            rel = f"{kind.folder}/{name}"
            full = f"{base}/{name}"
            try:
                st = lstat(full)
            except OSError:
                continue
            if stat_mod.S_ISDIR(st.st_mode):
                if not kind.nested:
                    stray.extend(self._everything_in(full, rel))
                    continue
                try:
                    inner = os.listdir(full)
                except OSError:
                    continue
                for sub in inner:
                    if sub.startswith("."):
                        continue
                    srel, sfull = f"{rel}/{sub}", f"{full}/{sub}"
                    try:
                        sst = lstat(sfull)
                    except OSError:
                        continue
                    if stat_mod.S_ISDIR(sst.st_mode):
                        stray.extend(self._everything_in(sfull, srel))
                    else:
                        take(srel, sfull, sst)
            elif kind.nested:
                stray.append(rel)
            else:
                take(rel, full, st)
        return out

    @staticmethod
    def _everything_in(folder: str, rel: str) -> list[str]:
        """Files (and links) below a folder that should not be there; links are not followed."""
        out = []
        for here, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            prefix = rel + here[len(folder):].replace(os.sep, "/")
            out.extend(f"{prefix}/{f}" for f in files if not f.startswith("."))
            for d in dirs:
                if os.path.islink(os.path.join(here, d)):
                    out.append(f"{prefix}/{d}")
        return out

    def files(self, kind: Kind) -> Iterator[tuple[str, str]]:
        """``(relpath, id)`` of every file that can be an entity of a kind, unsorted."""
        for rel, (entity_id, _, _) in self.scan([kind.name]).entries[kind.name].items():
            yield rel, entity_id

    def ids(self, kind: Kind | str) -> list[str]:
        """Ids of a kind from the file names alone (no parsing), sorted."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        return sorted(entity_id for _, entity_id in self.files(kind))

    def stray_files(self) -> list[str]:
        """Files inside entity folders that cannot be entities (wrong name or depth)."""
        return self.scan().stray

    # -- reading ---------------------------------------------------------------

    def read(self, kind: Kind | str, entity_id: str) -> Record:
        """One entity, checked on its own; raises if it does not exist."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        path = self.path_of(kind, entity_id)
        rel = kind.path(entity_id)
        if path.is_symlink():
            return _symlink_record(kind, entity_id, rel)
        try:
            raw = read_limited(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise UsageError(f"no {kind.name} {entity_id!r}",
                             hint=f"`rmtui {kind.name} list` shows the {kind.plural}") from None
        except NotAPlainFile:
            return Record(kind.name, entity_id, rel, diagnostics=[diag.error(
                rel, "file-type", "this is not a plain file (a fifo, socket or device); rmtui "
                "does not read it", "remove it from the program folder", 1, 1)])
        return check_file(kind, entity_id, rel, raw)

    def get(self, kind: Kind | str, entity_id: str) -> dict:
        """One entity's data; raises if it is missing or invalid."""
        rec = self.read(kind, entity_id)
        if not rec.ok:
            raise DataError(f"{rec.path} is invalid", hint="fix it, then run the command again",
                            diagnostics=[d for d in rec.diagnostics if d.is_error])
        assert rec.data is not None
        return rec.data

    def load(self, kind: Kind | str, scan: Scan | None = None) -> dict[str, Record]:
        """Every entity of a kind, by id, through the cache."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        return self.load_all([kind.name], scan=scan)[kind.name]

    def load_all(self, kinds: Iterable[str] | None = None, *, scan: Scan | None = None,
                 progress: Progress | None = None) -> dict[str, dict[str, Record]]:
        """Every entity of the given kinds (all by default), through the caches.

        Files no cache knows are parsed together, in parallel when there are many.
        """
        names = list(kinds or KINDS)
        with gc_paused():
            if scan is None or any(n not in scan.entries for n in names):
                scan = self.scan(names)
            caches = {n: _KindCache(self, KINDS[n]) for n in names}
            plans = {n: caches[n].plan(scan.entries[n]) for n in names}
            jobs = [(n, entity_id, rel, str(self.root / rel))
                    for n in names for rel, entity_id in plans[n].misses]
            parsed = check_paths(jobs, progress) if jobs else []
            fresh: dict[str, dict[str, Record | None]] = {n: {} for n in names}
            for (n, _, rel, _), rec in zip(jobs, parsed, strict=True):
                fresh[n][rel] = rec
            return {n: caches[n].finish(plans[n], fresh[n], scan.started) for n in names}

    def columns(self, kind: Kind | str, fields: tuple[str, ...], *,
                scan: Scan | None = None) -> dict[str, tuple | None]:
        """A few fields of every entity of a kind: ``{id: values}``, None where the
        file is not valid on its own.

        Kept in a small cache of its own, so that a check that needs, say, every
        participant's employee and manager ids does not load every participant.
        """
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        with gc_paused():
            if scan is None or kind.name not in scan.entries:
                scan = self.scan([kind.name])
            return _ColumnCache(self, kind, fields).load(scan.entries[kind.name], scan.started)

    def data(self, kind: Kind | str) -> dict[str, dict]:
        """Readable entities of a kind, by id (files that cannot be read are left out)."""
        return {i: r.data for i, r in self.load(kind).items() if r.data is not None}


@dataclass
class _Plan:
    entries: dict[str, tuple[str, tuple, bool]]
    hits: dict[str, Record]
    misses: list[tuple[str, str]]          # (relpath, id) to parse
    cached_count: int
    changed: bool


class _KindCache:
    """The per-kind pickle cache of :func:`check_file` results."""

    def __init__(self, program: Program, kind: Kind) -> None:
        self.program = program
        self.kind = kind
        self.file = program.root / CACHE_DIR / f"{kind.name}.pickle"
        self.stamp = (_CACHE_FORMAT, __version__, schemas.fingerprint())

    def _read_cache(self) -> dict[str, tuple[tuple, dict | None, tuple]]:
        """``{relpath: (stat key, data, diagnostics)}``: plain tuples, which load
        about twice as fast as records."""
        try:
            with open(self.file, "rb") as fh:
                stamp, entries = pickle.load(fh)  # noqa: S301 - our own local cache
        except Exception:  # a missing, old or damaged cache is simply rebuilt
            return {}
        if stamp != self.stamp or not isinstance(entries, dict):
            return {}
        return {rel: hit for rel, hit in entries.items()
                if isinstance(hit, tuple) and len(hit) == 3 and isinstance(hit[0], tuple)
                and isinstance(hit[1], dict | None) and isinstance(hit[2], tuple)}

    def plan(self, entries: dict[str, tuple[str, tuple, bool]]) -> _Plan:
        cached = self._read_cache()
        hits: dict[str, Record] = {}
        misses: list[tuple[str, str]] = []
        changed = False
        for rel, (entity_id, key, is_link) in entries.items():
            hit = cached.get(rel)
            if hit is not None and hit[0] == key:
                hits[rel] = Record(self.kind.name, entity_id, rel, hit[1], list(hit[2]))
            elif is_link:
                hits[rel] = _symlink_record(self.kind, entity_id, rel)
                changed = True
            else:
                misses.append((rel, entity_id))
                changed = True
        return _Plan(entries, hits, misses, len(cached), changed)

    def finish(self, plan: _Plan, parsed: dict[str, Record | None], started: int) -> dict[str, Record]:
        limit = started - _RACY_NS
        keep: dict[str, tuple[tuple, dict | None, tuple]] = {}
        out: dict[str, Record] = {}
        dirty = len(plan.misses)
        for rel, (entity_id, key, _) in plan.entries.items():
            rec = plan.hits.get(rel)
            if rec is None:
                rec = parsed.get(rel)
                if rec is None:
                    continue  # gone since the scan
            out[entity_id] = rec
            if key[1] < limit:
                keep[rel] = (key, rec.data, tuple(rec.diagnostics))
            else:
                dirty += 1  # not cached yet: re-read next time
        dirty += abs(plan.cached_count - (len(keep) - len(plan.misses)))
        # Rewriting the cache of a large kind costs more than parsing a few files
        # again: after an edit or two, the next load reads those files once more.
        if (plan.changed or dirty) and (len(plan.entries) < _SMALL_KIND or dirty >= _REWRITE_AFTER):
            self._write_cache(keep)
        return dict(sorted(out.items()))

    def _write_cache(self, entries: dict[str, tuple[tuple, Any]]) -> None:
        write_cache(self.file, (self.stamp, entries))


class _ColumnCache:
    """The per-kind cache of a few fields of each file (see :meth:`Program.columns`)."""

    def __init__(self, program: Program, kind: Kind, fields: tuple[str, ...]) -> None:
        import hashlib

        self.program = program
        self.kind = kind
        self.fields = fields
        tag = hashlib.sha256(",".join(fields).encode()).hexdigest()[:12]
        self.file = program.root / CACHE_DIR / f"{kind.name}-{tag}.pickle"
        self.stamp = (_CACHE_FORMAT, __version__, schemas.fingerprint(), fields)

    def load(self, entries: dict[str, tuple[str, tuple, bool]], started: int
             ) -> dict[str, tuple | None]:
        kept = read_cache(self.file)
        cached = kept[1] if isinstance(kept, tuple) and len(kept) == 2 and \
            kept[0] == self.stamp and isinstance(kept[1], dict) else {}
        limit = started - _RACY_NS
        out: dict[str, tuple | None] = {}
        keep: dict[str, tuple[tuple, tuple | None]] = {}
        misses: list[tuple[str, str, tuple]] = []
        dirty = 0
        for rel, (entity_id, key, is_link) in entries.items():
            hit = cached.get(rel)
            if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == key \
                    and (hit[1] is None or isinstance(hit[1], tuple)):
                values = hit[1]
            elif is_link:
                values = None
                dirty += 1
            else:
                misses.append((rel, entity_id, key))
                continue
            out[entity_id] = values
            if key[1] < limit:
                keep[rel] = (key, values)
        recs: list[Record | None] = []
        if len(misses) > _REWRITE_AFTER:
            # many to read (a new column cache): the kind's own cache has them
            loaded = self.program.load_all([self.kind.name], scan=Scan(
                {self.kind.name: entries}, [], started))[self.kind.name]
            recs = [loaded.get(entity_id) for _, entity_id, _ in misses]
        elif misses:
            recs = check_paths([(self.kind.name, entity_id, rel, str(self.program.root / rel))
                                for rel, entity_id, _ in misses])
        for (rel, entity_id, key), rec in zip(misses, recs, strict=True):
            if rec is None:
                continue
            values = tuple(rec.data.get(f) for f in self.fields) \
                if rec.ok and rec.data is not None else None
            out[entity_id] = values
            dirty += 1
            if key[1] < limit:
                keep[rel] = (key, values)
        dirty += len(entries) - len(keep) + abs(len(cached) - len(entries))
        if dirty and (len(entries) < _SMALL_KIND or dirty >= _REWRITE_AFTER or not cached):
            write_cache(self.file, (self.stamp, keep))
        return dict(sorted(out.items()))  # by id, as load() gives them


def write_cache(path: Path, value: Any) -> None:
    """Pickle ``value`` to ``path`` atomically; a cache that cannot be written is skipped."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError:  # a read-only checkout still works, only slower
        pass


def read_cache(path: Path) -> Any:
    """What :func:`write_cache` wrote, or None if it is missing or unreadable."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own local cache
    except Exception:
        return None
