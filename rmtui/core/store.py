"""A program folder and its entities: ids, paths, reads and the load cache.

Reads of a whole kind go through a per-kind cache under ``.rmtui/cache/``
that holds, for each file, what the per-file checks made of it (its data and
its diagnostics), keyed by the file's size, modification time, inode and
change time. A file whose modification time is too close to the moment it
was read is never cached (git's "racy" rule), so an edit made in the same
clock tick as a read cannot be missed: the cache never serves stale data.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Iterator
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

CACHE_DIR = ".rmtui/cache"
_RACY_NS = 3_000_000_000  # files changed this close to a read are re-read next time
_CACHE_FORMAT = 1


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
    parsed = yamlio.parse(raw, relpath)
    rec = Record(kind.name, entity_id, relpath, diagnostics=list(parsed.diagnostics))
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


def _symlink_record(kind: Kind, entity_id: str, relpath: str) -> Record:
    return Record(kind.name, entity_id, relpath, diagnostics=[diag.error(
        relpath, "symlink", "the file is a symbolic link; rmtui reads and writes only plain files",
        f"replace the link with the file itself, or remove it (git rm {relpath})", 1, 1)])


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
            if (folder / settings.FILENAME).is_file():
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

    def files(self, kind: Kind) -> Iterator[tuple[str, os.DirEntry]]:
        """``(relpath, entry)`` of every file of a kind, unsorted."""
        base = self.root / kind.folder
        try:
            top = list(os.scandir(base))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in top:
            if kind.nested:
                if entry.is_dir(follow_symlinks=False):
                    try:
                        inner = list(os.scandir(entry.path))
                    except OSError:
                        continue
                    for sub in inner:
                        if sub.name.endswith(".yaml") and not sub.name.startswith("."):
                            yield f"{kind.folder}/{entry.name}/{sub.name}", sub
            elif entry.name.endswith(".yaml") and not entry.name.startswith("."):
                yield f"{kind.folder}/{entry.name}", entry

    def ids(self, kind: Kind | str) -> list[str]:
        """Ids of a kind from the file names alone (no parsing), sorted."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        out = []
        for rel, _ in self.files(kind):
            entity_id = kind.id_of(rel)
            if entity_id is not None:
                out.append(entity_id)
        return sorted(out)

    def stray_files(self) -> list[str]:
        """Files inside entity folders that cannot be entities (wrong name or depth)."""
        out = []
        for kind in KINDS.values():
            base = self.root / kind.folder
            if not base.is_dir():
                continue
            for path in base.rglob("*"):
                rel = path.relative_to(self.root).as_posix()
                if path.is_dir() or path.name.startswith("."):
                    continue
                entity_id = kind.id_of(rel)
                if entity_id is None:
                    out.append(rel)
                    continue
                try:
                    kind.check_id(entity_id)
                except UsageError:
                    out.append(rel)
        return sorted(out)

    # -- reading ---------------------------------------------------------------

    def read(self, kind: Kind | str, entity_id: str) -> Record:
        """One entity, checked on its own; raises if it does not exist."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        path = self.path_of(kind, entity_id)
        if path.is_symlink():
            return _symlink_record(kind, entity_id, kind.path(entity_id))
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise UsageError(f"no {kind.name} {entity_id!r}",
                             hint=f"`rmtui {kind.name} list` shows the {kind.plural}") from None
        return check_file(kind, entity_id, kind.path(entity_id), raw)

    def get(self, kind: Kind | str, entity_id: str) -> dict:
        """One entity's data; raises if it is missing or invalid."""
        rec = self.read(kind, entity_id)
        if not rec.ok:
            raise DataError(f"{rec.path} is invalid", hint="fix it, then run the command again",
                            diagnostics=[d for d in rec.diagnostics if d.is_error])
        assert rec.data is not None
        return rec.data

    def load(self, kind: Kind | str) -> dict[str, Record]:
        """Every entity of a kind, by id, through the cache."""
        kind = kinds_mod.get(kind) if isinstance(kind, str) else kind
        return _KindCache(self, kind).load()

    def load_all(self, kinds: Iterable[str] | None = None) -> dict[str, dict[str, Record]]:
        return {name: self.load(name) for name in (kinds or KINDS)}

    def data(self, kind: Kind | str) -> dict[str, dict]:
        """Readable entities of a kind, by id (files that cannot be read are left out)."""
        return {i: r.data for i, r in self.load(kind).items() if r.data is not None}


def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class _KindCache:
    """The per-kind pickle cache of :func:`check_file` results."""

    def __init__(self, program: Program, kind: Kind) -> None:
        self.program = program
        self.kind = kind
        self.file = program.root / CACHE_DIR / f"{kind.name}.pickle"
        self.stamp = (_CACHE_FORMAT, __version__, schemas.fingerprint())

    def _read_cache(self) -> dict[str, tuple[tuple, Record]]:
        try:
            with open(self.file, "rb") as fh:
                stamp, entries = pickle.load(fh)  # noqa: S301 - our own local cache
        except Exception:  # a missing, old or damaged cache is simply rebuilt
            return {}
        if stamp != self.stamp or not isinstance(entries, dict):
            return {}
        return {rel: hit for rel, hit in entries.items()
                if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[1], Record)}

    def load(self) -> dict[str, Record]:
        started = time.time_ns()
        cached = self._read_cache()
        fresh: dict[str, tuple[tuple, Record]] = {}
        out: dict[str, Record] = {}
        changed = False
        for rel, entry in self.program.files(self.kind):
            entity_id = self.kind.id_of(rel)
            if entity_id is None:
                continue
            try:
                self.kind.check_id(entity_id)
                st = entry.stat(follow_symlinks=False)
            except (UsageError, OSError):
                continue
            key = _stat_key(st)
            hit = cached.get(rel)
            if hit is not None and hit[0] == key:
                rec = hit[1]
            elif entry.is_symlink():
                rec = _symlink_record(self.kind, entity_id, rel)
            else:
                changed = True
                try:
                    raw = Path(entry.path).read_bytes()
                except OSError:
                    continue
                rec = check_file(self.kind, entity_id, rel, raw)
            out[entity_id] = rec
            if started - st.st_mtime_ns > _RACY_NS:
                fresh[rel] = (key, rec)
            else:
                changed = True  # not cached yet: re-read next time
        if changed or len(fresh) != len(cached):
            self._write_cache(fresh)
        return dict(sorted(out.items()))

    def _write_cache(self, entries: dict[str, tuple[tuple, Any]]) -> None:
        folder = self.file.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((self.stamp, entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:  # a read-only checkout still works, only slower
            pass
