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
from rmtui.core.yamlio import to_plain

FILENAME = "program.toml"
SCHEMA_VERSION = 1
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass
class Settings:
    """The parsed ``program.toml`` merged over the schema's defaults."""

    values: dict = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

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


def locate_toml(text: str, path: tuple) -> tuple[int, int] | None:
    """Best-effort line and column of ``[a.b]`` / ``key =`` in a TOML text."""
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return None
    lines = text.split("\n")
    # the deepest table header that is a prefix of the path, then the key
    table_re = None
    for depth in range(len(keys) - 1, 0, -1):
        table = ".".join(keys[:depth])
        table_re = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
        for i, line in enumerate(lines):
            if table_re.match(line):
                key_re = re.compile(r"^\s*" + re.escape(keys[depth]) + r"\s*=")
                for j in range(i + 1, len(lines)):
                    if lines[j].lstrip().startswith("["):
                        break
                    if key_re.match(lines[j]):
                        return (j + 1, len(lines[j]) - len(lines[j].lstrip()) + 1)
                return (i + 1, 1)
    key_re = re.compile(r"^\s*" + re.escape(keys[0]) + r"\s*=")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            break
        if key_re.match(line):
            return (i + 1, 1)
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
    for issue in schemas.get("program").check(plain):
        pos = locate_toml(text, issue.path) or (None, None)
        out.diagnostics.append(diag.error(path, "settings", issue.message, issue.hint, *pos))
    if out.ok:
        out.values = _merge(out.values, plain)
    return out


def load(root: Path) -> Settings:
    path = root / FILENAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(diagnostics=[diag.error(FILENAME, "missing-file", "program.toml is missing",
                                                "run `rmtui init` to create a program")])
    return parse(raw)
