"""Fuzzing every loader and checker: no input ends in an uncaught exception.

Hypothesis generates bytes, near-YAML and near-TOML text, plausible records
of every kind, whole small programs, and hostile ids for every command. CI
runs a small fixed budget (the "ci" profile in conftest.py); a long run is

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import tree_digest
from hypothesis import example, given
from hypothesis import strategies as st

from rmtui.core import merge, schemas, settings, yamlio
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.kinds import KINDS
from rmtui.core.resources import template_dir
from rmtui.core.store import Program, Record, check_file
from rmtui.core.validate import validate

# -- material --------------------------------------------------------------

YAML_BITS = ["\n", "  ", "- ", ": ", "? ", "#", "&a ", "*a", "!!str ", "!!binary ", "<<: ", "[",
             "]", "{", "}", ",", "'", '"', "|", ">", "---\n", "...\n", "\t", "\r\n", "\ufeff",
             "\x00", "\x07", "\u2028", "id: x", "name: ", "grade: ", "0x1F", "1e309", "~", "yes",
             "2027-02-30", "ü", "🙂", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "<<<<<<< HEAD\n"]
yaml_like = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=8)),
                     max_size=40).map("".join)
some_bytes = st.one_of(st.binary(max_size=400), yaml_like.map(lambda t: t.encode("utf-8",
                                                                                  "surrogatepass")))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["2027-01-15", "2027-13-01", "asa-oberg", "-rf", "../x",
                                     "mentor", "mentee", "active", "Europe/Stockholm", ""]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)


def records(kind_name: str) -> st.SearchStrategy[dict]:
    """Mappings using the kind's own field names (and some others), with any values."""
    names = list(schemas.get(kind_name).order) + ["unknown", "x"]
    return st.dictionaries(st.sampled_from(names), json_values, max_size=10)


def _sane(diags: list[Diagnostic], path: str) -> None:
    for d in diags:
        assert d.path == path and d.rule and d.message
        assert d.severity in ("error", "warning")
        assert d.line is None or d.line >= 1
        assert d.col is None or d.col >= 1


# -- loaders ---------------------------------------------------------------


@given(some_bytes)
def test_parse_never_raises(raw: bytes) -> None:
    parsed = yamlio.parse(raw, "participants/x.yaml")
    _sane(parsed.diagnostics, "participants/x.yaml")
    if parsed.ok:
        assert parsed.data is not None


@pytest.mark.parametrize("kind_name", list(KINDS))
@given(data=st.data())
def test_check_file_never_raises(kind_name: str, data) -> None:
    kind = KINDS[kind_name]
    entity_id = "a--b/2027-01-01" if kind.name == "session" else (
        "a/b" if kind.nested else "a")
    rel = kind.path(entity_id)
    raw = data.draw(st.one_of(some_bytes, records(kind_name).map(
        lambda d: yamlio.dump(d).encode("utf-8"))))
    rec = check_file(kind, entity_id, rel, raw)
    assert isinstance(rec, Record) and rec.path == rel
    _sane(rec.diagnostics, rel)
    if rec.ok:  # what passes its schema is plain JSON data
        json.dumps(rec.data)


TOML_BITS = ["[program]\n", "[rules.grade]\n", "[[x]]\n", "name = ", '"x"', "'y'", "1", "-1",
             "true", "2027-01-01", "= ", "\n", "schema_version = ", "[weights]\n", "skills = ",
             "0.5", "inf", "[", "]", "{", "}", "#", "\ufeff", "\x00", "\u00e9"]


@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.sampled_from(TOML_BITS), max_size=30).map(lambda x: "".join(x).encode())))
def test_settings_parse_never_raises(raw: bytes) -> None:
    s = settings.parse(raw)
    _sane(s.diagnostics, settings.FILENAME)
    assert isinstance(s.values, dict)


@given(st.one_of(st.none(), some_bytes), some_bytes, some_bytes)
@example(b"(", b"", b"(:")  # an empty side (found by a long run)
def test_the_merge_driver_never_raises(base, ours, theirs) -> None:
    out = merge.merge_file(base, ours, theirs, "sessions/a--b/2027-01-01.yaml")
    assert isinstance(out.data, bytes)
    if out.clean and yamlio.parse(ours, "x").ok and yamlio.parse(theirs, "x").ok:
        assert yamlio.parse(out.data, "x").readable or not out.data.strip()


# -- whole programs ----------------------------------------------------------

@given(st.data())
def test_validate_never_raises_on_generated_programs(tmp_path_factory, data) -> None:
    root = tmp_path_factory.mktemp("fuzz") / "prog"
    root.mkdir()
    shutil.copyfile(template_dir() / "program.toml", root / "program.toml")
    for _ in range(data.draw(st.integers(0, 8))):
        kind = KINDS[data.draw(st.sampled_from(list(KINDS)))]
        name = data.draw(st.sampled_from(["a", "b", "asa-oberg", "a--b", "x-1", "Bad Name",
                                          "2027-01-01", "2027-01-01-2", "..", "-rf"]))
        folder = root / kind.folder / (data.draw(st.sampled_from(["a--b", "final", "x"]))
                                       if kind.nested else "")
        folder.mkdir(parents=True, exist_ok=True)
        if data.draw(st.booleans()):
            content = yamlio.dump(data.draw(records(kind.name))).encode("utf-8")
        else:
            content = data.draw(some_bytes)
        target = folder / f"{name}.yaml"
        if target.resolve().is_relative_to(root):
            target.write_bytes(content)
    first = validate(Program(root))
    for d in first.diagnostics:
        assert not Path(d.path).is_absolute() and ".." not in Path(d.path).parts
    assert validate(Program(root)).diagnostics == first.diagnostics  # from the kept report
    assert validate(Program(root), use_cache=False).diagnostics == first.diagnostics


# -- hostile ids through every command ---------------------------------------

HOSTILE = ["../../etc/passwd", "..", ".", "-rf", "--help", "--force", "-C", "a/b/c", "", " ",
           "ASA-OBERG", "asa oberg", "åsa", "a" * 65, "a\nb", "$(touch pwned)", "`id`",
           "asa-oberg/../x", "/etc/passwd", "asa-oberg;rm -rf", "%s%n", "*", "asa-oberg\\x",
           "nguyen-van-duc--asa-oberg/../../x", "--", "-"]


def _commands(bad: str) -> list[list[str]]:
    out = []
    for kind in KINDS:
        out += [[kind, "show", bad], [kind, "edit", bad, "--set", "title=x"],
                [kind, "remove", bad], [kind, "remove", bad, "--force"],
                [kind, "list", "--fields", bad], [kind, "add", "--id", bad, "--name", bad]]
    out += [["session", "log", bad], ["session", "log", "asa-oberg--nguyen-van-duc", "--date", bad],
            ["history", bad], ["participant", "edit", "asa-oberg", "--set", f"{bad}=1"],
            ["participant", "edit", "asa-oberg", "--set", f"title={bad}"],
            ["participant", "edit", "asa-oberg", "--set", f"exclusions+={bad}"],
            ["pair", "add", "--mentor", bad, "--mentee", "nguyen-van-duc"],
            ["validate", "--fields", bad], ["-C", bad, "validate"]]
    return out


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_ids_and_values_through_every_command(people_program, rmtui, tmp_path,
                                                      bad) -> None:
    root = people_program.root
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("untouched\n")
    before = tree_digest(root)
    head = (root / ".git" / "HEAD").read_text()
    for args in _commands(bad):
        run = rmtui("-C", root, *args) if args[0] != "-C" else rmtui(*args)
        assert run.code in (0, 1, 2, 3), (args, run.code, run.err)
        assert "Traceback" not in run.err, args
        changed = tree_digest(root) != before
        if changed:  # only a valid value may change the program, through one commit
            assert run.code == 0, (args, run.err)
            assert rmtui("-C", root, "validate").code in (0, 1)
            assert rmtui("-C", root, "undo").code == 0, args
            assert tree_digest(root) == before, args
    assert (root / ".git" / "HEAD").read_text() == head
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert not (root.parent / "pwned").exists() and not Path("pwned").exists()
    for path in root.rglob("*"):  # nothing was written through or outside the program
        assert path.resolve().is_relative_to(root.resolve()), path


def _slow(text: str):
    import yaml

    try:
        return ("ok", yaml.load(text, Loader=yamlio.FastLoader))  # noqa: S506
    except Exception as exc:  # the error, to compare with the fast path's
        return ("error", type(exc).__name__, str(exc))


def _fast(text: str):
    try:
        return ("ok", yamlio._load(text))
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))


@given(st.one_of(yaml_like, json_values.map(lambda v: yamlio.dump({"k": v})),
                 st.sampled_from(["a: !!bool maybe\n", "a: !!bool yes\n", "a: !!null x\n",
                                  "a: !!int 0x_\n", "a: !!float 1:30\n", "a: &x 1\nb: *x\n",
                                  "1: a\n", "a: 1\na: 2\n", "<<: {a: 1}\n", "a: 1_000\n",
                                  "a: -.INF\n", "a: .NaN\n", "a: !!str 12\n", "a: 0o17\n"])))
def test_the_plain_builder_reads_exactly_as_the_constructor(text: str) -> None:
    slow, fast = _slow(text), _fast(text)
    if slow[0] == "ok" and fast[0] == "ok" and slow[1] != slow[1]:  # nan
        return
    assert fast == slow or (json.dumps(fast, default=str) == json.dumps(slow, default=str))
