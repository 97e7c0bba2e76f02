"""Survey answers imported from Microsoft Forms, Google Forms and Qualtrics exports.

The exports in tests/fixtures/forms/ are shaped as each tool writes them: Microsoft
Forms with a byte-order mark, CRLF, the question texts as headers and likert
answers as words; Google Forms with a Timestamp column and scales as numbers;
Qualtrics with two more header rows (question texts, then ImportIds) and ISO dates.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, commit_count, head_subject, porcelain, read, tree_digest

from rmtui.core import ops, yamlio
from rmtui.core.store import Program

FORMS = FIXTURES / "forms"
MS = FORMS / "microsoft-forms-final.csv"
GOOGLE = FORMS / "google-forms-exit.csv"
QUALTRICS = FORMS / "qualtrics-final.csv"
EMAILS = {"nguyen-van-duc": "nguyen.van.duc@example.com",
          "lucia-d-angelo": "lucia.dangelo@example.com",
          "asa-oberg": "asa.oberg@example.com",
          "joost-van-der-meer": "joost.vandermeer@example.com"}


_BUILT: dict[str, Path] = {}


@pytest.fixture
def prog(request: pytest.FixtureRequest, tmp_path: Path) -> Program:
    """The people program with everyone's e-mail address (built once, copied per test)."""
    if "root" not in _BUILT:
        people = request.getfixturevalue("people_copy")
        for pid, email in EMAILS.items():
            ops.edit(people, "participant", pid, [ops.Assignment("email", "set", email)])
        template = request.getfixturevalue("tmp_path_factory").mktemp("forms") / "prog"
        shutil.copytree(people.root, template, symlinks=True)
        _BUILT["root"] = template
        return people
    shutil.copytree(_BUILT["root"], tmp_path / "prog", symlinks=True)
    return Program(tmp_path / "prog")


def data(prog: Program, rel: str) -> dict:
    return yamlio.parse((prog.root / rel).read_bytes(), rel).data


def proposal(rmtui, prog: Program, survey: str, export: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{survey}-{export.stem}.toml"
    run = rmtui("-C", prog.root, "response", "import", survey, export, "--save-mapping", target)
    assert run.code == 0, run.err
    assert "nothing was imported: this is a proposed mapping" in run.err
    return target


def test_a_microsoft_forms_export_is_proposed_a_mapping(prog, rmtui, snapshot) -> None:
    before = tree_digest(prog.root)
    run = rmtui("-C", prog.root, "response", "import", "final", MS)
    assert run.code == 0, run.err
    assert "read microsoft-forms-final.csv: 3 rows, utf-8 with a byte-order mark, " \
           "comma-separated (microsoft-forms export)" in run.err
    assert run.out == snapshot
    assert tree_digest(prog.root) == before


def test_import_fills_the_stubs_and_adds_the_rest_in_one_commit(prog, rmtui, tmp_path) -> None:
    root = prog.root
    rmtui("-C", root, "survey", "send", "final", "--to", "mentees", "--date", "2027-05-20")
    mapping = proposal(rmtui, prog, "final", MS, tmp_path)
    before = commit_count(root)
    dry = rmtui("-C", root, "response", "import", "final", MS, "-m", mapping, "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.out.splitlines()[0].endswith(": 1 added, 2 filled in")
    assert commit_count(root) == before
    run = rmtui("-C", root, "response", "import", "final", MS, "-m", mapping)
    assert run.code == 0, run.err
    assert commit_count(root) == before + 1
    assert head_subject(root) == ("response: import 3 answers to final from "
                                  "microsoft-forms-final.csv (1 added, 2 filled in)")
    # the stub keeps its sent date; words became numbers through the map
    assert read(root, "responses/final/lucia-d-angelo.yaml") == (
        "survey: final\nparticipant: lucia-d-angelo\nstatus: submitted\nsent: 2027-05-20\n"
        "submitted: 2027-05-26\nanswers:\n  confidence-tools: 5\n  confidence-social: 4\n"
        "  confidence-data: 2\n  confidence-ways-of-working: 4\n")
    duc = data(prog, "responses/final/nguyen-van-duc.yaml")
    assert duc["answers"]["confidence-ways-of-working"] == 3
    assert duc["answers"]["applied"].startswith("I run my team's stand-up in Teams")
    assert data(prog, "responses/final/asa-oberg.yaml")["submitted"] == "2027-05-27"
    assert porcelain(root) == ""
    assert rmtui("-C", root, "validate").code == 0
    again = rmtui("-C", root, "response", "import", "final", MS, "-m", mapping)
    assert again.code == 0
    assert "nothing to change (3 unchanged)" in again.err
    assert commit_count(root) == before + 1


def test_qualtrics_extra_header_rows_are_skipped(prog, rmtui, tmp_path, snapshot) -> None:
    root = prog.root
    mapping = proposal(rmtui, prog, "final", QUALTRICS, tmp_path)
    text = mapping.read_text()
    assert text == snapshot
    run = rmtui("-C", root, "response", "import", "final", QUALTRICS, "-m", mapping)
    assert run.code == 0, run.err
    assert "read qualtrics-final.csv: 2 rows" in run.err
    duc = data(prog, "responses/final/nguyen-van-duc.yaml")
    assert duc == {"survey": "final", "participant": "nguyen-van-duc", "status": "submitted",
                   "submitted": "2027-05-25",
                   "answers": {"confidence-tools": 4, "confidence-social": 5,
                               "confidence-data": 4, "confidence-ways-of-working": 3,
                               "applied": "Stand-ups in Teams"}}


def test_google_forms_exit_answers_feed_the_nps(prog, rmtui, tmp_path) -> None:
    root = prog.root
    mapping = proposal(rmtui, prog, "exit", GOOGLE, tmp_path)
    assert 'date = "%m/%d/%Y %H:%M:%S"' in mapping.read_text()
    run = rmtui("-C", root, "response", "import", "exit", GOOGLE, "-m", mapping)
    assert run.code == 0, run.err
    assert data(prog, "responses/exit/joost-van-der-meer.yaml") == {
        "survey": "exit", "participant": "joost-van-der-meer", "status": "submitted",
        "submitted": "2027-05-27",
        "answers": {"nps": 6, "learned": 3, "relationship": "Good for the program"}}
    # one promoter (9), one detractor (6): NPS 0 over 2 answers
    kpis = json.loads(rmtui("-C", root, "kpi", "--as-of", "2027-06-01", "-f", "json").out)
    assert kpis["nps"] == {"value": 0, "target": 30, "met": False, "n": 2}


def test_an_answer_already_given_is_kept(prog, rmtui, tmp_path) -> None:
    root = prog.root
    ms, qualtrics = (proposal(rmtui, prog, "final", f, tmp_path) for f in (MS, QUALTRICS))
    rmtui("-C", root, "response", "import", "final", MS, "-m", ms)
    kept = read(root, "responses/final/nguyen-van-duc.yaml")
    run = rmtui("-C", root, "response", "import", "final", QUALTRICS, "-m", qualtrics)
    assert run.code == 0, run.err
    assert "warning: nguyen-van-duc has already answered final: their response was kept as " \
           "it is (row 1 (line 4) left out" in run.err
    assert "nothing to change (1 unchanged, 1 already answered, kept)" in run.err
    assert read(root, "responses/final/nguyen-van-duc.yaml") == kept


def _mapping(tmp_path: Path, extra: str = "", answers: str | None = None) -> Path:
    path = tmp_path / "exit.toml"
    path.write_text(
        '[source]\nkey = "email"\n\n[fields.participant]\ncolumn = "Email Address"\n\n'
        '[fields.submitted]\ncolumn = "Timestamp"\ndate = "%m/%d/%Y %H:%M:%S"\n\n'
        + (answers if answers is not None else
           '[fields.answers.nps]\ncolumn = "How likely are you to recommend the '
           'reverse-mentoring program to a colleague?"\n\n[fields.answers.learned]\n'
           'column = "I learned something I use in my work."\n') + extra)
    return path


def _export(tmp_path: Path, *rows: str) -> Path:
    lines = GOOGLE.read_text().splitlines()
    path = tmp_path / "exit.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    return path


@pytest.mark.parametrize(("row", "message"), [
    ('5/26/2027 9:15:02,someone@else.com,9,5,,', "row 1 (line 2): participant: no participant "
     "has email 'someone@else.com'"),
    ('5/26/2027 9:15:02,,9,5,,', "row 1 (line 2): participant: no email to find the person by"),
    ('5/26/2027 9:15:02,nguyen.van.duc@example.com,11,5,,', "row 1 (line 2): answers.nps "
     "(column 'How likely are you to recommend the reverse-mentoring program to a "
     "colleague?'): 11 is not a nps answer (a whole number from 0 to 10)"),
    ('5/26/2027 9:15:02,nguyen.van.duc@example.com,nine,5,,', "'nine' is not a whole number"),
    ('26/5/2027 9:15:02,nguyen.van.duc@example.com,9,5,,', "is not a date in the form"),
    ('5/26/2027 9:15:02,nguyen.van.duc@example.com,9,,,',
     "row 1 (line 2): answers: required question 'learned' is not answered"),
])
def test_a_bad_row_stops_the_import_and_names_it(prog, rmtui, tmp_path, row, message) -> None:
    root = prog.root
    before, commits = tree_digest(root), commit_count(root)
    run = rmtui("-C", root, "response", "import", "exit", _export(tmp_path, row), "-m",
                _mapping(tmp_path))
    assert run.code == 1, run.err
    assert message in run.err
    assert "exit.csv has 1 problem: nothing was imported" in run.err
    assert tree_digest(root) == before and commit_count(root) == commits


def test_people_outside_the_program_can_be_left_out(prog, rmtui, tmp_path) -> None:
    export = _export(tmp_path, "5/26/2027 9:15:02,someone@else.com,9,5,,",
                     "5/27/2027 9:15:02,NGUYEN.VAN.DUC@example.com,10,4,,")
    run = rmtui("-C", prog.root, "response", "import", "exit", export, "-m",
                _mapping(tmp_path), "--skip-unknown")
    assert run.code == 0, run.err
    assert "warning: 1 row(s) of people not in the program were left out: row 1 (line 2) " \
           "(someone@else.com)" in run.err
    assert data(prog, "responses/exit/nguyen-van-duc.yaml")["answers"] == {"nps": 10,
                                                                           "learned": 4}


def test_the_later_of_two_answers_is_imported(prog, rmtui, tmp_path) -> None:
    export = _export(tmp_path, "5/27/2027 9:15:02,nguyen.van.duc@example.com,10,4,,",
                     "5/26/2027 9:15:02,nguyen.van.duc@example.com,3,2,,")
    run = rmtui("-C", prog.root, "response", "import", "exit", export, "-m", _mapping(tmp_path))
    assert run.code == 0, run.err
    assert "nguyen-van-duc answered twice (row 2 (line 3) and row 1 (line 2))" in run.err
    assert data(prog, "responses/exit/nguyen-van-duc.yaml")["answers"]["nps"] == 10


@pytest.mark.parametrize(("extra", "answers", "message"), [
    ("", '[fields.answers.mood]\ncolumn = "x"\n', "survey 'exit' has no question 'mood'"),
    ("", "", "the mapping maps no answers"),
    ('\n[fields.name]\ncolumn = "x"\n', None, "a responses mapping has no field 'name'"),
    ("", '[fields.answers.nps]\ncolumn = "x"\nlookup = "name"\n',
     "lookup is a setting of participant mappings only"),
    ("", '[fields.answers.nps]\ncolum = "x"\n', "unknown setting 'colum'"),
])
def test_a_wrong_mapping_is_refused_with_every_problem(prog, rmtui, tmp_path, extra, answers,
                                                       message) -> None:
    run = rmtui("-C", prog.root, "response", "import", "exit", GOOGLE, "-m",
                _mapping(tmp_path, extra, answers))
    assert run.code == 1, run.err
    assert message in run.err
    assert "exit.toml" in run.err


def test_a_mapping_column_missing_from_the_file(prog, rmtui, tmp_path) -> None:
    mapping = _mapping(tmp_path, answers='[fields.answers.nps]\ncolumn = "How likely"\n')
    run = rmtui("-C", prog.root, "response", "import", "exit", GOOGLE, "-m", mapping)
    assert run.code == 1
    assert "google-forms-exit.csv has no column 'How likely'" in run.err
