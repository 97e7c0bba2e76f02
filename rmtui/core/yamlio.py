"""The one door to YAML: fast reads, faithful writes, atomic replace.

Reading a whole program uses PyYAML's libyaml parser with a YAML 1.2 core
resolver (so ``no`` stays a string and ``0755`` is 755, exactly as ruamel.yaml
reads them) and no timestamp resolution (dates stay ``YYYY-MM-DD`` strings).
It rejects what a hand-edited file can smuggle in: duplicate keys, anchors and
aliases (an alias bomb costs nothing to reject), non-string keys, conflict
markers, byte-order marks, CRLF line endings, binary junk.

Writing an existing file goes through ruamel.yaml's round-trip mode, so
comments, key order and quoting that people wrote by hand survive; one indent
style is fixed so that an untouched file saves byte for byte. New files are
written by a small emitter (:func:`dump`) that produces exactly what the
round-trip writer would keep, and hands anything unusual to ruamel.yaml.

Every write is atomic (temp file + rename) and can be made conditional on the
file still holding the bytes that were read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from rmtui.core import diagnostics as diag
from rmtui.core import faults
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import DataError, RepoError

try:  # libyaml, shipped in PyYAML's wheels
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python fallback, about 10 times slower

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  yaml.composer.Composer):
        def __init__(self, stream) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


# --------------------------------------------------------------------------
# Fast reading
# --------------------------------------------------------------------------


class _Resolver12(BaseResolver):
    """YAML 1.2 as ruamel.yaml reads it, without timestamps (dates stay strings).

    The number patterns are ruamel.yaml's 1.2 ones (underscores, signs and
    ``0b``/``0o``/``0x`` prefixes included), except that a number needs at
    least one digit: ruamel.yaml fails on ``-_`` or ``0x_``, which stay text here.
    """


_Resolver12.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver12.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Resolver12.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.[0-9_]*[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_Resolver12.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"^[-+]?(?:0b[01_]*[01][01_]*|0o?[0-7_]*[0-7][0-7_]*|[0-9_]*[0-9][0-9_]*"
        r"|0x[0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*)$"
    ),
    list("-+0123456789"),
)
# ruamel.yaml reads a plain << as a merge key: found here, it is refused
_Resolver12.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


_TAG_WORDS = {"tag:yaml.org,2002:int": "whole number", "tag:yaml.org,2002:float": "number",
              "tag:yaml.org,2002:bool": "true/false value", "tag:yaml.org,2002:null": "empty value"}


class AliasError(ConstructorError):
    pass


class _Constructor(SafeConstructor):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise AliasError(
                None, None, "anchors and aliases (&name, *name) are not allowed", node.start_mark
            )
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, LookupError, TypeError, ArithmeticError):
            # an explicit tag on a value that cannot have it (!!float abc,
            # !!bool maybe), or a number too long to convert
            what = _TAG_WORDS.get(node.tag, node.tag)
            shown = node.value if isinstance(node, ScalarNode) else "this"
            if isinstance(shown, str) and len(shown) > 40:
                shown = shown[:37] + "..."
            raise ConstructorError(None, None, f"{shown!r} is not a valid {what}",
                                   node.start_mark) from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise ConstructorError(
                    None, None, f"keys must be text, found {key!r}", key_node.start_mark
                )
            if key in mapping:
                raise DuplicateKeyError(key, key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_map(self, node: Node):  # type: ignore[override]
        yield self.construct_mapping(node, deep=True)

    def construct_yaml_int(self, node: Node) -> int:  # type: ignore[override]
        value = self.construct_scalar(node).replace("_", "")
        sign = -1 if value.startswith("-") else 1
        value = value.lstrip("+-")
        for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
            if value.startswith(prefix):
                return sign * int(value[2:], base)
        return sign * int(value, 10)  # 0755 is 755 in YAML 1.2

    def construct_merge_value(self, node: Node) -> str:
        return self.construct_scalar(node)  # a plain << as a value is just text

    def construct_not_plain(self, node: Node) -> Any:
        raise ConstructorError(
            None, None, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
            node.start_mark)


class DuplicateKeyError(ConstructorError):
    def __init__(self, key: str, mark) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key


_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_yaml_map)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:merge", _Constructor.construct_merge_value)
# SafeConstructor would make bytes, sets, tuples and dates of these: not JSON values
for _tag in ("binary", "set", "omap", "pairs", "timestamp"):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _Constructor.construct_not_plain)


class FastLoader(_Parser, _Constructor, _Resolver12):  # type: ignore[misc]
    def __init__(self, stream) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver12.__init__(self)


class _Unusual(Exception):
    """The document holds something the plain builder leaves to the constructor."""


_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_INT_BASES = {"0b": 2, "0o": 8, "0x": 16}


def _plain(node: Node, seen: set[int]) -> Any:
    """Build plain data from a node tree, exactly as :class:`FastLoader` would.

    About 1.6 times faster than PyYAML's constructor for the plain documents
    rmtui's files are; anything else (aliases, explicit tags, odd keys,
    duplicates, a value that does not convert) raises :class:`_Unusual` and is
    left to the constructor, which says precisely what is wrong.
    """
    if id(node) in seen:
        raise _Unusual  # an alias
    seen.add(id(node))
    cls = node.__class__
    if cls is ScalarNode:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        try:
            if tag == _INT:
                value = value.replace("_", "")
                sign = -1 if value.startswith("-") else 1
                value = value.lstrip("+-")
                base = _INT_BASES.get(value[:2])
                return sign * (int(value[2:], base) if base else int(value, 10))
            if tag == _FLOAT:
                value = value.replace("_", "").lower()
                fsign = -1.0 if value[:1] == "-" else 1.0
                value = value[1:] if value[:1] in "+-" else value
                if value == ".inf":
                    return fsign * float("inf")
                if value == ".nan":
                    return float("nan")
                if ":" in value:
                    raise _Unusual
                return fsign * float(value)
        except ValueError:
            raise _Unusual from None
        if tag == _NULL:
            return None
        if tag == _BOOL and value.lower() in SafeConstructor.bool_values:
            return SafeConstructor.bool_values[value.lower()]
        raise _Unusual
    if cls is MappingNode:
        if node.tag != _MAP:
            raise _Unusual
        out: dict[str, Any] = {}
        for key, value_node in node.value:
            if key.__class__ is not ScalarNode or key.tag != _STR or key.value in out \
                    or id(key) in seen:
                raise _Unusual
            seen.add(id(key))
            out[key.value] = _plain(value_node, seen)
        return out
    if cls is SequenceNode:
        if node.tag != _SEQ:
            raise _Unusual
        return [_plain(item, seen) for item in node.value]
    raise _Unusual


def _load(text: str) -> Any:
    """``yaml.load(text, Loader=FastLoader)``, with plain documents built faster."""
    loader = FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _plain(node, set())
        except (_Unusual, RecursionError):
            return loader.construct_document(node)
    finally:
        loader.dispose()


_CONFLICT_RE = re.compile(rb"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"


@dataclass
class Parsed:
    """The outcome of reading one file: its data, or why there is none."""

    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def readable(self) -> bool:
        """True when ``data`` holds the file's content (it may still have problems)."""
        return self.data is not None


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def _text_line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    if start == 0 and raw.startswith(_BOM) and offset >= len(_BOM):
        start = len(_BOM)  # a BOM takes no column in an editor
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1


def parse(raw: bytes, path: str) -> Parsed:
    """Read one YAML file fast. Never raises: problems become diagnostics.

    Byte-order marks and CRLF line endings are reported but the file is still
    read, so that its other problems show up in the same run.
    """
    out = Parsed()
    if b"\x00" in raw:
        line, col = _line_col(raw, raw.index(b"\x00"))
        out.diagnostics.append(diag.error(
            path, "encoding", "this is not a text file (it contains NUL bytes)",
            "restore it from git (git checkout -- FILE) or remove it", line, col))
        return out
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        out.diagnostics.append(diag.error(
            path, "encoding", f"this file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save it as UTF-8 (most editors offer this under 'Save with encoding')", line, col))
        return out
    if raw.startswith(_BOM):
        out.diagnostics.append(diag.error(
            path, "yaml-bom", "the file starts with a byte-order mark",
            "save it as UTF-8 without a BOM", 1, 1))
        text = text[1:]
    if "\r" in text:
        line, col = _line_col(raw, raw.index(b"\r"))
        out.diagnostics.append(diag.error(
            path, "yaml-crlf", "the file has Windows (CRLF) or old Mac (CR) line endings",
            "save it with Unix (LF) line endings; `git config core.autocrlf input` keeps them so",
            line, col))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    odd_break = _ODD_BREAK.search(text)
    if odd_break:
        line, col = _text_line_col(text, odd_break.start())
        out.diagnostics.append(diag.error(
            path, "encoding",
            f"the file holds an unusual line break (U+{ord(odd_break.group()):04X}), which YAML "
            "readers disagree on", "replace it with a plain line break or a space", line, col))
        return out
    conflict = _CONFLICT_RE.search(raw)
    if conflict:
        line, _ = _line_col(raw, conflict.start())
        out.diagnostics.append(diag.error(
            path, "conflict-marker", "the file holds git conflict markers",
            "keep the right side of the conflict, delete the <<<<<<< ======= >>>>>>> lines, "
            "then `git add` the file", line, 1))
        return out
    depth_line = _too_deep(text)
    if depth_line:
        out.diagnostics.append(diag.error(
            path, "yaml-depth", f"the file nests more than {MAX_DEPTH} levels deep",
            "rmtui files are a few levels deep at most: flatten the structure", depth_line, 1))
        return out
    try:
        data = _load(text)
    except yaml.MarkedYAMLError as exc:
        out.diagnostics.append(_yaml_error(path, exc, text))
        return out
    except yaml.reader.ReaderError as exc:  # a control character
        line, col = _text_line_col(text, exc.position)
        out.diagnostics.append(diag.error(
            path, "encoding", f"the file holds a control character (U+{exc.character:04X})"
            if isinstance(exc.character, int) else "the file holds a control character",
            "delete it: rmtui files hold printable text only", line, col))
        return out
    except yaml.YAMLError as exc:
        out.diagnostics.append(diag.error(path, "yaml-syntax", str(exc).splitlines()[0],
                                          "fix the YAML syntax"))
        return out
    except RecursionError:
        out.diagnostics.append(diag.error(path, "yaml-syntax", "the file is nested too deeply",
                                          "flatten the structure"))
        return out
    if data is None:
        if not text.strip():
            what = "the file is empty"
        elif all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n")):
            what = "the file holds only comments"
        else:
            what = "the file holds no data (an empty document)"
        out.diagnostics.append(diag.error(
            path, "empty-file", what, "fill it in or remove it (git rm FILE)", 1, 1))
        return out
    out.data = data
    return out


MAX_DEPTH = 64
_DEEP_INDENT = re.compile(r"^ {32}", re.MULTILINE)


def _nesting_marks(text: str) -> int:
    """How many tokens in ``text`` could open a collection without a new line."""
    return (text.count("[") + text.count("{")
            + text.count("- ") + text.count("-\t") + text.count("? ") + text.count("?\t"))


def _too_deep(text: str) -> int | None:
    """The line where nesting passes MAX_DEPTH, else None.

    libyaml's composer recurses in C and crashes the process on very deep
    documents, so depth is measured first on the (iterative) event stream,
    but only for texts that could be deep: plenty of brackets, of block
    indicators (``- `` and the explicit key ``? ``, which both nest on one
    line: ``? ? ? x``), or deep indentation.
    """
    if (_nesting_marks(text) < 48
            and not _DEEP_INDENT.search(text)):
        return None
    parser = _Parser(text)
    depth = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the real parse reports it, with its location
    return None


def _char_at(text: str, line: int | None, col: int | None) -> str:
    if line is None or col is None:
        return ""
    lines = text.split("\n")
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _yaml_error(path: str, exc: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if isinstance(exc, DuplicateKeyError):
        return diag.error(path, "yaml-duplicate-key", problem,
                          "a key may appear once per mapping: keep one of them", line, col)
    if isinstance(exc, AliasError):
        return diag.error(path, "yaml-alias", problem,
                          "write the values out in full", line, col)
    if "\\t" in problem or "tab" in problem or _char_at(text, line, col) == "\t":
        return diag.error(path, "yaml-tab", "a tab character where YAML needs spaces",
                          "indent with spaces, never tabs", line, col)
    if isinstance(exc, ConstructorError):
        return diag.error(path, "yaml-value", problem,
                          "rmtui files hold plain text, numbers, lists and mappings", line, col)
    if "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        hint = "check the indentation and that every key is followed by ': '"
    else:
        hint = "fix the YAML syntax at this place"
    start = exc.context_mark
    if exc.problem and exc.context and start is not None and mark is not None \
            and start.line != mark.line:  # where the unfinished part began
        what = exc.context.strip().removeprefix("while ")
        problem += f" ({what} that starts at line {start.line + 1}, column {start.column + 1})"
    return diag.error(path, "yaml-syntax", problem, hint, line, col)


def compose(text: str) -> Node | None:
    """The node tree of a document, for locating values. ``None`` if unreadable."""
    try:
        return yaml.compose(text, Loader=FastLoader)  # noqa: S506
    except (yaml.YAMLError, RecursionError):
        return None


def locate(root: Node | None, path: list[str | int], key: bool = False) -> tuple[int, int] | None:
    """1-based (line, col) of the value at ``path`` (or of its key with ``key=True``).

    Walks as deep as the path exists and returns the deepest position found.
    """
    if root is None:
        return None
    node: Node = root
    pos = (node.start_mark.line + 1, node.start_mark.column + 1)
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == str(part):
                    if last and key:
                        return (k.start_mark.line + 1, k.start_mark.column + 1)
                    node = v
                    break
            else:
                return pos
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return pos
        pos = (node.start_mark.line + 1, node.start_mark.column + 1)
    return pos


# --------------------------------------------------------------------------
# Round-trip editing
# --------------------------------------------------------------------------


def _yaml11_ambiguous(value: str) -> bool:
    """Strings that YAML 1.1 readers (PyYAML, many tools) would not read as text."""
    return bool(_YAML11_SPECIAL.match(value))


_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
    r"|[-+]?0[0-7_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$"
)


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def is_iso_date(value: object) -> bool:
    """A ``YYYY-MM-DD`` string naming a real day."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _rt_yaml():
    """A round-trip YAML instance with rmtui's one indent style."""
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        def represent_str(self, data: str):
            if is_iso_date(data):  # written plain, as a date, like hand-written dates
                return self.represent_date(dt.date.fromisoformat(data))
            if _ODD_BREAK.search(data):  # escaped (\N \L \P), never written raw
                return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
            if "\n" in data and _literal_ok(data):
                return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
            if _yaml11_ambiguous(data):
                return self.represent_scalar("tag:yaml.org,2002:str", data, style="'")
            return super().represent_str(data)

    Representer.add_representer(str, Representer.represent_str)
    y = YAML(typ="rt")
    y.Representer = Representer
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.preserve_quotes = True
    y.allow_duplicate_keys = False
    return y


_RT = None


def rt() -> Any:
    global _RT
    if _RT is None:
        _RT = _rt_yaml()
    return _RT


def load_rt(text: str, path: str) -> Any:
    """Parse for editing; a broken file raises :class:`DataError` with its location."""
    parsed = parse(text.encode("utf-8"), path)
    errors = [d for d in parsed.diagnostics if d.rule not in ("yaml-bom", "yaml-crlf")]
    if errors:
        raise DataError(f"{path} cannot be edited until it is fixed",
                        hint="run `rmtui validate` for every problem, or edit it with --editor",
                        diagnostics=errors)
    # read as LF text: ruamel.yaml keeps the CR of comment lines, which
    # encode_like() would then double (CR CR LF); it restores CRLF and BOM
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    try:
        return rt().load(text)
    except Exception as exc:  # ruamel raises many kinds; none may escape as a traceback
        raise DataError(f"{path} cannot be edited: {str(exc).splitlines()[0]}",
                        hint="fix the file by hand, then try again") from None


def dump_rt(data: Any) -> str:
    buf = io.StringIO()
    rt().dump(data, buf)
    return buf.getvalue()


def to_plain(value: Any) -> Any:
    """Round-trip data (or anything YAML gives) as plain JSON-like values."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if type(value).__name__ == "TaggedScalar" and isinstance(getattr(value, "value", None), str):
        return str(value.value)  # ruamel.yaml's reading of a plain = or <<: text, as parse() has it
    return value


# --------------------------------------------------------------------------
# Emitting new files
# --------------------------------------------------------------------------


class _Fallback(Exception):
    """The fast emitter met something it leaves to ruamel.yaml."""


_PLAIN_FIRST_EXTRA = set("_(/.$")
# what ruamel.yaml reads as something other than text (its YAML 1.2 patterns,
# as they are: it also tries, and fails, on digit-less ones such as ``._``)
_RESOLVES_12 = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _plain_ok(s: str) -> bool:
    if is_iso_date(s):
        return True
    if not s or not s.isprintable() or s != s.strip() or "\t" in s:
        return False
    first = s[0]
    if not (first.isalnum() or first in _PLAIN_FIRST_EXTRA):
        return False
    if ": " in s or " #" in s or s.endswith(":") or s.startswith("..."):
        return False  # (... alone on a line ends a document)
    return not (_RESOLVES_12.match(s) or _yaml11_ambiguous(s))


def _literal_ok(s: str) -> bool:
    if s.startswith((" ", "\n")) or "\t" in s or s.endswith("\n\n"):
        return False
    body = s[:-1] if s.endswith("\n") else s
    return all(line.isprintable() and line == line.rstrip() for line in body.split("\n"))


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "." not in text or "e" in text or "n" in text:
            raise _Fallback
        return text
    if isinstance(value, dt.datetime):
        raise _Fallback
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if _plain_ok(value):
            return value
        if "\n" not in value and value.isprintable():
            return "'" + value.replace("'", "''") + "'"
    raise _Fallback


def _emit_block(value: Any, indent: int, out: list[str], prefix: str) -> None:
    """Emit ``value`` after ``prefix`` (``key:`` or ``-``), children at ``indent``."""
    if isinstance(value, Mapping):
        if not value:
            out.append(f"{prefix} {{}}\n")
            return
        out.append(f"{prefix}\n")
        _emit_mapping(value, indent, out)
    elif isinstance(value, list | tuple):
        if not value:
            out.append(f"{prefix} []\n")
            return
        out.append(f"{prefix}\n")
        _emit_sequence(value, indent, out)
    elif isinstance(value, str) and "\n" in value:
        if not _literal_ok(value):
            raise _Fallback
        chomp = "" if value.endswith("\n") else "-"
        out.append(f"{prefix} |{chomp}\n")
        pad = " " * indent
        body = value[:-1] if value.endswith("\n") else value
        out.extend(f"{pad}{line}\n" if line else "\n" for line in body.split("\n"))
    else:
        out.append(f"{prefix} {_scalar(value)}\n")


def _emit_mapping(mapping: Mapping, indent: int, out: list[str], first_prefix: str = "") -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(mapping.items()):
        if not isinstance(key, str) or not _plain_ok(key):
            raise _Fallback
        lead = first_prefix if i == 0 and first_prefix else pad
        _emit_block(value, indent + 2, out, f"{lead}{key}:")


def _emit_sequence(seq: list | tuple, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in seq:
        if isinstance(item, list | tuple):
            raise _Fallback
        if isinstance(item, Mapping) and item:
            _emit_mapping(item, indent + 2, out, first_prefix=f"{pad}- ")
        else:
            _emit_block(item, indent + 2, out, f"{pad}-")


def dump(data: Mapping) -> str:
    """YAML text for a new file, in the style the round-trip writer keeps."""
    if not data:
        return "{}\n"  # not "": an empty text reads as no mapping at all
    out: list[str] = []
    try:
        _emit_mapping(data, 0, out)
    except _Fallback:
        return dump_rt(to_rt(data))
    return "".join(out)


def dump_list(items: list) -> str:
    """YAML text for a list of records (output, not a program file)."""
    out: list[str] = []
    try:
        _emit_sequence(items, 0, out)
    except _Fallback:
        return dump_rt(to_rt(items))
    return "".join(out)


def to_rt(value: Any) -> Any:
    """Plain data as round-trip data (ISO date strings stay strings)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = to_rt(v)
        return cm
    if isinstance(value, list | tuple):
        return CommentedSeq(to_rt(v) for v in value)
    return value


# --------------------------------------------------------------------------
# Files: hashes and atomic writes
# --------------------------------------------------------------------------


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode_like(text: str, original: bytes | None) -> bytes:
    """Encode ``text`` keeping the original file's BOM and line endings."""
    if original is not None:
        if b"\r\n" in original:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if original.startswith(_BOM):
            return _BOM + text.encode("utf-8")
    return text.encode("utf-8")


MAX_FILE_BYTES = 1 << 20  # an entity file is a few hundred bytes; larger ones are refused


def read_bytes(path: Path) -> bytes | None:
    """The bytes of a plain file that rmtui may change, or None if there is none.

    Refuses (raising :class:`DataError`) a symbolic link, anything that is not
    a regular file (a folder, a fifo that would block) and a file larger than
    :data:`MAX_FILE_BYTES`: rmtui never writes through a link or out of the
    program, and never reads more than it needs.
    """
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(st.st_mode):
        raise DataError(f"{path} is a symbolic link; rmtui reads and writes only plain files",
                        hint="replace the link with the file itself")
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{path} is not a plain file", hint="move it out of the program folder")
    # opened without following a link and without waiting, in case it changed since
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise DataError(f"{path} is not a plain file", hint="move it out of the program folder")
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes; rmtui will not edit it",
                        hint="an entity file holds a few fields: remove what does not belong")
    return raw


def peek(path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """At most ``limit + 1`` bytes of a plain file; None for a link, a folder, a fifo, nothing.

    For showing and locating: never blocks, never follows a link, never
    reads a huge file whole.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, expected: str | None, *, new: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically.

    ``expected`` is the digest of the content the change was based on; if the
    file on disk no longer has it, nothing is written. ``new=True`` requires
    that the file does not exist yet.
    """
    current = read_bytes(path)
    if new and current is not None:
        raise RepoError(f"{path} already exists", hint="choose another id, or edit the existing one")
    if not new and expected is not None and (current is None or digest(current) != expected):
        raise RepoError(
            f"{path} changed on disk since it was read; nothing was written",
            hint="look at the change (git diff), then run the command again",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data[: len(data) // 2])
            faults.point("write: half a temporary file")
            fh.write(data[len(data) // 2:])
            fh.flush()
            os.fsync(fh.fileno())
        faults.point("write: temporary file written")
        if current is not None:
            os.chmod(tmp, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if new:
            os.link(tmp, path)  # fails if the file appeared meanwhile
            faults.point("write: file linked")
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
        faults.point("write: file in place")
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not all systems can open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
