"""The broken-file battery: hostile files that people, editors, merges and
attackers put in a program, each copied into a fresh program and validated.

Every case must give exit code 1, no traceback, the exact diagnostic
(``path:line:col: error[rule]: ...`` and a ``hint:`` line), the same
diagnostics as JSON, and must leave every file of the program as it was.
The fixture files live in ``tests/fixtures/broken/`` (kept byte for byte:
``.gitattributes`` marks that folder ``-text``), laid out like a program.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import FIXTURES, tree_digest

from rmtui.core import yamlio

BROKEN = FIXTURES / "broken"


@dataclass(frozen=True)
class Case:
    path: str                               # relative to the fixture folder and the program
    expected: tuple[tuple[str, int, int], ...]  # every (rule, line, col) reported for the file
    words: str                              # part of the first message
    subprocess: bool = False                # may crash the interpreter if the guard breaks

    @property
    def id(self) -> str:
        return self.path.rsplit("/", 1)[-1]


CASES = [
    Case("participants/syntax-error.yaml", (("yaml-syntax", 5, 6),),
         "did not find expected ',' or ']' (parsing a flow sequence that starts at line 4, "
         "column 12)"),
    Case("participants/duplicate-key.yaml", (("yaml-duplicate-key", 4, 1),),
         "duplicate key 'name'"),
    Case("participants/tab-indent.yaml", (("yaml-tab", 5, 1),), "tab character"),
    Case("participants/bom.yaml", (("yaml-bom", 1, 1),), "byte-order mark"),
    Case("participants/crlf.yaml", (("yaml-crlf", 1, 9),), "CRLF"),
    Case("participants/nul-bytes.yaml", (("encoding", 2, 10),), "NUL bytes"),
    Case("participants/latin-1.yaml", (("encoding", 2, 8),), "not valid UTF-8 (byte 0xf6)"),
    Case("participants/control-char.yaml", (("encoding", 2, 11),), "control character (U+0007)"),
    Case("participants/line-separator.yaml", (("encoding", 2, 11),), "(U+2028)"),
    Case("participants/empty.yaml", (("empty-file", 1, 1),), "empty"),
    Case("participants/comments-only.yaml", (("empty-file", 1, 1),), "only comments"),
    Case("participants/conflict.yaml", (("conflict-marker", 3, 1),), "conflict markers"),
    Case("participants/alias-bomb.yaml", (("yaml-alias", 5, 6),), "aliases"),
    Case("participants/merge-key.yaml", (("yaml-value", 3, 1),), "merge keys (<<)"),
    Case("participants/deep-nesting.yaml", (("yaml-depth", 4, 1),), "more than 64 levels",
         subprocess=True),
    Case("participants/deep-keys.yaml", (("yaml-depth", 6, 1),), "more than 64 levels",
         subprocess=True),
    Case("pairs/path-traversal.yaml", (("schema", 2, 9),),
         "'mentor' is '../../etc/passwd', which is not a valid id"),
    Case("participants/id-mismatch.yaml", (("id-mismatch", 1, 5),),
         "'id' is 'someone-else' but the file name says 'id-mismatch'"),
    Case("participants/top-level-list.yaml", (("schema", 1, 1),), "mapping of fields, not a list"),
    Case("participants/python-tag.yaml", (("yaml-value", 2, 7),), "python/object/apply"),
    Case("participants/binary-tag.yaml", (("yaml-value", 2, 7),), "!!binary is not allowed"),
    Case("participants/bad-tag-value.yaml", (("yaml-value", 4, 8),),
         "'seven' is not a valid whole number"),
    Case("participants/huge-number.yaml", (("yaml-value", 4, 8),), "not a valid whole number"),
    Case("participants/non-string-key.yaml", (("yaml-value", 4, 1),), "keys must be text"),
    Case("participants/wrong-types.yaml", (("schema", 4, 8), ("schema", 5, 14)),
         "'grade' must be a whole number, not text"),
    Case("participants/unknown-field.yaml", (("schema", 4, 1),), "unknown field 'departmnet'"),
    Case("participants/bad-enum.yaml", (("schema", 3, 7),),
         "'role' is 'mentro', which is not one of: mentor, mentee"),
    Case("participants/impossible-date.yaml", (("schema", 4, 9),),
         "'joined' is '2027-02-30', which is not a real date"),
    Case("participants/Bad Name.yaml", (("file-name", 1, 1),), "'Bad Name' is not a valid id"),
    Case("participants/wrong-ext.yml", (("file-name", 1, 1),), "only files ending in .yaml"),
    Case("sessions/ghost-pair/2027-02-03.yaml", (("unknown-ref", 1, 7),),
         "no pair 'ghost-pair'"),
    Case("sessions/ghost-pair/2027-02-04.yaml", (("id-mismatch", 2, 7),),
         "'date' is '2027-02-05' but the file name says '2027-02-04'"),
    Case("sessions/ghost-pair/2027-02-06.yaml", (("schema", 4, 11),),
         "'ratings.mentor' is 7; it must be at most 5"),
]

HINTS = {  # what the hint must offer, where it matters most
    "wrong-types.yaml": "put it in quotes to keep it as text: '10026'",
    "unknown-field.yaml": "did you mean 'department'?",
    "bad-enum.yaml": "did you mean 'mentor'?",
    "Bad Name.yaml": "bad-name.yaml",
    "wrong-ext.yml": "git mv participants/wrong-ext.yml participants/wrong-ext.yaml",
}

HEADLINE = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): "
                      r"(?P<severity>error|warning)\[(?P<rule>[a-z0-9-]+)\]: (?P<message>.*)$")


def parse_text(out: str) -> list[dict]:
    """The diagnostics of `validate`'s text output, each with the hint that follows it."""
    found: list[dict] = []
    for line in out.splitlines():
        m = HEADLINE.match(line)
        if m:
            d = m.groupdict()
            d["line"], d["col"], d["hint"] = int(d["line"]), int(d["col"]), None
            found.append(d)
        elif line.startswith("  hint: ") and found:
            found[-1]["hint"] = line[len("  hint: "):]
    return found


def all_fixture_files() -> list[str]:
    return sorted(p.relative_to(BROKEN).as_posix() for p in BROKEN.rglob("*") if p.is_file())


def put(root: Path, rel: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BROKEN / rel, target)


def validate(root: Path, rmtui, *args: str, isolated: bool = False) -> tuple[int, str, str]:
    """``rmtui -C ROOT validate ARGS`` run from inside the program (paths print relative)."""
    if isolated:  # a separate interpreter, so that a crash fails the test, not the run
        proc = subprocess.run([sys.executable, "-m", "rmtui", "-C", str(root), "validate", *args],
                              cwd=root, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
        assert proc.returncode >= 0, f"rmtui died from signal {-proc.returncode}"
        return proc.returncode, proc.stdout, proc.stderr
    run = rmtui("-C", root, "validate", *args)
    return run.code, run.out, run.err


@pytest.fixture
def at_program(program, monkeypatch):
    monkeypatch.chdir(program.root)
    return program


def test_the_battery_is_complete():
    """Every fixture file is a case, and the files kept their hostile bytes."""
    assert sorted(c.path for c in CASES) == all_fixture_files()
    raw = {c.path: (BROKEN / c.path).read_bytes() for c in CASES}
    assert raw["participants/crlf.yaml"].count(b"\r\n") == 3
    assert raw["participants/bom.yaml"].startswith(b"\xef\xbb\xbf")
    assert b"\x00" in raw["participants/nul-bytes.yaml"]
    assert b"\xf6" in raw["participants/latin-1.yaml"]
    assert raw["participants/empty.yaml"] == b""
    assert b"\t" in raw["participants/tab-indent.yaml"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_file(case: Case, at_program, rmtui):
    root = at_program.root
    put(root, case.path)
    before = tree_digest(root)

    code, out, err = validate(root, rmtui, isolated=case.subprocess)
    assert code == 1, out + err
    assert "Traceback" not in out + err and "internal error" not in err
    found = parse_text(out + err)
    mine = [d for d in found if d["path"] == case.path]
    assert [(d["rule"], d["line"], d["col"]) for d in mine] == list(case.expected), out
    assert all(d["severity"] == "error" for d in mine)
    assert case.words in mine[0]["message"]
    assert all(d["hint"] for d in mine), out
    if case.id in HINTS:
        assert any(HINTS[case.id] in d["hint"] for d in mine), out
    assert [d for d in found if d["path"] != case.path] == [], "the rest of the program is clean"
    assert f"{len(case.expected)} error(s), 0 warning(s)" in out

    code, out, err = validate(root, rmtui, "--format", "json", isolated=case.subprocess)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["errors"] == len(case.expected)
    assert [(d["path"], d["line"], d["col"], d["severity"], d["rule"], d["message"], d["hint"])
            for d in report["diagnostics"]] == \
           [(d["path"], d["line"], d["col"], d["severity"], d["rule"], d["message"], d["hint"])
            for d in found]

    assert tree_digest(root) == before, "validate changed a file"


def test_whole_battery_in_one_run(at_program, rmtui, snapshot):
    """All problems of all files at once, sorted, and the text is stable."""
    root = at_program.root
    for rel in all_fixture_files():
        put(root, rel)
    before = tree_digest(root)

    code, out, err = validate(root, rmtui, isolated=True)
    assert code == 1
    assert err == ""
    assert str(root) not in out and str(root.parent) not in out
    found = parse_text(out)
    expected = sorted((c.path, line, col, rule) for c in CASES for rule, line, col in c.expected)
    assert [(d["path"], d["line"], d["col"], d["rule"]) for d in found] == expected
    assert f"{len(expected)} error(s), 0 warning(s)" in out
    assert out == snapshot
    assert tree_digest(root) == before

    # a second run reads through the cache and says exactly the same
    code2, out2, _ = validate(root, rmtui, isolated=True)
    assert (code2, out2) == (code, out)


def test_json_is_the_same_report(at_program, rmtui):
    root = at_program.root
    for rel in all_fixture_files():
        if "deep" not in rel:  # deep ones have their own isolated runs
            put(root, rel)
    code, out, _ = validate(root, rmtui)
    code_json, out_json, _ = validate(root, rmtui, "--format", "json")
    assert code == code_json == 1
    report = json.loads(out_json)
    assert [(d["path"], d["line"], d["col"], d["severity"], d["rule"], d["message"], d["hint"])
            for d in report["diagnostics"]] == \
           [(d["path"], d["line"], d["col"], d["severity"], d["rule"], d["message"], d["hint"])
            for d in parse_text(out)]
    assert report["errors"] == len(report["diagnostics"])


@pytest.mark.parametrize("text", [
    "? " * 40_000 + "x\n",
    "- " * 40_000 + "x\n",
    "k: " + "[" * 40_000 + "]" * 40_000 + "\n",
    "k: " + "{a: " * 40_000 + "}" * 40_000 + "\n",
    "".join(" " * i + "k:\n" for i in range(200)),
], ids=["complex-keys", "sequences", "flow-sequences", "flow-mappings", "indented-mappings"])
def test_deep_nesting_never_crashes_the_reader(text, tmp_path):
    """libyaml's composer recurses in C: each shape is refused before it gets there."""
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    code = ("import sys; from pathlib import Path; from rmtui.core import yamlio;"
            "p = yamlio.parse(Path(sys.argv[1]).read_bytes(), 'deep.yaml');"
            "print(*[d.rule for d in p.diagnostics])")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ,
                                            "PYTHONPATH": str(Path(__file__).parents[1])})
    assert proc.returncode == 0, f"the reader crashed ({proc.returncode}): {proc.stderr[-500:]}"
    assert proc.stdout.split() == ["yaml-depth"]


def test_nesting_at_the_limit_is_read():
    n = yamlio.MAX_DEPTH - 1  # the top-level mapping is one level
    ok = "k: " + "[" * n + "]" * n + "\n"
    assert yamlio.parse(ok.encode(), "x.yaml").ok
    deep = "k: " + "[" * (n + 1) + "]" * (n + 1) + "\n"
    assert [d.rule for d in yamlio.parse(deep.encode(), "x.yaml").diagnostics] == ["yaml-depth"]
