"""yamlio: the fast reader reads what ruamel.yaml reads; writes are faithful and atomic."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmtui.core import yamlio
from rmtui.core.errors import DataError, RepoError
from rmtui.core.resources import template_dir


def fast(text: str):
    parsed = yamlio.parse(text.encode("utf-8"), "t.yaml")
    assert parsed.ok, parsed.diagnostics
    return parsed.data


def ruamel(text: str):
    return yamlio.to_plain(yamlio.rt().load(text))


def rules(raw: bytes) -> list[tuple[str, int | None, int | None]]:
    return [(d.rule, d.line, d.col) for d in yamlio.parse(raw, "t.yaml").diagnostics]


# --------------------------------------------------------------------------
# Reading: the fast reader and ruamel.yaml agree (YAML 1.2)
# --------------------------------------------------------------------------

READS = [
    ("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("No", "No"),
    ("0755", 755), ("0o17", 15), ("0x1F", 31), ("-0x1F", -31), ("+0o17", 15), ("0b101", 5),
    ("1_000", 1000), ("-12", -12), ("+12", 12), ("0", 0),
    ("1.5", 1.5), ("1e3", 1000.0), ("1.5e3", 1500.0), (".5", 0.5), ("5.", 5.0), ("-.5", -0.5),
    (".5e3", ".5e3"), (".5e+3", 500.0), ("1_0.5", 10.5),
    (".inf", math.inf), ("-.inf", -math.inf),
    ("true", True), ("False", False), ("TRUE", True), ("tRue", "tRue"),
    ("null", None), ("~", None), ("", None),
    ("2027-01-15", "2027-01-15"), ("2027-1-5", "2027-1-5"), ("1:30", "1:30"),
    ("=", "="), ("<<", "<<"), ("_1", "_1"), ("0o", "0o"), ("0x", "0x"), ("12e", "12e"),
    ("'0755'", "0755"), ('"no"', "no"), ("!!str 0755", "0755"), ("E100", "E100"),
]


@pytest.mark.parametrize(("plain", "value"), READS, ids=[r[0] or "empty" for r in READS])
def test_fast_reader_reads_scalars_like_ruamel(plain, value):
    text = f"k: {plain}\n"
    assert fast(text)["k"] == value
    assert type(fast(text)["k"]) is type(value)
    assert ruamel(text)["k"] == value


def test_dates_stay_strings_and_nan_is_a_float():
    data = fast("a: 2027-01-15\nb: .nan\nc: [2027-02-28, x]\n")
    assert data["a"] == "2027-01-15" and data["c"] == ["2027-02-28", "x"]
    assert math.isnan(data["b"])
    assert ruamel("a: 2027-01-15\n")["a"] == "2027-01-15"


def test_nested_document_reads_alike():
    text = ("id: asa-oberg\nname: Åsa Öberg # a comment\nlanguages: [sv, en]\n"
            "attributes:\n  shift: no\n  floor: 0755\n  note: |\n    two\n    lines\n"
            "pauses:\n  - from: 2027-01-01\n    to: 2027-02-01\n")
    assert fast(text) == ruamel(text)


number_like = st.text(alphabet=st.sampled_from(list("0123456789_+-.eExXoObB:abcfinINF")),
                      min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(number_like)
def test_number_like_scalars_read_alike(token):
    """Whatever ruamel.yaml reads, the fast reader reads the same; it never fails."""
    text = f"k: {token}\n"
    parsed = yamlio.parse(text.encode(), "t.yaml")
    try:
        expected = ruamel(text)["k"]
    except Exception:  # ruamel.yaml gives up on a few (-_, 0x_): the fast reader says text
        if parsed.ok:
            assert isinstance(parsed.data["k"], str)
        return
    if not parsed.ok:  # not YAML for either (e.g. a stray ':'), never a crash
        assert all(d.line for d in parsed.diagnostics)
        return
    got = parsed.data["k"]
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert (type(got), got) == (type(expected), expected)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.binary(max_size=200),
                 st.text(alphabet=st.sampled_from(list("ab:- \n\t#&*!|>[]{},?'\"%@`\x00\r\ufeff\u2028é")),
                         max_size=80).map(lambda s: s.encode("utf-8"))))
def test_parse_never_raises(raw):
    """Any bytes at all: data, or located errors with a hint; never an exception."""
    parsed = yamlio.parse(raw, "t.yaml")
    if parsed.data is None:
        assert parsed.diagnostics
    for d in parsed.diagnostics:
        assert d.is_error and d.rule and d.message and d.hint
        assert d.line is not None and d.line >= 1 and d.col is not None and d.col >= 1


# --------------------------------------------------------------------------
# Reading: what a hand-edited file can smuggle in
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    (b"a: 1\na: 2\n", [("yaml-duplicate-key", 2, 1)]),
    (b"a: &x [1]\nb: *x\n", [("yaml-alias", 1, 4)]),
    (b"a: 1\n<<: {b: 2}\n", [("yaml-value", 2, 1)]),
    (b"1: one\n", [("yaml-value", 1, 1)]),
    (b"? [a, b]\n: c\n", [("yaml-value", 1, 3)]),
    (b"a: !!python/object:os.system x\n", [("yaml-value", 1, 4)]),
    (b"a: !!binary aGVsbG8=\n", [("yaml-value", 1, 4)]),
    (b"a: !!set {x}\n", [("yaml-value", 1, 4)]),
    (b"a: !!timestamp 2027-01-01\n", [("yaml-value", 1, 4)]),
    (b"a: !!omap [x: 1]\n", [("yaml-value", 1, 4)]),
    (b"a: !!float abc\n", [("yaml-value", 1, 4)]),
    (b"a: !!bool maybe\n", [("yaml-value", 1, 4)]),
    (b"a: !!float\n", [("yaml-value", 1, 4)]),
    (b"a: !!seq x\n", [("yaml-value", 1, 4)]),
    (b"a: " + b"7" * 5000 + b"\n", [("yaml-value", 1, 4)]),
    (b"a: b\x07c\n", [("encoding", 1, 5)]),
    (b"a: b\n\x1b[31mred\n", [("encoding", 2, 1)]),
    ("a: b\nc: d\u2029e\n".encode(), [("encoding", 2, 5)]),
    (b"a: 1\nb: \xc2\x85\n", [("encoding", 2, 4)]),
    (b"a: \xff\n", [("encoding", 1, 4)]),
    (b"a: b\x00\n", [("encoding", 1, 5)]),
    (b"a:\n\tb: 1\n", [("yaml-tab", 2, 1)]),
    (b"a: 1\n=======\n", [("conflict-marker", 2, 1)]),
    (b"", [("empty-file", 1, 1)]),
    (b"# only\n# comments\n", [("empty-file", 1, 1)]),
    (b"---\n", [("empty-file", 1, 1)]),
])
def test_hostile_content_is_a_located_diagnostic(raw, expected):
    assert rules(raw) == expected
    assert yamlio.parse(raw, "t.yaml").data is None


def test_bom_and_crlf_are_reported_but_read():
    parsed = yamlio.parse(b"\xef\xbb\xbfa: 1\r\nb: two\r\n", "t.yaml")
    assert [(d.rule, d.line, d.col) for d in parsed.diagnostics] == [
        ("yaml-bom", 1, 1), ("yaml-crlf", 1, 5)]
    assert parsed.data == {"a": 1, "b": "two"}


def test_only_plain_json_values_come_out():
    data = fast("a: [1, 2.5, true, null, x, {b: '2027-01-01'}]\n")
    assert data == {"a": [1, 2.5, True, None, "x", {"b": "2027-01-01"}]}


def test_locate_finds_values_and_keys():
    text = "id: x\nratings:\n  mentor: 7\nlist:\n  - a\n  - b\n"
    root = yamlio.compose(text)
    assert yamlio.locate(root, ["ratings", "mentor"]) == (3, 11)
    assert yamlio.locate(root, ["ratings", "mentor"], key=True) == (3, 3)
    assert yamlio.locate(root, ["list", 1]) == (6, 5)
    assert yamlio.locate(root, ["list", 9]) == (5, 3)      # as deep as it exists
    assert yamlio.locate(root, ["nothing", "here"]) == (1, 1)
    assert yamlio.locate(yamlio.compose("a: [\n"), ["a"]) is None


# --------------------------------------------------------------------------
# Writing new files: dump() is what the round-trip writer keeps
# --------------------------------------------------------------------------

SPECIAL = [
    "no", "yes", "on", "off", "y", "N", "0755", "0o17", "0x1F", "1_000", "0b1", "~", "null", "",
    " x", "x ", "- x", "-", "? x", ": x", "#x", "a #b", "a: b", "a:", "it's", '"q"', "'q'",
    "2027-01-01", "2027-02-30", "2027-01-01T10:00:00", "@x", "`x", "%x", "!x", "&x", "*x", "|",
    ">", "{a", "[a", ",", "=", "<<", ".5", "1e3", ".inf", "true", "False", "...", "--- x",
    "a\nb", "a\n", "\n", "a\n\nb\n", "a\n\n", " a\nb", "a \nb", "\ta", "a\tb", "x\x07",
    "\u2028", "a\x85", "café", "Nguyễn Văn Đức", "日本語", "😀", "a\r\nb", "C:\\path",
]
text_values = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=10),
    st.text(alphabet=st.sampled_from(list("ab -:#'\"\n\t09_.!&*|>?{}[],%@`é~")), max_size=10),
)
scalars = st.one_of(
    text_values,
    st.integers(min_value=-10**12, max_value=10**12),
    st.booleans(),
    st.dates().map(dt.date.isoformat),
    st.integers(-10**6, 10**6).map(lambda i: i / 100),
)
keys = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), text_values)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(keys, values, max_size=5))
def test_dump_round_trips(data):
    text = yamlio.dump(data)
    parsed = yamlio.parse(text.encode("utf-8"), "t.yaml")
    assert parsed.diagnostics == [], text
    assert parsed.data == data
    doc = yamlio.rt().load(text)
    assert yamlio.dump_rt(doc) == text          # an untouched file saves byte for byte
    assert yamlio.to_plain(doc) == data          # and ruamel.yaml reads the same data


@pytest.mark.parametrize("text", SPECIAL, ids=repr)
def test_dump_round_trips_awkward_strings(text):
    """Each awkward string as a value, in a list and as a key, every time (not by chance)."""
    for data in ({"k": text}, {"k": [text, "x"]}, {text or "e": 1, "z": {"k": text}}):
        out = yamlio.dump(data)
        assert yamlio.parse(out.encode("utf-8"), "t.yaml").data == data, out
        doc = yamlio.rt().load(out)
        assert yamlio.dump_rt(doc) == out
        assert yamlio.to_plain(doc) == data, out


def test_dump_style():
    data = {"id": "asa-oberg", "name": "Åsa Öberg", "employee_id": "0755", "shift": "no",
            "joined": "2027-01-15", "grade": 2, "active": True,
            "languages": ["sv", "en"], "pauses": [{"from": "2027-02-01", "to": "2027-02-15"}],
            "summary": "Line one\nLine two\n", "empty": [], "note": "a: b"}
    assert yamlio.dump(data) == (
        "id: asa-oberg\nname: Åsa Öberg\nemployee_id: '0755'\nshift: 'no'\n"
        "joined: 2027-01-15\ngrade: 2\nactive: true\n"
        "languages:\n  - sv\n  - en\npauses:\n  - from: 2027-02-01\n    to: 2027-02-15\n"
        "summary: |\n  Line one\n  Line two\nempty: []\nnote: 'a: b'\n")


def test_dump_of_an_empty_mapping_reads_back():
    assert fast(yamlio.dump({})) == {}


def template_yaml_files() -> list[Path]:
    return sorted(p for p in template_dir().rglob("*.yaml"))


def test_template_has_yaml_files():
    names = {p.name for p in template_yaml_files()}
    assert {"baseline.yaml", "final.yaml", "pulse.yaml", "exit.yaml", "agreement.yaml"} <= names


@pytest.mark.parametrize("path", template_yaml_files(), ids=lambda p: p.name)
def test_template_files_round_trip_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert yamlio.dump_rt(yamlio.rt().load(text)) == text
    assert yamlio.parse(text.encode("utf-8"), path.name).ok
    data = fast(text)
    assert yamlio.dump(data) == yamlio.dump_rt(yamlio.to_rt(data))  # both writers agree
    if not any(line.lstrip().startswith("#") for line in text.splitlines()):
        assert yamlio.dump(data) == text  # the template is written in the house style


HAND_WRITTEN = """\
# Åsa joined in the second wave.
id: asa-oberg
name: Åsa Öberg   # as she writes it
role: mentor

# HR numbers are text
employee_id: "0755"
skills:
  - generative AI     # her favourite
  - Teams
grade: 2
"""


def test_round_trip_edit_keeps_comments_quotes_and_order():
    doc = yamlio.load_rt(HAND_WRITTEN, "participants/asa-oberg.yaml")
    assert yamlio.dump_rt(doc) == HAND_WRITTEN
    doc["grade"] = 3
    doc["skills"].append("Power BI")
    out = yamlio.dump_rt(doc)
    assert out == HAND_WRITTEN.replace("grade: 2", "grade: 3").replace(
        "  - Teams\n", "  - Teams\n  - Power BI\n")
    assert fast(out)["employee_id"] == "0755"


def test_round_trip_refuses_a_broken_file():
    with pytest.raises(DataError) as exc:
        yamlio.load_rt("a: 1\na: 2\n", "x.yaml")
    assert [d.rule for d in exc.value.diagnostics] == ["yaml-duplicate-key"]


# --------------------------------------------------------------------------
# Files: atomic, conditional writes that keep line endings and BOM
# --------------------------------------------------------------------------


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "files"
    out.mkdir()
    return out


def test_write_atomic_replaces_when_the_digest_matches(folder):
    path = folder / "a.yaml"
    path.write_bytes(b"a: 1\n")
    path.chmod(0o640)
    yamlio.write_atomic(path, b"a: 2\n", yamlio.digest(b"a: 1\n"))
    assert path.read_bytes() == b"a: 2\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert listing(folder) == ["a.yaml"]


def test_write_atomic_refuses_when_the_file_changed(folder):
    path = folder / "a.yaml"
    path.write_bytes(b"a: changed by someone else\n")
    before = path.stat()
    with pytest.raises(RepoError, match="changed on disk"):
        yamlio.write_atomic(path, b"a: 2\n", yamlio.digest(b"a: 1\n"))
    assert path.read_bytes() == b"a: changed by someone else\n"
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert listing(folder) == ["a.yaml"]


def test_write_atomic_refuses_when_the_file_is_gone(folder):
    path = folder / "a.yaml"
    with pytest.raises(RepoError):
        yamlio.write_atomic(path, b"a: 2\n", yamlio.digest(b"a: 1\n"))
    assert listing(folder) == []


def test_write_atomic_new_refuses_an_existing_file(folder):
    path = folder / "a.yaml"
    path.write_bytes(b"a: 1\n")
    with pytest.raises(RepoError, match="already exists"):
        yamlio.write_atomic(path, b"a: 2\n", None, new=True)
    assert path.read_bytes() == b"a: 1\n"
    assert listing(folder) == ["a.yaml"]


def test_write_atomic_new_creates_folders(folder):
    path = folder / "sessions" / "p" / "2027-01-01.yaml"
    yamlio.write_atomic(path, b"a: 1\n", None, new=True)
    assert path.read_bytes() == b"a: 1\n"
    assert listing(path.parent) == ["2027-01-01.yaml"]


@pytest.mark.parametrize(("original", "expected"), [
    (b"a: 1\r\nb: 2\r\n", b"a: 1\r\nb: 3\r\n"),
    (b"\xef\xbb\xbfa: 1\nb: 2\n", b"\xef\xbb\xbfa: 1\nb: 3\n"),
    (b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", b"\xef\xbb\xbfa: 1\r\nb: 3\r\n"),
    (b"a: 1\nb: 2\n", b"a: 1\nb: 3\n"),
    (None, b"a: 1\nb: 3\n"),
])
def test_encode_like_keeps_line_endings_and_bom(original, expected):
    assert yamlio.encode_like("a: 1\nb: 3\n", original) == expected


def test_edit_of_a_crlf_bom_file_keeps_both():
    raw = b"\xef\xbb\xbf# note\r\na: 1\r\nb: 2\r\n"
    doc = yamlio.load_rt(raw.decode("utf-8"), "x.yaml")
    doc["b"] = 3
    assert "\r" not in yamlio.dump_rt(doc)  # read as LF text, comments included
    assert yamlio.encode_like(yamlio.dump_rt(doc), raw) == b"\xef\xbb\xbf# note\r\na: 1\r\nb: 3\r\n"
