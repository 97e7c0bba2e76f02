"""Upgrading a program written in an older file format, in one commit.

``program.toml`` declares the format in ``schema_version``. Each change of
format is one :class:`Step` from version N to N+1, registered in
:data:`STEPS`; ``migrate`` runs the steps from the program's version to
:data:`settings.SCHEMA_VERSION` inside one change (one commit, or nothing).
A later format adds a step; the earlier ones never change.

Steps edit files in place: program.toml line by line, entity files through
the round-trip writer, so comments and key order survive the upgrade.

Version 0 (rmtui before 0.1) differs from version 1 in names only:

==============================  ===================================
version 0                       version 1
==============================  ===================================
no ``schema_version``           ``schema_version = 1``
``[program] title = ...``       ``[program] name = ...``
``[matching.weights]``          ``[weights]``
``[kpi.targets]``               ``[targets]``
participant ``level``           ``grade``
participant ``team``            ``department``
session ``minutes``             ``duration_minutes``
session ``rating``              ``ratings``
==============================  ===================================
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rmtui.core import gitrepo, merge, settings, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.ops.change import Change, Outcome, change, outcome_of
from rmtui.core.store import Program


@dataclass(frozen=True)
class Step:
    source: int
    target: int
    summary: str
    apply: Callable[[Program, Change], list[str]]   # returns what it did, line by line


def declared_version(program: Program) -> int:
    """The format version ``program.toml`` declares (0 when it declares none)."""
    raw = yamlio.peek(program.root / settings.FILENAME)
    if raw is None:
        raise UsageError("program.toml is missing", hint="run `rmtui init` to create a program")
    try:
        data = tomllib.loads(raw.decode("utf-8").lstrip("\ufeff"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"program.toml cannot be read: {exc}",
                        hint="fix it, then run `rmtui migrate` again") from None
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise DataError(f"program.toml has schema_version = {version!r}, not a version number",
                        hint=f"versions are whole numbers; this rmtui writes {settings.SCHEMA_VERSION}")
    return version


def migrate(program: Program, *, commit: bool = True) -> tuple[Outcome, list[str]]:
    """Upgrade the program to the current format, in one commit; and what each step did."""
    version = declared_version(program)
    target = settings.SCHEMA_VERSION
    if version > target:
        raise UsageError(f"this program uses file format version {version}, newer than this "
                         f"rmtui knows ({target})", hint="upgrade rmtui (pip install -U rmtui)")
    repo = gitrepo.Repo.of(program.root)
    if repo is not None:
        merge.register_driver(repo)  # this clone merges program files field by field
    attributes = merge.attributes_text(
        (yamlio.peek(program.root / ".gitattributes") or b"").decode("utf-8", "replace")
        if (program.root / ".gitattributes").exists() else None)
    if version == target and attributes is None:
        return Outcome(f"the program is already at file format version {target}",
                       changed=False), []
    done: list[str] = []
    message = (f"program: migrate from file format version {version} to {target}"
               if version < target else "program: merge program files field by field "
               "(rmtui's merge driver)")
    with change(program, message, "program.migrate", commit=commit) as ch:
        while version < target:
            step = STEPS[version]
            done.append(f"{step.source} -> {step.target}: {step.summary}")
            done.extend(f"  {line}" for line in step.apply(program, ch))
            version = step.target
        if merge.ensure_attributes(program, ch):
            done.append(".gitattributes: program files merge with rmtui's merge driver")
    out = outcome_of(ch, f"migrated the program to file format version {target} "
                         f"({len(ch.backups)} file(s) changed)")
    return out, done


# --------------------------------------------------------------------------
# 0 -> 1
# --------------------------------------------------------------------------

_HEADER = re.compile(r"^(\s*)\[\s*([A-Za-z0-9_.\-\s]+?)\s*\](\s*(?:#.*)?)$")
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_\-]+)(\s*=.*)$")
_TABLES_0_1 = {"matching.weights": "weights", "kpi.targets": "targets"}


def _toml_0_to_1(text: str) -> str:
    lines = text.split("\n")
    table = ""
    out = []
    has_version = False
    for line in lines:
        m = _HEADER.match(line)
        if m:
            table = re.sub(r"\s+", "", m.group(2))
            if table in _TABLES_0_1:
                line = f"{m.group(1)}[{_TABLES_0_1[table]}]{m.group(3)}"
        else:
            k = _KEY.match(line)
            if k and table == "program" and k.group(2) == "title":
                line = f"{k.group(1)}name{k.group(3)}"
            elif k and table == "" and k.group(2) == "schema_version":
                line = f"{k.group(1)}schema_version = 1"
                has_version = True
        out.append(line)
    if not has_version:
        # after the comment lines that open the file
        at = 0
        while at < len(out) and (out[at].startswith("#") or not out[at].strip()):
            at += 1
        out[at:at] = ["# The version of rmtui's file format. `rmtui migrate` upgrades older programs.",
                      "schema_version = 1", ""]
    return "\n".join(out)


def _rename(doc: Any, old: str, new: str) -> bool:
    """Rename a key in place: same position, same comments."""
    if old not in doc or new in doc:
        return False
    pos = list(doc).index(old)
    value = doc[old]
    comment = doc.ca.items.pop(old, None)
    del doc[old]
    doc.insert(pos, new, value)
    if comment is not None:
        doc.ca.items[new] = comment
    return True


_RENAMES_0_1 = {"participant": {"level": "grade", "team": "department"},
                "session": {"minutes": "duration_minutes", "rating": "ratings"}}


def _step_0_to_1(program: Program, ch: Change) -> list[str]:
    done = []
    path = program.root / settings.FILENAME
    raw = yamlio.read_bytes(path) or b""
    new_text = _toml_0_to_1(raw.decode("utf-8"))
    parsed = settings.parse(new_text.encode("utf-8"))
    if not parsed.ok:
        raise DataError("program.toml cannot be migrated automatically: after renaming, it "
                        "still has problems", diagnostics=parsed.diagnostics,
                        hint="fix these by hand (see the table in `rmtui migrate --help`), "
                             "then run `rmtui migrate` again")
    if new_text.encode("utf-8") != raw:
        ch.replace(settings.FILENAME, new_text.encode("utf-8"), yamlio.digest(raw))
        done.append(f"{settings.FILENAME}: schema_version, [program] name, [weights], [targets]")
    for kind_name, renames in _RENAMES_0_1.items():
        kind = KINDS[kind_name]
        changed = 0
        for rel, _ in sorted(program.files(kind)):
            file_raw = yamlio.read_bytes(program.root / rel)
            if file_raw is None:
                continue
            text = file_raw.decode("utf-8", "replace")
            if not any(re.search(rf"^{old}\s*:", text, re.MULTILINE) for old in renames):
                continue  # nothing to rename: the file is not even parsed
            doc = yamlio.load_rt(text, rel)
            if not isinstance(doc, dict):
                continue
            if any([_rename(doc, old, new) for old, new in renames.items()]):
                ch.replace(rel, yamlio.encode_like(yamlio.dump_rt(doc), file_raw),
                           yamlio.digest(file_raw))
                changed += 1
        if changed:
            pairs = ", ".join(f"{o} -> {n}" for o, n in renames.items())
            done.append(f"{changed} {kind.name} file(s): {pairs}")
    return done


STEPS: dict[int, Step] = {
    0: Step(0, 1, "names of version 1 (grade, department, duration_minutes, ratings, "
                  "[weights], [targets]) and schema_version", _step_0_to_1),
}
