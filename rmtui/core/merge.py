"""Merging program files: git's merge driver for rmtui, and what it leaves to finish.

Several owners change one program on their own branches or clones. Different
entities are different files, so git merges those by itself. For the same
file changed on both sides, ``.gitattributes`` (written by ``rmtui init``,
``sync`` and ``migrate``) names the ``rmtui`` merge driver, which each clone
registers in its ``.git/config``:

1. git's own line merge, when it is clean and gives a readable file;
2. otherwise a merge field by field: a field changed on one side only takes
   that side's value, so two owners who changed different fields of one
   participant merge cleanly even when the lines touch. The file is edited
   with the round-trip writer, so comments and key order stay;
3. two sessions of one pair logged on one day on two branches create the
   same file, ``sessions/<pair>/<date>.yaml`` (an add/add conflict in plain
   git). When they differ, they are two sessions: the merge keeps ours as
   the file and theirs, whole, in a marked comment block at its end. The
   file is a valid session, nothing is lost, ``validate`` points at it, and
   :func:`split_merged_sessions` (run by ``rmtui sync``) turns the block
   into the next free ``<date>-N.yaml`` in a commit of its own;
4. a real conflict (both sides changed the same field to different values)
   is left to the person, with git's conflict markers.

A merge made by a git host's web interface does not run local drivers: there,
same-day sessions show as a conflict that ``rmtui sync`` in a clone resolves.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmtui.core import gitrepo, yamlio
from rmtui.core.kinds import KINDS, Kind, of_path
from rmtui.core.store import KEPT_SESSION_MARK

DRIVER = "rmtui"
MARK = KEPT_SESSION_MARK.decode()
_BLOCK_HEAD = (f"{MARK} a second session of this pair on this day came in a merge.\n"
               "# `rmtui sync` makes it its own file; the lines below are that session.\n")
_LINE = "#| "

ATTRIBUTES = (
    "# rmtui merges program files field by field, and keeps both of two sessions\n"
    "# logged on one day on two branches (the driver is set in each clone's\n"
    "# .git/config by `rmtui init`, `rmtui sync` or `rmtui migrate`).\n"
    + "".join(f"{k.folder}/{'*/' if k.nested else ''}*.yaml merge={DRIVER}\n"
              for k in KINDS.values())
)


# --------------------------------------------------------------------------
# Setting a repository up
# --------------------------------------------------------------------------


def driver_command() -> str:
    """The command git runs to merge a program file (this Python, this rmtui)."""
    return f"{shlex.quote(sys.executable)} -m rmtui merge-file -- %O %A %B %P"


def register_driver(repo: gitrepo.Repo) -> None:
    """Name the driver in the clone's local config (what .gitattributes refers to)."""
    repo.git("config", f"merge.{DRIVER}.name", "rmtui: program files, field by field")
    repo.git("config", f"merge.{DRIVER}.driver", driver_command())


def ensure_attributes(program, ch) -> bool:
    """Add rmtui's lines to the program's ``.gitattributes`` within change ``ch``."""
    path = program.root / ".gitattributes"
    raw = yamlio.read_bytes(path)
    text = attributes_text(raw.decode("utf-8", "replace") if raw is not None else None)
    if text is None:
        return False
    if raw is None:
        ch.create(".gitattributes", text)
    else:
        ch.replace(".gitattributes", text.encode("utf-8"), yamlio.digest(raw))
    return True


def attributes_text(current: str | None) -> str | None:
    """``.gitattributes`` with rmtui's lines added, or None if they are all there."""
    have = set((current or "").splitlines())
    missing = [line for line in ATTRIBUTES.splitlines()
               if line and not line.startswith("#") and line not in have]
    if not missing:
        return None
    if current is None or not current.strip():
        return ATTRIBUTES
    return current.rstrip("\n") + "\n\n" + ATTRIBUTES


# --------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------


@dataclass
class Merged:
    data: bytes
    clean: bool


def kind_of(path: str) -> tuple[Kind, str] | None:
    """The kind and id of a file named by its path in the repository (the program may
    be in a subfolder)."""
    parts = path.replace(os.sep, "/").split("/")
    for i in range(len(parts)):
        found = of_path("/".join(parts[i:]))
        if found is not None:
            return found
    return None


def merge_file(base: bytes | None, ours: bytes, theirs: bytes, path: str) -> Merged:
    """Merge one program file changed on both sides (``base`` None: added on both)."""
    if ours == theirs:
        return Merged(ours, True)
    text, clean = _line_merge(base or b"", ours, theirs)
    if clean and yamlio.parse(text, path).ok:
        return Merged(text, True)
    found = kind_of(path)
    parsed = [yamlio.parse(x, path) if x else None for x in (base, ours, theirs)]
    if found is None or any(p is None or not p.ok or not isinstance(p.data, dict)
                            for p in parsed[1:]) or (parsed[0] is not None and not parsed[0].ok):
        return Merged(text, False)  # an empty or unreadable side: for a person to decide
    kind, _ = found
    b = parsed[0].data if parsed[0] is not None and isinstance(parsed[0].data, dict) else {}
    o, t = parsed[1].data, parsed[2].data
    fields = _merge_fields(b, o, t)
    if fields is not None:
        return Merged(_apply_fields(ours, o, fields, kind, path), True)
    if kind.name == "session" and not b:
        return Merged(keep_both(ours, theirs), True)
    return Merged(text, False)


def _line_merge(base: bytes, ours: bytes, theirs: bytes) -> tuple[bytes, bool]:
    """git's own three-way line merge: (result with markers if any, clean)."""
    with tempfile.TemporaryDirectory(prefix="rmtui-merge-") as folder:
        names = []
        for label, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            name = os.path.join(folder, label)
            with open(name, "wb") as fh:
                fh.write(content)
            names.append(name)
        proc = subprocess.run(["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L",
                               "theirs", *names], capture_output=True)
    return proc.stdout, proc.returncode == 0


_GONE = object()


def _merge_fields(base: dict, ours: dict, theirs: dict) -> dict | None:
    """The merged fields, or None if one field was changed differently on both sides."""
    out: dict[str, Any] = {}
    for key in list(ours) + [k for k in theirs if k not in ours]:
        b, o, t = base.get(key, _GONE), ours.get(key, _GONE), theirs.get(key, _GONE)
        if o == t:
            value = o
        elif o == b:
            value = t
        elif t == b:
            value = o
        elif isinstance(o, dict) and isinstance(t, dict) and (b is _GONE or isinstance(b, dict)):
            inner = _merge_fields(b if isinstance(b, dict) else {}, o, t)
            if inner is None:
                return None
            value = inner
        else:
            return None
        if value is not _GONE:
            out[key] = value
    return out


def _apply_fields(ours_raw: bytes, ours: dict, merged: dict, kind: Kind, path: str) -> bytes:
    """Our file, edited round-trip so that it holds ``merged``."""
    from rmtui.core.ops.entities import Assignment, _apply

    doc = yamlio.load_rt(ours_raw.decode("utf-8", "replace"), path)
    for key in ours:
        if key not in merged:
            _apply(doc, Assignment(key, "unset"), kind)
    for key, value in merged.items():
        if ours.get(key, _GONE) != value:
            _apply(doc, Assignment(key, "set", value), kind)
    return yamlio.encode_like(yamlio.dump_rt(doc), ours_raw)


# --------------------------------------------------------------------------
# Two sessions in one file, until they are split
# --------------------------------------------------------------------------


def keep_both(ours: bytes, theirs: bytes) -> bytes:
    """Ours as the file; theirs (and any sessions it already kept) as marked comments."""
    own, kept = split_text(ours)
    other, other_kept = split_text(theirs)
    blocks = kept + [other] + other_kept
    out = own.rstrip(b"\n") + b"\n"
    for block in blocks:
        out += b"\n" + _BLOCK_HEAD.encode() + b"".join(
            (_LINE + line).rstrip().encode() + b"\n"
            for line in block.decode("utf-8", "replace").rstrip("\n").split("\n"))
    return out


def split_text(raw: bytes) -> tuple[bytes, list[bytes]]:
    """A session file's own text, and the texts of the sessions kept in it by a merge."""
    lines = raw.split(b"\n")
    own: list[bytes] = []
    blocks: list[list[bytes]] = []
    inside = False
    for line in lines:
        if line.startswith(MARK.encode()):
            blocks.append([])
            inside = True
            continue
        if inside and line.startswith(b"# ") and not line.startswith(_LINE.rstrip().encode()):
            continue  # the rest of the block's heading
        if inside and line.startswith(_LINE.rstrip().encode()):
            blocks[-1].append(line[len(_LINE):] if line.startswith(_LINE.encode()) else b"")
            continue
        inside = False
        own.append(line)
    text = b"\n".join(own)
    if blocks:
        text = text.rstrip(b"\n") + b"\n"
    return text, [b"\n".join(block) + b"\n" for block in blocks if block]


def has_kept_sessions(raw: bytes) -> bool:
    return MARK.encode() in raw


def split_merged_sessions(program, *, commit: bool = True):
    """Give every session kept in a comment by a merge its own file, in one commit.

    Returns the :class:`Outcome`, or None when there was nothing to split.
    """
    from rmtui.core.errors import DataError
    from rmtui.core.ops.change import change, outcome_of
    from rmtui.core.ops.entities import new_id

    kind = KINDS["session"]
    found = []
    for rel, entity_id in sorted(program.files(kind)):
        raw = yamlio.peek(program.root / rel)
        if raw is not None and has_kept_sessions(raw):
            found.append((rel, entity_id, raw))
    if not found:
        return None
    made: list[str] = []
    with change(program, f"session: keep both sessions of a day from a merge "
                         f"({len(found)} file(s))", "session.split", commit=commit) as ch:
        for rel, _entity_id, raw in found:
            own, blocks = split_text(raw)
            for block in blocks:
                parsed = yamlio.parse(block, rel)
                if not parsed.ok or not isinstance(parsed.data, dict):
                    raise DataError(f"{rel}: a session kept by a merge cannot be read",
                                    diagnostics=parsed.diagnostics,
                                    hint="make it its own file by hand, then remove the "
                                         "commented block")
                new = new_id(program, kind, parsed.data)
                ch.create(kind.path(new), block.decode("utf-8"))
                made.append(new)
            ch.replace(rel, own, yamlio.digest(raw))
    out = outcome_of(ch, "split sessions kept by a merge: " + ", ".join(made))
    return out


def main(argv: list[str]) -> int:
    """``rmtui merge-file %O %A %B %P``: merge in place into %A; 0 clean, 1 conflict."""
    base_path, ours_path, theirs_path, path = argv
    base = Path(base_path).read_bytes()
    ours = Path(ours_path).read_bytes()
    theirs = Path(theirs_path).read_bytes()
    result = merge_file(base or None, ours, theirs, path)
    with open(ours_path, "wb") as fh:
        fh.write(result.data)
    return 0 if result.clean else 1
