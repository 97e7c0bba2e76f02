"""`rmtui match` from the command line: output, proposals as one commit, the lifecycle,
past pairs from git history, and the org chart file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers import commit_count, git, head_files, head_subject
from matchkit import make_program, mentee, mentor

from rmtui.core import ops, yamlio
from rmtui.core.matching import suggest


@pytest.fixture
def prog(tmp_path):
    """Three mentors, three mentees; c shares z's department; a can take two."""
    return make_program(tmp_path / "p", [
        mentor("a", 9, capacity=2), mentor("b", 6), mentor("c", 8, department="ops"),
        mentee("x"), mentee("y"), mentee("z", department="ops"),
    ])


def test_suggest_table(prog, rmtui, snapshot) -> None:
    run = rmtui("-C", prog.root, "match", "suggest", "-f", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert run.err == snapshot


def test_suggest_json_shape(prog, rmtui, snapshot) -> None:
    run = rmtui("-C", prog.root, "match", "suggest", "-f", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert {"pairs", "unmatched", "objective", "total_score"} <= set(data)
    for p in data["pairs"]:
        assert {"mentor", "mentee", "score", "breakdown"} <= set(p)
        assert sum(Decimal(str(v)) for v in p["breakdown"].values()) == Decimal(str(p["score"]))
    assert data == snapshot


def test_explain_text(prog, rmtui, snapshot) -> None:
    run = rmtui("-C", prog.root, "match", "explain", "c", "z")
    assert run.code == 1  # the department rule fails
    assert run.out == snapshot
    ok = rmtui("-C", prog.root, "match", "explain", "a", "x", "-f", "json")
    assert ok.code == 0
    assert json.loads(ok.out)["eligible"] is True


def test_why_unmatched_table(tmp_path, rmtui, snapshot) -> None:
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 6), mentor("c", 9, department="d-z", exclusions=["x", "y"]),
        mentee("x"), mentee("y"),
        mentee("z", department="d-z", learning_topics=["t0", "q1", "q2", "q3", "q4"]),
    ])
    run = rmtui("-C", prog.root, "match", "why-unmatched", "z", "-f", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot


def test_write_is_one_commit_of_proposed_pair_files(prog, rmtui) -> None:
    before = commit_count(prog.root)
    run = rmtui("-C", prog.root, "match", "suggest", "--write", "-f", "tsv")
    assert run.code == 0, run.err
    assert commit_count(prog.root) == before + 1
    files = head_files(prog.root)
    sug = suggest(prog)
    assert files == sorted(f"pairs/{p.mentor}--{p.mentee}.yaml" for p in sug.pairs)
    assert head_subject(prog.root) == "pair: propose 3 pairs (run 2027-03-01)"
    data = yamlio.parse((prog.root / files[0]).read_bytes(), "p").data
    assert data["status"] == "proposed" and data["proposed"] == "2027-03-01"
    assert set(data["match"]) == {"score", "breakdown", "algorithm", "objective", "run"}
    assert rmtui("-C", prog.root, "validate").code == 0
    again = rmtui("-C", prog.root, "match", "suggest", "--write", "-f", "tsv")
    assert again.code == 0 and "no new pairs to propose" in again.err
    assert commit_count(prog.root) == before + 1


def test_a_declined_pair_is_never_proposed_again(prog, rmtui) -> None:
    first = suggest(prog)
    ops_out = rmtui("-C", prog.root, "match", "suggest", "--write", "-f", "tsv")
    assert ops_out.code == 0
    victim = first.new_pairs[0]
    pid = f"{victim.mentor}--{victim.mentee}"
    run = rmtui("-C", prog.root, "pair", "decline", pid, "--by", "mentee", "--reason", "no time")
    assert run.code == 0, run.err
    later = suggest(prog)
    assert (victim.mentor, victim.mentee) not in {(p.mentor, p.mentee) for p in later.pairs}
    explained = rmtui("-C", prog.root, "match", "explain", victim.mentor, victim.mentee)
    assert "FAIL  repeat" in explained.out and f"already paired as {pid} (ended)" in explained.out


def test_a_removed_pair_file_still_counts_as_a_past_pair(prog, rmtui) -> None:
    ops.add(prog, "pair", {"mentor": "a", "mentee": "x", "status": "completed",
                           "proposed": "2027-01-10", "started": "2027-01-20",
                           "ended": "2027-02-20"})
    ops.remove(prog, "pair", "a--x")
    assert not (prog.root / "pairs/a--x.yaml").exists()
    sug = suggest(prog)
    assert ("a", "x") not in {(p.mentor, p.mentee) for p in sug.pairs}
    run = rmtui("-C", prog.root, "match", "explain", "a", "x")
    assert "already paired as a--x (completed; its file was removed in commit" in run.out
    # and adding it back by hand is caught by validate
    (prog.root / "pairs").mkdir(exist_ok=True)
    (prog.root / "pairs/again.yaml").write_text(
        "id: again\nmentor: a\nmentee: x\nstatus: proposed\nproposed: 2027-03-01\n")
    git(prog.root, "add", "-A")
    git(prog.root, "commit", "-qm", "by hand")
    val = rmtui("-C", prog.root, "validate")
    assert val.code == 1 and "error[rule-repeat]" in val.out
    verify = rmtui("-C", prog.root, "match", "verify")
    assert verify.code == 1 and "already paired as a--x" in verify.out


def test_a_removed_proposal_is_not_a_past_pair(prog) -> None:
    ops.add(prog, "pair", {"mentor": "a", "mentee": "x", "proposed": "2027-02-01"})
    ops.remove(prog, "pair", "a--x")
    assert ("a", "x") in {(p.mentor, p.mentee) for p in suggest(prog).pairs}


def test_publish_starts_what_both_sides_accepted(prog, rmtui) -> None:
    rmtui("-C", prog.root, "match", "suggest", "--write", "-f", "tsv")
    written = sorted(f"{p.mentor}--{p.mentee}" for p in suggest(prog).pairs)
    ready, half = written[0], written[1]
    for side in ("mentor", "mentee"):
        ops.transition(prog, ready, "accept", by=side)
        ops.new_agreement(prog, ready) if side == "mentor" else None
        ops.sign_agreement(prog, ready, side)
    ops.transition(prog, half, "accept", by="mentor")
    before = commit_count(prog.root)
    run = rmtui("-C", prog.root, "match", "publish")
    assert run.code == 0, run.err
    assert commit_count(prog.root) == before + 1
    assert head_files(prog.root) == [f"pairs/{ready}.yaml"]
    assert "published 1 pair: now active" in run.err
    assert f"cannot start yet: {half}: the mentee has not accepted the pair" in run.err
    data = yamlio.parse((prog.root / f"pairs/{ready}.yaml").read_bytes(), "p").data
    assert (data["status"], data["started"]) == ("active", "2027-03-01")
    # the one-sided acceptance is kept by the next suggestion, the active pair too
    kept = {f"{p.mentor}--{p.mentee}" for p in suggest(prog).pairs if p.kept}
    assert {ready, half} <= kept


def test_rematch_only_moves_people_whose_pair_ended(tmp_path, rmtui) -> None:
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 6), mentor("c", 2),
        mentee("x"), mentee("y"), mentee("new"),
    ], pairs=[
        {"mentor": "a", "mentee": "x", "status": "active", "started": "2027-01-20"},
        {"mentor": "b", "mentee": "y", "status": "ended", "started": "2027-01-20",
         "ended": "2027-02-20", "end_reason": "moved team"},
    ])
    run = rmtui("-C", prog.root, "match", "rematch", "-f", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    new = [(p["mentor"], p["mentee"]) for p in data["pairs"] if not p["kept"]]
    assert new == [("c", "y")]  # b is a past pair for y; 'new' was never in a pair
    assert [(p["mentor"], p["mentee"]) for p in data["pairs"] if p["kept"]] == [("a", "x")]


def test_the_org_chart_file_carries_reporting_lines(tmp_path, rmtui) -> None:
    """x's manager M1 is not a participant; M1 reports to b's employee id B1."""
    prog = make_program(tmp_path / "p", [
        mentor("a", 5), mentor("b", 9, employee_id="B1"),
        mentee("x", employee_id="X1", manager_id="M1"),
    ], settings={"rules.reporting_line": {"org_chart": "org.csv"}},
        files={"org.csv": "employee_id,manager_id\nM1,B1\n"})
    assert rmtui("-C", prog.root, "validate").code == 0
    sug = suggest(prog)
    assert {(p.mentor, p.mentee) for p in sug.pairs} == {("a", "x")}
    run = rmtui("-C", prog.root, "match", "explain", "b", "x")
    assert "FAIL  reporting_line  the mentor is the mentee's skip-level manager" in run.out


def test_a_broken_org_chart_is_located(tmp_path, rmtui) -> None:
    prog = make_program(tmp_path / "p", [mentor("a", 5), mentee("x")],
                        settings={"rules.reporting_line": {"org_chart": "org.csv"}},
                        files={"org.csv": "\ufeffemployee_id,manager_id\nM1,M1\n,B2\nM3,B3,extra\n"
                                          "M4,B4\nM4,B5\n"})
    run = rmtui("-C", prog.root, "validate")
    assert run.code == 1
    lines = [x for x in run.out.splitlines() if "error[org-chart]" in x]
    assert lines == [
        "p/org.csv:2:4: error[org-chart]: M1 is listed as their own manager",
        "p/org.csv:3:1: error[org-chart]: employee_id is empty",
        "p/org.csv:4:1: error[org-chart]: row has 3 column(s); the header has 2",
        "p/org.csv:6:4: error[org-chart]: M4 reports to B4 on line 5 and to B5 here",
    ]
    (prog.root / "org.csv").unlink()
    run = rmtui("-C", prog.root, "validate")
    assert "program.toml:" in run.out and "the org chart file org.csv does not exist" in run.out
    assert rmtui("-C", prog.root, "match", "suggest").code == 1


def test_bad_options_are_usage_errors(prog, rmtui) -> None:
    assert rmtui("-C", prog.root, "match", "suggest", "--pin", "nope").code == 2
    assert rmtui("-C", prog.root, "match", "explain", "a", "ghost").code == 2
    run = rmtui("-C", prog.root, "match", "suggest", "--pin", "c:z")
    assert run.code == 1 and "both work in ops" in run.err
