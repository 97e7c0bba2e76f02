"""SMART goals with dated progress, done or dropped; surveys sent as stubs and answered."""

from __future__ import annotations

import json

import pytest
from helpers import commit_count, head_files, head_subject, porcelain, read

from rmtui.core import ops, yamlio
from rmtui.core.store import Program

PAIR = "asa-oberg--nguyen-van-duc"
GOAL = "goals/use-copilot-for-meeting-notes.yaml"


def data(prog: Program, rel: str) -> dict:
    return yamlio.parse((prog.root / rel).read_bytes(), rel).data


@pytest.fixture
def goal(people_copy: Program, rmtui) -> Program:
    run = rmtui("-C", people_copy.root, "goal", "add", "--owner", "nguyen-van-duc",
                "--pair", PAIR, "--title", "Use Copilot for meeting notes",
                "--measure", "meetings summarised a week", "--baseline", "0", "--target", "3",
                "--due", "2027-05-31")
    assert run.code == 0, run.err
    assert run.out == "use-copilot-for-meeting-notes\n"
    assert "not SMART" not in run.err
    return people_copy


def test_a_smart_goal_from_the_command_line(goal) -> None:
    assert read(goal.root, GOAL) == (
        "id: use-copilot-for-meeting-notes\nowner: nguyen-van-duc\npair: " + PAIR + "\n"
        "title: Use Copilot for meeting notes\nmeasure: meetings summarised a week\n"
        "baseline: 0\ntarget: 3\ndue: 2027-05-31\ncreated: 2027-03-01\n")


def test_a_goal_that_is_not_smart_is_saved_with_a_warning(people_copy, rmtui) -> None:
    run = rmtui("-C", people_copy.root, "goal", "add", "--owner", "nguyen-van-duc",
                "--title", "Be more digital")
    assert run.code == 0, run.err
    assert "warning: the goal is not SMART: it has no measure, no target and no due date" \
        in run.err
    check = rmtui("-C", people_copy.root, "validate", "--format", "json")
    assert check.code == 0  # a warning, not an error
    found = json.loads(check.out)["diagnostics"]
    assert [(d["path"], d["line"], d["col"], d["rule"], d["severity"]) for d in found] == [
        ("goals/be-more-digital.yaml", 3, 8, "goal-smart", "warning")]
    assert rmtui("-C", people_copy.root, "validate", "--strict").code == 1
    # a dropped goal is history: no warning
    rmtui("-C", people_copy.root, "goal", "drop", "be-more-digital", "--reason", "too vague")
    assert json.loads(rmtui("-C", people_copy.root, "validate", "-f", "json").out)[
        "diagnostics"] == []


def test_progress_updates_are_dated_and_appended(goal, rmtui) -> None:
    root = goal.root
    run = rmtui("-C", root, "goal", "progress", "use-copilot-for-meeting-notes",
                "--date", "2027-03-08", "--value", "1", "--note", "first summary sent")
    assert run.code == 0, run.err
    assert head_subject(root) == "goal: progress use-copilot-for-meeting-notes on 2027-03-08 (1)"
    assert head_files(root) == [GOAL]
    rmtui("-C", root, "goal", "progress", "use-copilot-for-meeting-notes", "--date",
          "2027-03-15", "--note", "slow week")
    assert data(goal, GOAL)["progress"] == [
        {"date": "2027-03-08", "value": 1, "note": "first summary sent"},
        {"date": "2027-03-15", "note": "slow week"}]
    assert rmtui("-C", root, "goal", "progress", "use-copilot-for-meeting-notes").code == 2


def test_done_then_no_more_progress(goal, rmtui) -> None:
    root = goal.root
    run = rmtui("-C", root, "goal", "done", "use-copilot-for-meeting-notes", "--date",
                "2027-04-02")
    assert run.code == 0, run.err
    d = data(goal, GOAL)
    assert (d["status"], d["completed"]) == ("done", "2027-04-02")
    assert head_subject(root) == "goal: done use-copilot-for-meeting-notes on 2027-04-02"
    before = commit_count(root)
    run = rmtui("-C", root, "goal", "progress", "use-copilot-for-meeting-notes", "--note", "x")
    assert run.code == 1
    assert "goal use-copilot-for-meeting-notes is done; only an open goal can take progress" \
        in run.err
    assert rmtui("-C", root, "goal", "drop", "use-copilot-for-meeting-notes", "--reason",
                 "x").code == 1
    assert commit_count(root) == before


def test_drop_needs_a_reason_and_keeps_it(goal, rmtui) -> None:
    root = goal.root
    assert rmtui("-C", root, "goal", "drop", "use-copilot-for-meeting-notes").code == 2
    run = rmtui("-C", root, "goal", "drop", "use-copilot-for-meeting-notes", "--reason",
                "the team moved to another tool", "--date", "2027-03-20")
    assert run.code == 0, run.err
    d = data(goal, GOAL)
    assert (d["status"], d["completed"], d["drop_reason"]) == (
        "dropped", "2027-03-20", "the team moved to another tool")
    assert head_subject(root) == "goal: drop use-copilot-for-meeting-notes on 2027-03-20"


# --------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------


def test_send_writes_one_stub_per_participant_in_one_commit(people_copy, rmtui) -> None:
    root = people_copy.root
    before = commit_count(root)
    run = rmtui("-C", root, "survey", "send", "baseline", "--date", "2027-02-01")
    assert run.code == 0, run.err
    assert "sent survey baseline to 4 participants" in run.err
    assert commit_count(root) == before + 1
    assert head_subject(root) == "survey: send baseline to 4 participants"
    assert sorted(head_files(root)) == [f"responses/baseline/{p}.yaml" for p in
                                        ("asa-oberg", "joost-van-der-meer", "lucia-d-angelo",
                                         "nguyen-van-duc")]
    assert read(root, "responses/baseline/asa-oberg.yaml") == (
        "survey: baseline\nparticipant: asa-oberg\nstatus: sent\nsent: 2027-02-01\n")
    assert porcelain(root) == ""


def test_send_never_overwrites_a_response(people_copy, rmtui) -> None:
    root = people_copy.root
    rmtui("-C", root, "response", "add", "--survey", "baseline", "--participant",
          "asa-oberg", *[f"--answer=confidence-{q}=4" for q in
                         ("tools", "social", "data", "ways-of-working")])
    kept = read(root, "responses/baseline/asa-oberg.yaml")
    run = rmtui("-C", root, "survey", "send", "baseline")
    assert run.code == 0, run.err
    assert "1 already had a response and were left as they are" in run.err
    assert read(root, "responses/baseline/asa-oberg.yaml") == kept
    before = commit_count(root)
    again = rmtui("-C", root, "survey", "send", "baseline")
    assert again.code == 0
    assert "no one to send it to" in again.err
    assert commit_count(root) == before


def test_send_to_mentees_of_a_cohort(people_copy, rmtui) -> None:
    root = people_copy.root
    ops.edit(people_copy, "participant", "lucia-d-angelo",
             [ops.Assignment("cohort", "set", "wave-2")])
    run = rmtui("-C", root, "survey", "send", "pulse", "--to", "mentees", "--cohort", "wave-2")
    assert run.code == 0, run.err
    assert head_subject(root) == "survey: send pulse to 1 participant (mentees, cohort wave-2)"
    assert head_files(root) == ["responses/pulse/lucia-d-angelo.yaml"]
    (root / "surveys/pulse.yaml").write_text(
        read(root, "surveys/pulse.yaml").replace("audience: all", "audience: mentee"))
    run = rmtui("-C", root, "survey", "send", "pulse", "--to", "mentors")
    assert run.code == 2
    assert "survey pulse is for mentees, not mentors" in run.err
    assert rmtui("-C", root, "survey", "send", "no-such-survey").code == 2


def test_response_add_fills_the_stub(people_copy, rmtui) -> None:
    root = people_copy.root
    rmtui("-C", root, "survey", "send", "exit", "--date", "2027-02-20")
    run = rmtui("-C", root, "response", "add", "--survey", "exit", "--participant",
                "nguyen-van-duc", "--answer", "nps=9", "--answer", "learned=5",
                "--answer", "relationship=Good for the program", "--submitted", "2027-02-25")
    assert run.code == 0, run.err
    assert run.out == "exit/nguyen-van-duc\n"
    assert read(root, "responses/exit/nguyen-van-duc.yaml") == (
        "survey: exit\nparticipant: nguyen-van-duc\nstatus: submitted\nsent: 2027-02-20\n"
        "submitted: 2027-02-25\nanswers:\n  nps: 9\n  learned: 5\n"
        "  relationship: Good for the program\n")
    assert head_subject(root) == "response: nguyen-van-duc answered exit"
    again = rmtui("-C", root, "response", "add", "--survey", "exit", "--participant",
                  "nguyen-van-duc", "--answer", "nps=3", "--answer", "learned=1")
    assert again.code == 1
    assert "already answered survey exit" in again.err


@pytest.mark.parametrize(("answers", "code", "message"), [
    (["nps=11", "learned=4"], 2, "answer to 'nps' is 11; a nps answer is a whole number from 0 to 10"),
    (["nps=nine", "learned=4"], 2, "a nps answer is a whole number from 0 to 10"),
    (["nps=9", "mood=4"], 2, "survey 'exit' has no question 'mood'"),
    (["nps=9"], 1, "required question 'learned' is not answered"),
    (["nps=9", "learned=4", "relationship=Meh"], 1, "not one of its choices"),
])
def test_bad_answers_are_refused(people_copy, rmtui, answers, code, message) -> None:
    root = people_copy.root
    before = commit_count(root)
    run = rmtui("-C", root, "response", "add", "--survey", "exit", "--participant",
                "asa-oberg", *[f"--answer={a}" for a in answers])
    assert run.code == code, run.err
    assert message in run.err
    assert commit_count(root) == before and porcelain(root) == ""
