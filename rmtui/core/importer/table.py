"""Reading a CSV export the way HR systems and spreadsheets really write them.

A UTF-8 byte-order mark is dropped; UTF-16 with a byte-order mark (Excel's
"Unicode text") is read; any other file must be UTF-8, unless the encoding
is stated (``--encoding cp1252`` or ``encoding`` in the mapping): a file that
is not is refused with the byte, line and row where it stops being UTF-8,
because guessing Latin-1 would quietly garble names. The delimiter is
sniffed among comma, semicolon (Excel in much of Europe), tab and pipe, or
taken from Excel's ``sep=;`` first line. Cells are trimmed and runs of
spaces inside them become one (``"Production       "`` is ``Production``).
Blank lines are skipped and rows that repeat an earlier row exactly are left
out (and reported); a row with more or fewer cells than the header, a
broken quote or a NUL byte is refused with its line and row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from rmtui.core import diagnostics as diag
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import DataError, UsageError

MAX_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused: about 100,000 rows of a wide export."""

DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SEP_LINE = re.compile(r'^"?sep=(.)"?\s*$')
_SAMPLE_ROWS = 50
MAX_SHOWN = 25


def delimiter_name(delimiter: str) -> str:
    return _NAMES.get(delimiter, repr(delimiter))


def squeeze(text: str) -> str:
    """Trimmed, with every run of white space inside it made one space."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Row:
    """One data row: where it starts in the file, its number after the header, its cells."""

    line: int
    number: int
    cells: tuple[str, ...]

    def where(self) -> str:
        return f"row {self.number} (line {self.line})"


@dataclass
class Table:
    """A CSV file as read: its header, its rows, and how it was read."""

    path: Path                  # absolute
    header: list[str]
    rows: list[Row]
    encoding: str               # as told to the person: "utf-8 with a byte-order mark"
    delimiter: str
    repeated: list[tuple[Row, Row]] = field(default_factory=list)  # (left out, the row it repeats)

    @property
    def name(self) -> str:
        return self.path.name

    def describe(self) -> str:
        return (f"{self.name}: {len(self.rows)} rows, {self.encoding}, "
                f"{delimiter_name(self.delimiter)}-separated")

    def column(self, name: str) -> int | None:
        """The index of a column by its header name (exactly, else ignoring case and spacing)."""
        if name in self.header:
            return self.header.index(name)
        want = header_key(name)
        found = [i for i, h in enumerate(self.header) if header_key(h) == want]
        return found[0] if len(found) == 1 else None

    def error(self, rule: str, message: str, hint: str | None = None,
              line: int | None = None) -> Diagnostic:
        return diag.error(str(self.path), rule, message, hint, line)


def header_key(name: str) -> str:
    """A header name without case, spaces or punctuation: ``Employee_Name`` -> ``employeename``."""
    return re.sub(r"[\W_]+", "", name.casefold())


# --------------------------------------------------------------------------
# Bytes to text
# --------------------------------------------------------------------------


def _line_at(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _row_of(raw: bytes, line: int) -> str:
    """``row N (line L)`` for a line of a file that could not be decoded.

    The file is read as Latin-1 (every byte is a character, so this never
    fails) only to count the records before that line.
    """
    text = raw.decode("latin-1").lstrip("\ufeff\u00ef\u00bb\u00bf")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff(text))
    number, last = -1, 0
    try:
        for _ in reader:
            if last + 1 > line:
                break
            number += 1
            last = reader.line_num
    except csv.Error:
        return f"line {line}"
    return f"row {number} (line {line})" if number > 0 else f"line {line}"


def _encoding_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"unknown encoding {name!r}",
                         hint="common ones are utf-8, cp1252 (Excel on Windows), latin-1, "
                              "utf-16") from None


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and how it was read, or a located refusal."""
    where = str(path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and encoding is None:
        try:
            return raw.decode("utf-16"), "utf-16 (byte-order mark)"
        except UnicodeDecodeError as exc:
            raise DataError(f"{path.name} starts like UTF-16 but is not valid UTF-16",
                            diagnostics=[diag.error(where, "import-encoding", str(exc))]) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = _line_at(raw, nul)
        raise DataError(f"{path.name} is not a text file", diagnostics=[diag.error(
            where, "import-encoding", f"a NUL byte at byte {nul} (line {line}): this is not "
            "CSV text", "export the sheet as CSV (a spreadsheet file such as .xlsx cannot be "
            "read directly)", line)])
    if encoding is not None:
        codec = _encoding_name(encoding)
        body = raw[len(codecs.BOM_UTF8):] if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8) \
            else raw
        try:
            return body.decode(codec), f"{codec} (as stated)"
        except UnicodeDecodeError as exc:
            offset = exc.start + (len(raw) - len(body))
            line = _line_at(raw, offset)
            raise DataError(f"{path.name} is not valid {codec}", diagnostics=[diag.error(
                where, "import-encoding", f"byte {offset} (0x{raw[offset]:02x}, line {line}) "
                f"is not {codec}", "check the encoding the file was saved in", line)]) from None
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8):] if bom else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if bom else 0)
        line = _line_at(raw, offset)
        start = raw.rfind(b"\n", 0, offset) + 1
        end = raw.find(b"\n", offset)
        shown = raw[start:end if end >= 0 else len(raw)].decode("cp1252", "replace").strip()
        col = offset - start
        snippet = shown[max(0, col - 30):col + 30]
        raise DataError(
            f"{path.name} is not UTF-8: nothing was imported",
            hint="if the file is in Windows Latin-1 (Excel's 'CSV' on Windows), import it "
                 "with --encoding cp1252 (or set encoding = \"cp1252\" under [source] in the "
                 "mapping); better, save it as 'CSV UTF-8'",
            diagnostics=[diag.error(
                where, "import-encoding",
                f"{_row_of(raw, line)}: byte {offset} (0x{raw[offset]:02x}) is not UTF-8; read "
                f"as cp1252 (Windows Latin-1) the text there would be {snippet!r}", None,
                line)]) from None
    return text, "utf-8 with a byte-order mark" if bom else "utf-8"


# --------------------------------------------------------------------------
# Text to rows
# --------------------------------------------------------------------------


def sniff(text: str) -> str:
    """The delimiter that splits the first rows into the most columns, consistently."""
    best, best_score = ",", (-1.0, 0)
    for d in DELIMITERS:
        try:
            rows = []
            for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=d)):
                if i > _SAMPLE_ROWS:
                    break
                if row:
                    rows.append(row)
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows) / len(rows)
        score = (same, width)
        if score > best_score:
            best, best_score = d, score
    return best


def read_table(path: Path | str, *, encoding: str | None = None,
               delimiter: str | None = None) -> Table:
    """Read a CSV export, or refuse it naming the line and row that is wrong."""
    path = Path(path).absolute()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist", hint="give the path of a CSV file") from None
    except OSError as exc:
        raise UsageError(f"{path} cannot be read: {exc.strerror}") from None
    if not path.is_file():
        raise UsageError(f"{path} is not a file", hint="give the path of a CSV file")
    if size > MAX_BYTES:
        raise DataError(f"{path.name} is {size / 1e6:.1f} MB; rmtui imports CSV files of at "
                        f"most {MAX_BYTES // (1024 * 1024)} MB",
                        hint="export fewer columns, or split the file (by department, say) and "
                             "import the parts one after another without --sync")
    raw = path.read_bytes()
    text, how = decode(raw, path, encoding)
    skipped_lines = 0
    first, _, rest = text.partition("\n")
    sep = _SEP_LINE.match(first.rstrip("\r"))
    if sep:  # Excel's "sep=;" line
        delimiter = delimiter or sep.group(1)
        text, skipped_lines = rest, 1
    if delimiter is not None and len(delimiter) != 1:
        raise UsageError(f"the delimiter must be one character, not {delimiter!r}",
                         hint="for a tab, give --delimiter tab")
    used = delimiter or sniff(text)
    return _parse(path, text, how, used, skipped_lines)


def _parse(path: Path, text: str, how: str, delimiter: str, offset: int) -> Table:
    table = Table(path, [], [], how, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, ...], Row] = {}
    header: list[str] | None = None
    last = 0
    number = 0
    try:
        for cells in reader:
            line = last + 1 + offset
            last = reader.line_num
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [squeeze(c.lstrip("\ufeff")) for c in cells]
                continue
            number += 1
            if not any(c.strip() for c in cells):
                continue
            row = Row(line, number, tuple(squeeze(c) for c in cells))
            if len(cells) != len(header):
                problems.append(table.error(
                    "import-row", f"{row.where()} has {len(cells)} cells, but the header has "
                    f"{len(header)} columns",
                    "a cell holding the delimiter needs quotes around it; check the row for a "
                    "missing or extra cell", line))
                continue
            if row.cells in seen:
                table.repeated.append((row, seen[row.cells]))
                continue
            seen[row.cells] = row
            table.rows.append(row)
    except csv.Error as exc:
        line = reader.line_num + offset
        raise DataError(f"{path.name} cannot be read as CSV: nothing was imported",
                        diagnostics=[table.error("import-csv", f"line {line}: {exc}",
                                                 "check the quotes on that line: a quote inside "
                                                 "a cell is written twice (\"\")", line)]) from None
    if header is None:
        raise DataError(f"{path.name} is empty: it has no header row",
                        hint="the first line names the columns")
    table.header = header
    problems.extend(_header_problems(table))
    if problems:
        raise DataError(f"{path.name} has {_count(problems)}: nothing was imported",
                        diagnostics=_shown(problems))
    return table


def _header_problems(table: Table) -> list[Diagnostic]:
    out = []
    for i, name in enumerate(table.header):
        if name:
            continue
        used = next((r for r in table.rows if r.cells[i]), None)
        if used is not None:
            out.append(table.error("import-header", f"column {i + 1} has no name in the header, "
                                   f"but {used.where()} has a value in it",
                                   "name the column in the first line", 1))
    return out


def _count(problems: list) -> str:
    return f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")


def _shown(problems: list[Diagnostic]) -> list[Diagnostic]:
    if len(problems) <= MAX_SHOWN:
        return problems
    rest = len(problems) - MAX_SHOWN
    last = problems[MAX_SHOWN - 1]
    return [*problems[:MAX_SHOWN], diag.error(last.path, "import-more",
                                              f"... and {rest} more problems like these")]
