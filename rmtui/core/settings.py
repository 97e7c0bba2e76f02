"""``program.toml``: the program's name, dates, rules, weights and KPI targets.

Values a file leaves out fall back to the defaults in
``schemas/program.schema.json``, so the schema is the one place where a
default is written down (the template only repeats them, and a test keeps
the two equal).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmtui.core import diagnostics as diag
from rmtui.core import schemas
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.yamlio import MAX_FILE_BYTES, peek, to_plain

FILENAME = "program.toml"
SCHEMA_VERSION = 1
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass
class Settings:
    """The parsed ``program.toml`` merged over the schema's defaults."""

    values: dict = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    version: int = SCHEMA_VERSION  # the file format version program.toml declares

    @property
    def outdated(self) -> bool:
        """The program is in another file format version: nothing else can be read."""
        return self.version != SCHEMA_VERSION

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def rule(self, name: str) -> dict:
        """A hard rule's settings; ``enabled`` is always present."""
        out = {"enabled": True}
        out.update(self.get(f"rules.{name}", {}) or {})
        return out

    @property
    def name(self) -> str:
        return self.get("program.name", "")

    def date(self, dotted: str) -> dt.date | None:
        value = self.get(dotted)
        return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


_TOML_HEADER = re.compile(r"^(\s*)\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"^(\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                       r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")
_TOML_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)")


def _toml_keys(dotted: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in _TOML_PART.findall(dotted))


def locate_toml(text: str, path: tuple) -> tuple[int, int] | None:
    """Best-effort line and column of ``[a.b]`` / ``key =`` in a TOML text.

    The place is the table header when the path names a table, else the key
    (plain or dotted) inside the deepest table the path runs through; the top
    of the file for the whole document.
    """
    keys = tuple(p for p in path if isinstance(p, str))
    if not keys:
        return (1, 1)
    lines = text.split("\n")
    sections: list[tuple[int, tuple[str, ...], int]] = [(-1, (), 0)]  # (line index, table, indent)
    for i, line in enumerate(lines):
        m = _TOML_HEADER.match(line)
        if m:
            sections.append((i, _toml_keys(m.group(2)), len(m.group(1))))
    for depth in range(len(keys), -1, -1):
        table, rest = keys[:depth], keys[depth:]
        if not rest:  # [a.b], else the first [a.b.c] that makes it
            for start, name, indent in sorted(sections, key=lambda s: s[1] != table):
                if name[: len(table)] == table:
                    return (start + 1, indent + 1)
            continue
        for n, (start, name, _indent) in enumerate(sections):
            if name != table:
                continue
            end = sections[n + 1][0] if n + 1 < len(sections) else len(lines)
            for j in range(start + 1, end):
                m = _TOML_KEY.match(lines[j])
                if m:
                    parts = _toml_keys(m.group(2))
                    if parts[: len(rest)] == rest[: len(parts)]:
                        return (j + 1, len(m.group(1)) + 1)
    return None


def parse(raw: bytes, path: str = FILENAME) -> Settings:
    """Parse and check ``program.toml``; problems become diagnostics."""
    out = Settings(values=schemas.get("program").defaults())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        out.diagnostics.append(diag.error(path, "encoding", "program.toml is not valid UTF-8",
                                          "save it as UTF-8", 1, 1))
        return out
    if text.startswith("\ufeff"):  # TOML has no BOM: reported, and the rest still read
        out.diagnostics.append(diag.error(path, "toml-bom", "the file starts with a byte-order mark",
                                          "save it as UTF-8 without a BOM", 1, 1))
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        out.diagnostics.append(diag.error(
            path, "toml-syntax", _TOML_POS.sub("", msg).strip(),
            "fix the TOML syntax (strings in double quotes, dates as 2027-01-15)", line, col))
        return out
    plain = to_plain(data)
    version = plain.get("schema_version", 0)  # version 0 did not write one
    if isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        pos = locate_toml(text, ("schema_version",)) or (1, 1)
        if version < SCHEMA_VERSION:
            out.diagnostics.append(diag.error(
                path, "schema-version", f"this program uses rmtui's file format version {version}; "
                f"this rmtui reads version {SCHEMA_VERSION}",
                "run `rmtui migrate` to upgrade it (one commit; `git show` lists every change)",
                *pos))
        else:
            out.diagnostics.append(diag.error(
                path, "schema-version", f"this program uses file format version {version}, made by "
                f"a newer rmtui; this one reads version {SCHEMA_VERSION}",
                "upgrade rmtui (pip install -U rmtui)", *pos))
        out.version = version
        return out
    for issue in schemas.get("program").check(plain):
        pos = locate_toml(text, issue.path) or (None, None)
        out.diagnostics.append(diag.error(path, "settings", issue.message, issue.hint, *pos))
    if out.ok:
        out.values = _merge(out.values, plain)
    return out


def load(root: Path) -> Settings:
    path = root / FILENAME
    if not path.exists() and not path.is_symlink():
        return Settings(diagnostics=[diag.error(FILENAME, "missing-file", "program.toml is missing",
                                                "run `rmtui init` to create a program")])
    if path.is_symlink():
        return Settings(diagnostics=[diag.error(
            FILENAME, "symlink", "program.toml is a symbolic link; rmtui reads only plain files",
            "replace the link with the file itself", 1, 1)])
    raw = peek(path)
    if raw is None:
        return Settings(diagnostics=[diag.error(FILENAME, "missing-file",
                                                "program.toml is not a plain file",
                                                "replace it with the program's settings file")])
    if len(raw) > MAX_FILE_BYTES:
        return Settings(diagnostics=[diag.error(
            FILENAME, "file-size", f"program.toml is larger than {MAX_FILE_BYTES:,} bytes",
            "the settings file holds a few tables: remove what does not belong", 1, 1)])
    return parse(raw)
