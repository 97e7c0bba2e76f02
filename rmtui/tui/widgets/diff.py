"""A commit's ``git show`` text as rich Text: each file's lines highlighted as the file's
language (YAML mostly), added and removed lines tinted, and their ``+``/``-`` kept so
the diff reads the same without colour."""

from __future__ import annotations

import re

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text

THEME = "ansi_dark"
ADDED = Style(bgcolor="#12361c")
REMOVED = Style(bgcolor="#3f1616")
PLUS = Style(color="green", bold=True)
MINUS = Style(color="red", bold=True)
DIM = Style(dim=True)
BOLD = Style(bold=True)
HUNK = Style(color="cyan")
FILE = Style(bold=True, underline=True)

_TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")


def _lexer(path: str) -> str:
    if path.endswith((".yaml", ".yml")):
        return "yaml"
    if path.endswith(".toml"):
        return "toml"
    if path.endswith(".md"):
        return "markdown"
    return "text"


def _highlight(lines: list[str], lexer: str) -> list[Text]:
    if lexer == "text":
        return [Text(line) for line in lines]
    code = "\n".join(lines)
    text = Syntax(code, lexer, theme=THEME).highlight(code)
    text.rstrip()
    out = text.split("\n", allow_blank=True)
    out = list(out)[: len(lines)]
    while len(out) < len(lines):
        out.append(Text(lines[len(out)]))
    return out


def render_diff(diff: str, truncated: bool = False, commit: str = "") -> Text:
    """``git show`` output (header, message, stat, patch) as styled Text for reading:
    the message, then each file's name and whether it was added, changed or removed,
    then its hunks. The commit, author and date lines, the stat and git's index and
    ---/+++ lines are left out (the list above shows who and when)."""
    lines = diff.rstrip("\n").split("\n") if diff.strip() else []
    # first pass: what each line is; the patch lines of each file go together, to be
    # highlighted at once
    kinds: list[tuple[str, int]] = []  # (what, index into that file's content lines)
    contents: list[list[str]] = []
    lexers: list[str] = []
    states: list[str] = []
    in_patch = in_hunk = in_stat = False
    for line in lines:
        if line.startswith("diff --git "):
            in_patch, in_hunk = True, False
            path = line.rsplit(" b/", 1)[-1]
            contents.append([])
            lexers.append(_lexer(path))
            states.append("changed")
            kinds.append(("file", len(states) - 1))
        elif not in_patch:
            if line.startswith(("commit ", "Author:", "Date:")):
                kinds.append(("skip", 0))
            elif line == "---":
                in_stat = True
                kinds.append(("skip", 0))
            else:
                kinds.append(("skip" if in_stat else "message", 0))
        elif line.startswith("@@"):
            in_hunk = True
            kinds.append(("hunk", 0))
        elif in_hunk and line[:1] in ("+", "-", " "):
            contents[-1].append(line[1:])
            kinds.append((line[:1], len(contents[-1]) - 1))
        elif in_hunk and line.startswith("\\"):
            kinds.append(("note", 0))
        else:
            if line.startswith("new file mode"):
                states[-1] = "added"
            elif line.startswith("deleted file mode"):
                states[-1] = "removed"
            skip = line.startswith(("index ", "--- ", "+++ ", "new file mode",
                                    "deleted file mode"))
            kinds.append(("skip" if skip else "meta", 0))
    highlighted = [_highlight(c, lx) for c, lx in zip(contents, lexers, strict=True)]

    out = Text(no_wrap=True, end="")
    file_no = -1
    subject_done = False
    blank = True  # no blank line at the start, none twice in a row
    for line, (what, i) in zip(lines, kinds, strict=True):
        if what == "skip":
            continue
        if what == "message":
            if not line.strip():
                if not blank:
                    out.append("\n")
                blank = True
                continue
            if not subject_done:
                out.append(line, BOLD)
                subject_done = True
            elif _TRAILER.match(line):
                out.append(line, DIM)
            else:
                out.append(line)
        elif what == "file":
            file_no += 1
            if not blank:
                out.append("\n")
            path = line.rsplit(" b/", 1)[-1]
            out.append(path, FILE)
            out.append(f" ({states[i]})", DIM)
        elif what == "hunk":
            out.append(line, HUNK)
        elif what in ("+", "-", " "):
            body = highlighted[file_no][i].copy()
            if what == " ":
                out.append(" ")
                out.append_text(body)
            else:
                tint = ADDED if what == "+" else REMOVED
                start = len(out)
                out.append(what, PLUS if what == "+" else MINUS)
                out.append_text(body)
                out.stylize(tint, start, len(out))
        else:
            out.append(line, DIM)
        out.append("\n")
        blank = False
    if truncated:
        ref = f" {commit[:10]}" if commit else ""
        out.append(f"… cut here: the commit is longer than shown; `git show{ref}` prints all "
                   "of it.\n", Style(italic=True))
    return out
