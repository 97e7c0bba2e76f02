"""A pair's story for a person, and the program report for leadership.

Both read the KPI program of `kpi_program.py` (today 2027-05-31). The report
must never hold session summaries, survey comments, reasons, progress notes,
names or sensitive fields: unique markers are planted in each and looked for.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import tree_digest
from kpi_program import P3, P4, P5, P6, TODAY, build

from rmtui.core import report
from rmtui.core.store import Program

_BUILT: dict[str, Path] = {}


@pytest.fixture
def prog(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Program:
    if "root" not in _BUILT:
        _BUILT["root"] = build(tmp_path_factory.mktemp("story") / "prog").root
    shutil.copytree(_BUILT["root"], tmp_path / "prog", symlinks=True)
    monkeypatch.setenv("RMTUI_TODAY", TODAY)
    return Program(tmp_path / "prog")


# --------------------------------------------------------------------------
# pair show
# --------------------------------------------------------------------------


@pytest.mark.parametrize("pair", [P6, P5, P3, P4])
def test_the_story_of_a_pair(prog, rmtui, snapshot, pair) -> None:
    run = rmtui("-C", prog.root, "pair", "show", pair, "--story")
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert "PRIVATE-SUMMARY-MARKER" not in run.out


def test_the_story_in_time_order_with_who_recorded_each_step(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "pair", "show", P6, "--story", "--format", "json")
    assert run.code == 0, run.err
    told = json.loads(run.out)
    assert told["mentor"] == {"id": "finn-falk", "name": "Finn Falk"}
    events = [(e["date"], e["event"], e["by"]) for e in told["events"]]
    assert events == sorted(events, key=lambda e: e[0])
    assert ("2027-04-05", "started", "Pat Owner") in events
    assert ("2027-03-20", "signed-mentee", "Pat Owner") in events
    assert [e["event"] for e in told["events"]][:3] == ["proposed", "accepted-mentor",
                                                        "accepted-mentee"]
    assert told["summary"] == {
        "status": "active", "sessions": 4, "hours": 3.75, "first_session": "2027-04-07",
        "last_session": "2027-05-19", "goals": 1, "goals_done": 0, "goals_open": 1,
        "next_due": "2027-06-02"}


def test_scripts_still_get_the_record(prog, rmtui) -> None:
    piped = rmtui("-C", prog.root, "pair", "show", P5)  # not a terminal: the record
    assert piped.out.splitlines()[:2] == ["field\tvalue", f"id\t{P5}"]
    record = json.loads(rmtui("-C", prog.root, "pair", "show", P5, "-f", "json").out)
    assert record["end_reason"] == "the mentor left the company"
    assert "events" not in record
    forced = rmtui("-C", prog.root, "pair", "show", P5, "--record", "-f", "yaml")
    assert forced.out.startswith(f"id: {P5}\n")


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------

MARKERS = ("PRIVATE-SUMMARY-MARKER", "PRIVATE-NOTE-MARKER", "PRIVATE-ANSWER-MARKER",
           "SENSITIVE-GENDER-MARKER", "SENSITIVE-ETHNICITY-MARKER", "1961-04-01",
           "SENSITIVE-ATTRIBUTE-MARKER", "NEXT-STEPS-MARKER",
           # reasons are notes about people
           "parental leave", "the mentor left the company", "the pair ended")
NAMES = ("Greta Gran", "Hugo Holm", "Bo Berg", "Eva Ek", "Finn Falk", "greta-gran", "bo-berg")


def _plant_sensitive(prog: Program) -> None:
    person = prog.root / "participants/greta-gran.yaml"
    person.write_text(person.read_text() + "gender: SENSITIVE-GENDER-MARKER\n"
                      "ethnicity: SENSITIVE-ETHNICITY-MARKER\nbirth_date: 1961-04-01\n"
                      "attributes:\n  generation: SENSITIVE-ATTRIBUTE-MARKER\n")
    toml = prog.root / "program.toml"
    toml.write_text(toml.read_text() + '\n[attributes.generation]\ntype = "string"\n'
                    "sensitive = true\n")
    session = prog.root / f"sessions/{P6}/2027-05-05.yaml"
    session.write_text(session.read_text() + "next_steps: NEXT-STEPS-MARKER\n")


def test_the_markdown_report(prog, rmtui, snapshot) -> None:
    _plant_sensitive(prog)
    before = tree_digest(prog.root)
    run = rmtui("-C", prog.root, "report", "--format", "markdown")
    assert run.code == 0, run.err
    assert run.out == snapshot
    text = run.out
    for marker in MARKERS + NAMES:
        assert marker not in text, marker
    assert "| Confidence gained | +1.13 | +0.50 | met | 2 |" in text  # numbers unescaped
    assert "change of +1.13 (n = 2 mentees with both surveys)" in text
    assert "1 of 3 active pairs has had no session for more than 30 days." in text
    assert "| Run a Teams meeting on my own | done | 2027-02-28 | 3 | 3 |" in text
    assert tree_digest(prog.root) == before


def test_the_report_as_of_an_earlier_day_says_what_is_missing(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "report", "--as-of", "2027-01-31")
    assert run.code == 0, run.err
    assert "Not available: no final survey responses yet." in run.out
    assert "| Net promoter score | n/a |" in run.out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


HOSTILE_NAME = '<script>alert("name")</script> & "Acme" \'27'
HOSTILE_GOAL = '<img src=x onerror=alert(1)> "Fast" & <b>bold</b>'
HOSTILE_DESCRIPTION = "</style><script>steal()</script>"


def test_the_html_report_is_self_contained_and_escapes_everything(prog, rmtui, tmp_path) -> None:
    _plant_sensitive(prog)
    toml = prog.root / "program.toml"
    text = toml.read_text()
    text = re.sub(r'^name = ".*"$', "name = " + json.dumps(HOSTILE_NAME), text, flags=re.M)
    text = text.replace("[program]\n", "[program]\ndescription = "
                        + json.dumps(HOSTILE_DESCRIPTION) + "\n", 1)
    toml.write_text(text)
    goal = prog.root / "goals/share-a-document.yaml"
    goal.write_text(goal.read_text().replace("title: Share a document instead of e-mailing it",
                                             "title: " + json.dumps(HOSTILE_GOAL)))
    assert rmtui("-C", prog.root, "validate").code == 0
    out = tmp_path / "report.html"
    run = rmtui("-C", prog.root, "report", "-o", str(out))
    assert run.code == 0, run.err
    page = out.read_text(encoding="utf-8")
    for marker in MARKERS + NAMES:
        assert marker not in page, marker
    parsed = _Tags()
    parsed.feed(page)
    # nothing executable, nothing fetched: no script, no handler, no external reference
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert not [a for a, _ in parsed.attrs if a.startswith("on")]
    assert not [v for a, v in parsed.attrs if a in ("src", "href") and v]
    assert "link" not in parsed.tags
    assert "svg" in parsed.tags and "polyline" in parsed.tags
    # the hostile texts are there, as text
    shown = "".join(parsed.text)
    assert HOSTILE_NAME in shown and HOSTILE_GOAL in shown and HOSTILE_DESCRIPTION in shown
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; &quot;Acme&quot; " \
           "&#x27;27" in page
    assert "<style>" in page and page.count("</style>") == 1
    md = rmtui("-C", prog.root, "report", "-f", "markdown").out
    assert "<script>" not in md and "<img" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md


def test_report_formats_follow_the_file_extension(prog, rmtui, tmp_path) -> None:
    rmtui("-C", prog.root, "report", "-o", str(tmp_path / "r.md"))
    assert (tmp_path / "r.md").read_text().startswith("# Acme reverse mentoring 2027\n")
    rmtui("-C", prog.root, "report", "-o", str(tmp_path / "r.htm"))
    assert (tmp_path / "r.htm").read_text().startswith("<!DOCTYPE html>")


def test_the_engagement_chart_has_a_point_per_month(prog) -> None:
    r = report.build(prog)
    assert [(d.isoformat(), rate) for d, rate, _ in r.engagement][:2] == [
        ("2027-01-31", 1.0), ("2027-02-28", 1.0)]
    # Jan: P1 x2, P2, P3, P4, P5; Feb: P1 x4, P3, P4; Mar: P4, P1; Apr: P6 x2, P4, P1;
    # May: P6 x2, P1 x2 -- the 22 sessions of the program
    assert [held for _, _, held in r.engagement] == [6, 6, 2, 4, 4]
    svg = report.engagement_svg(r)
    assert svg.count("<circle") == 5
    assert "target 80.0%" in svg
