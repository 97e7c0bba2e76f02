"""Lists in every format: what a person sees on a terminal, what a script gets in a pipe.

The program is `people_program` plus two people with diacritics and long
titles, a second active pair and two more sessions; it is built once and
only read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import tree_digest

from rmtui.cli.output import FORMATS
from rmtui.core import ops
from rmtui.core.store import Program

PAIR = "asa-oberg--nguyen-van-duc"
PAIR2 = "joost-van-der-meer--lucia-d-angelo"
LONG_TITLE = "Senior Associate Product Designer, Customer Experience & Digital Channels"
SECRET = "Set up a Teams channel for the leadership team."

_BUILT: dict[str, Path] = {}
_DIGEST: dict[str, str] = {}


def _extend(program: Program) -> None:
    ops.add(program, "participant", {
        "name": "Zoë Ångström-Lindqvist", "role": "mentor", "grade": 1, "department": "Design",
        "title": LONG_TITLE, "status": "accepted", "languages": ["sv", "en"],
        "gender": "woman", "email": "zoe@example.com"})
    ops.add(program, "participant", {
        "name": "Thérèse Dubois-Nguyễn", "role": "mentee", "grade": 9, "department": "Legal",
        "title": "General Counsel", "status": "applied", "skills": ["contracts", "negotiation"]})
    pair = ops.add(program, "pair", {"mentor": "joost-van-der-meer", "mentee": "lucia-d-angelo",
                                     "proposed": "2027-01-12"}).entity_id
    ops.edit(program, "pair", pair, [ops.Assignment("status", "set", "active"),
                                     ops.Assignment("started", "set", "2027-01-25")])
    ops.log_session(program, pair, date="2027-02-10", duration=45, rating_mentor=3,
                    rating_mentee=4, mode="video", topics=["TikTok", "short video"],
                    summary="Private | words, with a pipe")
    ops.log_session(program, PAIR, date="2027-02-17", duration=30, mode="in-person",
                    status="planned")


@pytest.fixture
def prog(request: pytest.FixtureRequest) -> Iterator[Program]:
    """The output program, built on first use; tests only read it."""
    if "root" not in _BUILT:
        program = request.getfixturevalue("people_program")
        _extend(program)
        _BUILT["root"] = program.root
        _DIGEST.update(tree_digest(program.root))
    root = _BUILT["root"]
    yield Program(root)
    assert tree_digest(root) == _DIGEST, "an output test changed the program"


def _lines(text: str) -> list[str]:
    return text.splitlines()


# --------------------------------------------------------------------------
# Every format, as snapshots
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_participant_list_in_every_format(prog, rmtui, snapshot, fmt) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--format", fmt)
    assert run.code == 0, run.err
    assert run.out == snapshot
    # not on a terminal: never cut short, even as a table
    assert "…" not in run.out
    if fmt not in ("json", "jsonl", "yaml"):
        assert "Zoë Ångström-Lindqvist" in run.out
    assert "woman" not in run.out  # sensitive: only when asked by name


@pytest.mark.parametrize("fmt", FORMATS)
def test_session_list_in_every_format(prog, rmtui, snapshot, fmt) -> None:
    run = rmtui("-C", prog.root, "session", "list", "--format", fmt)
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert "Teams channel" not in run.out and "Private" not in run.out
    assert "summary" not in run.out


def test_wide_fields_in_every_format_are_never_cut_in_a_pipe(prog, rmtui, snapshot) -> None:
    outs = {}
    for fmt in FORMATS:
        run = rmtui("-C", prog.root, "participant", "list", "--fields", "id,name,title",
                    "--where", "role=mentor", "--format", fmt)
        assert run.code == 0, run.err
        assert LONG_TITLE in run.out
        outs[fmt] = run.out
    assert outs == snapshot


# --------------------------------------------------------------------------
# A pipe and a terminal
# --------------------------------------------------------------------------


def test_a_pipe_gets_untruncated_tsv_by_default(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--fields", "id,name,title,grade")
    assert run.code == 0, run.err
    rows = [line.split("\t") for line in _lines(run.out)]
    assert rows[0] == ["id", "name", "title", "grade"]
    assert all(len(r) == 4 for r in rows)
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["zoe-angstrom-lindqvist"] == \
        ["zoe-angstrom-lindqvist", "Zoë Ångström-Lindqvist", LONG_TITLE, "1"]
    assert by_id["asa-oberg"] == ["asa-oberg", "Åsa Öberg", "", "2"]
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    default = rmtui("-C", prog.root, "participant", "list")
    assert _lines(default.out)[0] == "id\tname\trole\tdepartment\tgrade\tstatus"


def _run_on_a_terminal(args: list[str], cwd: Path, columns: int = 100) -> str:
    """Run rmtui in a child process whose stdout is a pseudo-terminal."""
    import pty

    try:
        leader, follower = pty.openpty()
    except OSError:
        pytest.skip("no pseudo-terminal here")
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "40"}
    proc = subprocess.Popen([sys.executable, "-m", "rmtui", *args], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=30) == 0, proc.stderr.read().decode()
    proc.stderr.close()
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_an_aligned_table_with_long_cells_cut(prog, tmp_path) -> None:
    out = _run_on_a_terminal(["-C", str(prog.root), "participant", "list",
                              "--fields", "id,name,title"], tmp_path)
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "title"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    zoe = next(line for line in lines if line.startswith("zoe-angstrom-lindqvist"))
    assert LONG_TITLE not in out
    cut = LONG_TITLE[:39] + "…"
    assert zoe.endswith(cut)
    assert "Zoë Ångström-Lindqvist" in zoe


# --------------------------------------------------------------------------
# Fields
# --------------------------------------------------------------------------


def test_fields_pick_columns_in_the_order_given(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--fields", "name,id", "-f", "csv")
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert rows[0] == ["name", "id"]
    assert ["Åsa Öberg", "asa-oberg"] in rows
    assert ["Thérèse Dubois-Nguyễn", "therese-dubois-nguyen"] in rows


def test_dotted_fields_reach_nested_values(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "session", "list", "--fields", "id,ratings.mentor,ratings.mentee",
                "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data == [
        {"id": f"{PAIR}/2027-02-03", "ratings": {"mentor": 4, "mentee": 5}},
        {"id": f"{PAIR}/2027-02-17", "ratings": {"mentor": None, "mentee": None}},
        {"id": f"{PAIR2}/2027-02-10", "ratings": {"mentor": 3, "mentee": 4}},
    ]
    tsv = rmtui("-C", prog.root, "session", "list", "--fields", "ratings.mentor")
    assert _lines(tsv.out) == ["ratings.mentor", "4", "", "3"]


@pytest.mark.parametrize("args", [
    ["participant", "list", "--fields", "id,nmae"],
    ["participant", "show", "asa-oberg", "--fields", "nmae"],
    ["session", "list", "--fields", "rating.mentor"],
    ["participant", "list", "--where", "stauts=active"],
    ["participant", "list", "--sort", "grad"],
])
def test_an_unknown_field_is_a_usage_error_that_lists_the_valid_ones(prog, rmtui, args) -> None:
    run = rmtui("-C", prog.root, *args)
    assert run.code == 2
    assert run.out == ""
    assert "unknown" in run.err
    valid = run.err.split("valid fields:", 1)[1]
    names = [n.strip() for n in valid.split(",")]
    expected = ["id", "name", "grade", "status"] if args[0] == "participant" \
        else ["id", "pair", "date", "ratings"]
    assert set(expected) <= set(names)


# --------------------------------------------------------------------------
# Files and parsers
# --------------------------------------------------------------------------


def test_output_file_format_comes_from_its_extension(prog, rmtui, tmp_path) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "-o", "out.csv")
    assert run.code == 0, run.err
    assert run.out == ""
    assert "wrote out.csv" in run.err
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["asa-oberg", "joost-van-der-meer", "lucia-d-angelo",
                                      "nguyen-van-duc", "therese-dubois-nguyen",
                                      "zoe-angstrom-lindqvist"]
    assert rows[0] == {"id": "asa-oberg", "name": "Åsa Öberg", "role": "mentor",
                       "department": "IT", "grade": "2", "status": "active"}

    run = rmtui("-C", prog.root, "participant", "list", "-o", str(tmp_path / "out.json"))
    assert run.code == 0, run.err
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in data] == [r["id"] for r in rows]

    run = rmtui("-C", prog.root, "session", "list", "-o", "s.tsv")
    assert (tmp_path / "s.tsv").read_text(encoding="utf-8").startswith("id\tpair\tdate\t")
    run = rmtui("-C", prog.root, "session", "list", "-o", "s.md")
    assert (tmp_path / "s.md").read_text(encoding="utf-8").startswith("| id ")
    # an explicit format wins over the extension
    run = rmtui("-C", prog.root, "session", "list", "-o", "s.txt", "-f", "jsonl")
    assert [json.loads(line)["pair"] for line in
            (tmp_path / "s.txt").read_text(encoding="utf-8").splitlines()] == [PAIR, PAIR, PAIR2]


def test_csv_quotes_what_needs_quoting(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--fields", "id,title,skills",
                "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(run.out))}
    assert rows["zoe-angstrom-lindqvist"]["title"] == LONG_TITLE
    assert rows["therese-dubois-nguyen"]["skills"] == "contracts, negotiation"


def test_json_values_are_typed(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--format", "json")
    data = {p["id"]: p for p in json.loads(run.out)}
    assert data["asa-oberg"]["grade"] == 2
    assert isinstance(data["asa-oberg"]["grade"], int)
    assert data["asa-oberg"]["skills"] == ["generative AI", "Teams"]
    assert data["asa-oberg"]["employee_id"] == "E100"
    assert data["joost-van-der-meer"]["capacity"] == 2
    assert data["asa-oberg"]["training_completed"] == "2027-01-05"
    jsonl = rmtui("-C", prog.root, "session", "list", "--format", "jsonl")
    sessions = [json.loads(line) for line in _lines(jsonl.out)]
    assert sessions[0]["duration_minutes"] == 60
    assert sessions[0]["ratings"] == {"mentor": 4, "mentee": 5}
    one = json.loads(rmtui("-C", prog.root, "participant", "show", "asa-oberg", "-f", "json").out)
    assert one["grade"] == 2 and one["languages"] == ["en"]


# --------------------------------------------------------------------------
# Private and sensitive fields
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_session_summaries_only_when_asked_by_name(prog, rmtui, fmt) -> None:
    session = f"{PAIR}/2027-02-03"
    listed = rmtui("-C", prog.root, "session", "list", "-f", fmt)
    shown = rmtui("-C", prog.root, "session", "show", session, "-f", fmt)
    assert shown.code == 0, shown.err
    for run in (listed, shown):
        assert SECRET not in run.out
        assert "summary" not in run.out
    assert "summary hidden" in shown.err
    asked = rmtui("-C", prog.root, "session", "list", "-f", fmt, "--fields", "id,summary")
    assert SECRET in asked.out
    asked_one = rmtui("-C", prog.root, "session", "show", session, "-f", fmt, "--fields", "summary")
    assert SECRET in asked_one.out
    assert "hidden" not in asked_one.err


def test_sensitive_fields_only_when_asked_by_name(prog, rmtui) -> None:
    for args in (["participant", "list", "-f", "json"], ["participant", "list", "-f", "yaml"],
                 ["participant", "show", "zoe-angstrom-lindqvist", "-f", "json"],
                 ["participant", "show", "zoe-angstrom-lindqvist"]):
        run = rmtui("-C", prog.root, *args)
        assert run.code == 0, run.err
        assert "woman" not in run.out and "gender" not in run.out
    note = rmtui("-C", prog.root, "participant", "show", "zoe-angstrom-lindqvist")
    assert "gender hidden" in note.err
    asked = rmtui("-C", prog.root, "participant", "list", "-f", "json", "--fields", "id,gender")
    assert {"id": "zoe-angstrom-lindqvist", "gender": "woman"} in json.loads(asked.out)


def test_show_for_a_person_and_for_a_script(prog, rmtui, snapshot) -> None:
    tsv = rmtui("-C", prog.root, "participant", "show", "zoe-angstrom-lindqvist")
    assert tsv.code == 0, tsv.err
    yaml_ = rmtui("-C", prog.root, "participant", "show", "zoe-angstrom-lindqvist", "-f", "yaml")
    assert {"tsv": tsv.out, "yaml": yaml_.out} == snapshot


# --------------------------------------------------------------------------
# --where and --sort
# --------------------------------------------------------------------------


def test_where_and_sort(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "participant", "list", "--where", "status=active",
                "--sort", "grade", "--fields", "id,grade")
    assert run.code == 0, run.err
    assert _lines(run.out) == ["id\tgrade", "asa-oberg\t2", "joost-van-der-meer\t3",
                               "nguyen-van-duc\t7", "lucia-d-angelo\t8"]
    run = rmtui("-C", prog.root, "participant", "list", "--where", "role=mentee",
                "--where", "skills=contracts", "--fields", "id")
    assert _lines(run.out) == ["id", "therese-dubois-nguyen"]
    run = rmtui("-C", prog.root, "session", "list", "--where", "ratings.mentor=3",
                "--fields", "id")
    assert _lines(run.out) == ["id", f"{PAIR2}/2027-02-10"]
    run = rmtui("-C", prog.root, "session", "list", "--where", "status=planned",
                "--fields", "id,status", "-f", "json")
    assert json.loads(run.out) == [{"id": f"{PAIR}/2027-02-17", "status": "planned"}]
    # a field the file leaves out has its schema default: a session is held unless it says
    run = rmtui("-C", prog.root, "session", "list", "--where", "status=held", "--fields", "id")
    assert _lines(run.out) == ["id", f"{PAIR}/2027-02-03", f"{PAIR2}/2027-02-10"]
    run = rmtui("-C", prog.root, "participant", "list", "--where", "capacity=2", "--fields", "id")
    assert _lines(run.out) == ["id", "joost-van-der-meer"]
    run = rmtui("-C", prog.root, "session", "list", "--sort", "duration_minutes",
                "--fields", "duration_minutes")
    assert _lines(run.out) == ["duration_minutes", "30", "45", "60"]
    nothing = rmtui("-C", prog.root, "participant", "list", "--where", "status=left_company")
    assert nothing.code == 0
    assert _lines(nothing.out) == ["id\tname\trole\tdepartment\tgrade\tstatus"]
    bad = rmtui("-C", prog.root, "participant", "list", "--where", "status")
    assert bad.code == 2
    assert "FIELD=VALUE" in bad.err


def test_an_empty_list_on_json_is_an_empty_array(program, rmtui) -> None:
    run = rmtui("-C", program.root, "participant", "list", "-f", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out) == []
    run = rmtui("-C", program.root, "session", "list", "-f", "csv")
    assert _lines(run.out) == ["id,pair,date,status,duration_minutes,mode,ratings.mentor,"
                               "ratings.mentee"]


def test_custom_attributes_marked_sensitive_are_left_out(program, rmtui) -> None:
    toml = program.root / "program.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + textwrap.dedent("""
        [attributes.generation]
        type = "string"
        sensitive = true

        [attributes.team]
        type = "string"
        """), encoding="utf-8")
    run = rmtui("-C", program.root, "participant", "add", "--name", "Åsa Öberg", "--role",
                "mentor", "--set", "attributes.generation=Z", "--set", "attributes.team=Platform")
    assert run.code == 0, run.err
    listed = json.loads(rmtui("-C", program.root, "participant", "list", "-f", "json").out)
    assert listed[0]["attributes"] == {"team": "Platform"}
    shown = rmtui("-C", program.root, "participant", "show", "asa-oberg", "-f", "yaml")
    assert "generation" not in shown.out and "Platform" in shown.out
    assert "attributes.generation hidden" in shown.err
    asked = rmtui("-C", program.root, "participant", "list", "-f", "csv", "--fields",
                  "id,attributes.generation")
    assert asked.out.splitlines() == ["id,attributes.generation", "asa-oberg,Z"]
