"""Entities from the command line: add, list, show, edit and remove for every kind.

Every mutation is one commit of exactly the file it touched, with a message
that says what happened; bad input changes nothing; comments written by hand
survive an edit.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import commit_count, git, head_files, head_subject, porcelain, read, tree_digest

from rmtui.core import ops, yamlio
from rmtui.core.errors import RepoError

PAIR = "asa-oberg--nguyen-van-duc"
SESSION = f"{PAIR}/2027-02-03"




# --------------------------------------------------------------------------
# Ids from names
# --------------------------------------------------------------------------


def test_add_prints_the_new_id_on_stdout_and_the_story_on_stderr(program, rmtui) -> None:
    root = program.root
    before = commit_count(root)
    run = rmtui("-C", root, "participant", "add", "--name", "Åsa Öberg", "--role", "mentor")
    assert run.code == 0, run.err
    assert run.out == "asa-oberg\n"
    assert "added participant asa-oberg" in run.err
    assert commit_count(root) == before + 1
    assert head_files(root) == ["participants/asa-oberg.yaml"]
    assert head_subject(root) == "participant: add asa-oberg (Åsa Öberg)"
    assert read(root, "participants/asa-oberg.yaml") == \
        "id: asa-oberg\nname: Åsa Öberg\nrole: mentor\n"
    assert porcelain(root) == ""

    again = rmtui("-C", root, "participant", "add", "--name", "Åsa Öberg", "--role", "mentee")
    assert again.code == 0, again.err
    assert again.out == "asa-oberg-2\n"
    assert commit_count(root) == before + 2
    assert head_files(root) == ["participants/asa-oberg-2.yaml"]
    assert head_subject(root) == "participant: add asa-oberg-2 (Åsa Öberg)"
    third = rmtui("-C", root, "participant", "add", "--name", "ÅSA  öberg!", "--role", "mentee")
    assert third.out == "asa-oberg-3\n"


@pytest.mark.parametrize(("name", "expected"), [
    ("Nguyễn Văn Đức", "nguyen-van-duc"),
    ("Trần Thị Bích Ngọc", "tran-thi-bich-ngoc"),
    ("Joost van der Meer", "joost-van-der-meer"),
    ("Anouk de Vries-IJsselstein", "anouk-de-vries-ijsselstein"),
    ("Lucia D'Angelo", "lucia-d-angelo"),
    ("Niccolò Bellucci", "niccolo-bellucci"),
    ("Søren Ærø", "soren-aero"),
])
def test_ids_are_folded_slugs_of_names_that_keep_every_character(program, rmtui, name,
                                                                  expected) -> None:
    run = rmtui("-C", program.root, "participant", "add", "--name", name, "--role", "mentee")
    assert run.code == 0, run.err
    assert run.out.strip() == expected
    data = program.get("participant", expected)
    assert data["name"] == name
    assert head_subject(program.root) == f"participant: add {expected} ({name})"


def test_add_applies_every_option_in_order(program, rmtui) -> None:
    run = rmtui("-C", program.root, "participant", "add", "--name", "Åsa Öberg", "--role",
                "mentor", "--skills", "Teams", "--set", "skills+=Python", "--set",
                "skills+=Excel,Teams", "--set", "email=asa@example.com", "--set", "email=",
                "--set", "attributes.team=Platform", "--set", "interests-=chess")
    assert run.code == 0, run.err
    assert program.get("participant", "asa-oberg") == {
        "id": "asa-oberg", "name": "Åsa Öberg", "role": "mentor",
        "skills": ["Teams", "Python", "Excel"], "attributes": {"team": "Platform"}}


def test_id_from_the_cli_works_in_a_shell_substitution(program, rmtui) -> None:
    """`id=$(rmtui participant add ...)`: stdout is the id and nothing else."""
    run = rmtui("-C", program.root, "participant", "add", "--name", "Nguyễn Văn Đức",
                "--role", "mentee", "--grade", "7")
    assert run.out.splitlines() == ["nguyen-van-duc"]
    shown = rmtui("-C", program.root, "participant", "show", run.out.strip(), "--format", "json")
    assert json.loads(shown.out)["grade"] == 7


# --------------------------------------------------------------------------
# Every kind: add, list, show, edit, remove
# --------------------------------------------------------------------------

QUESTIONS = "[{id: useful, text: 'Was it useful?', type: likert, required: true}]"

KIND_CASES = {
    # kind: (add args, new id, its file, edit --set, the edited fields, value check)
    "participant": (["--name", "Maria Rossi", "--role", "mentor", "--grade", "1"],
                    "maria-rossi", "participants/maria-rossi.yaml", "grade=2", "grade",
                    ("grade", 2)),
    "goal": (["--title", "Run a Teams meeting alone", "--owner", "nguyen-van-duc",
              "--pair", PAIR, "--due", "2027-06-30"],
             "run-a-teams-meeting-alone", "goals/run-a-teams-meeting-alone.yaml",
             "status=done", "status", ("status", "done")),
    "pair": (["--mentor", "joost-van-der-meer", "--mentee", "lucia-d-angelo"],
             "joost-van-der-meer--lucia-d-angelo", "pairs/joost-van-der-meer--lucia-d-angelo.yaml",
             "status=accepted", "status", ("status", "accepted")),
    "agreement": (["--pair", PAIR, "--frequency", "weekly"],
                  PAIR, f"agreements/{PAIR}.yaml", "frequency=monthly", "frequency",
                  ("frequency", "monthly")),
    "session": (["--pair", PAIR, "--date", "2027-02-10", "--duration-minutes", "45"],
                f"{PAIR}/2027-02-10", f"sessions/{PAIR}/2027-02-10.yaml", "mode=video", "mode",
                ("mode", "video")),
    "survey": (["--title", "Mid-program check", "--kind", "custom", "--set",
                f"questions={QUESTIONS}"],
               "mid-program-check", "surveys/mid-program-check.yaml", "audience=mentee",
               "audience", ("audience", "mentee")),
    "response": (["--survey", "pulse", "--participant", "nguyen-van-duc", "--submitted",
                  "2027-02-04", "--set", "answers.useful=4"],
                 "pulse/nguyen-van-duc", "responses/pulse/nguyen-van-duc.yaml",
                 "answers.useful=5", "answers", ("answers", {"useful": 5})),
}


@pytest.mark.parametrize("kind", list(KIND_CASES))
def test_every_kind_add_list_show_edit_remove(people_copy, rmtui, kind) -> None:
    root = people_copy.root
    add_args, new_id, rel, assignment, edited, (key, value) = KIND_CASES[kind]
    count = commit_count(root)

    added = rmtui("-C", root, kind, "add", *add_args)
    assert added.code == 0, added.err
    assert added.out == f"{new_id}\n"
    assert (root / rel).is_file()
    assert commit_count(root) == count + 1
    assert head_files(root) == [rel]
    assert head_subject(root).startswith(f"{kind}: add {new_id}")
    assert porcelain(root) == ""

    listed = rmtui("-C", root, kind, "list", "--format", "json")
    assert listed.code == 0, listed.err
    ids = [row.get("id") for row in json.loads(listed.out)]
    assert new_id in ids

    shown = rmtui("-C", root, kind, "show", new_id, "--format", "json")
    assert shown.code == 0, shown.err
    record = json.loads(shown.out)
    for k, v in people_copy.get(kind, new_id).items():
        if k not in ("summary", "next_steps"):
            assert record[k] == v

    changed = rmtui("-C", root, kind, "edit", new_id, "--set", assignment)
    assert changed.code == 0, changed.err
    assert changed.out == ""
    assert commit_count(root) == count + 2
    assert head_files(root) == [rel]
    assert head_subject(root) == f"{kind}: edit {new_id} ({edited})"
    assert people_copy.get(kind, new_id)[key] == value

    removed = rmtui("-C", root, kind, "remove", new_id)
    assert removed.code == 0, removed.err
    assert not (root / rel).exists()
    assert commit_count(root) == count + 3
    assert head_files(root) == [rel]
    assert head_subject(root) == f"{kind}: remove {new_id}"
    assert porcelain(root) == ""
    gone = rmtui("-C", root, kind, "show", new_id)
    assert gone.code == 2
    assert f"no {kind}" in gone.err


def test_pair_edit_message_names_the_fields(people_copy, rmtui) -> None:
    root = people_copy.root
    run = rmtui("-C", root, "pair", "edit", PAIR, "--set", "status=paused")
    assert run.code == 0, run.err
    assert head_subject(root) == f"pair: edit {PAIR} (status)"
    assert head_files(root) == [f"pairs/{PAIR}.yaml"]
    run = rmtui("-C", root, "pair", "edit", PAIR, "--status", "active", "--set",
                "end_reason=none yet")
    assert head_subject(root) == f"pair: edit {PAIR} (end_reason, status)"


def test_no_commit_writes_the_file_but_does_not_commit(people_copy, rmtui) -> None:
    root = people_copy.root
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "add", "--name", "Maria Rossi", "--role", "mentor",
                "--no-commit")
    assert run.code == 0, run.err
    assert run.out == "maria-rossi\n"
    assert "not committed" in run.err
    assert (root / "participants/maria-rossi.yaml").is_file()
    assert porcelain(root) == "?? participants/maria-rossi.yaml\n"

    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=1", "--no-commit")
    assert run.code == 0, run.err
    assert "grade: 1" in read(root, "participants/asa-oberg.yaml")
    run = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-17", "--no-commit")
    assert run.code == 0, run.err
    run = rmtui("-C", root, "goal", "add", "--title", "x", "--owner", "asa-oberg", "--no-commit")
    assert run.code == 0, run.err
    run = rmtui("-C", root, "goal", "remove", "x", "--no-commit")
    assert run.code == 0, run.err
    assert not (root / "goals/x.yaml").exists()
    assert commit_count(root) == count
    assert sorted(porcelain(root).splitlines()) == [
        " M participants/asa-oberg.yaml",
        "?? participants/maria-rossi.yaml",
        f"?? sessions/{PAIR}/2027-02-17.yaml",
    ]
    # the index was left alone
    assert git(root, "diff", "--cached", "--name-only") == ""


# --------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------


def test_session_log_writes_one_file_and_a_second_that_day_gets_a_suffix(people_copy,
                                                                         rmtui) -> None:
    root = people_copy.root
    count = commit_count(root)
    run = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-17", "--duration", "45",
                "--rating-mentor", "5", "--rating-mentee", "4", "--summary",
                "Tried Copilot on the quarterly deck.")
    assert run.code == 0, run.err
    assert run.out == f"{PAIR}/2027-02-17\n"
    rel = f"sessions/{PAIR}/2027-02-17.yaml"
    assert read(root, rel) == textwrap.dedent(f"""\
        pair: {PAIR}
        date: 2027-02-17
        duration_minutes: 45
        ratings:
          mentor: 5
          mentee: 4
        summary: Tried Copilot on the quarterly deck.
        """)
    assert commit_count(root) == count + 1
    assert head_files(root) == [rel]
    assert head_subject(root) == f"session: log {PAIR} on 2027-02-17"

    second = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-17", "--duration", "15")
    assert second.code == 0, second.err
    assert second.out == f"{PAIR}/2027-02-17-2\n"
    assert head_files(root) == [f"sessions/{PAIR}/2027-02-17-2.yaml"]
    assert head_subject(root) == f"session: log {PAIR} on 2027-02-17"
    assert people_copy.get("session", f"{PAIR}/2027-02-17-2")["date"] == "2027-02-17"
    third = rmtui("-C", root, "session", "log", PAIR, "--date", "2027-02-17")
    assert third.out == f"{PAIR}/2027-02-17-3\n"
    assert commit_count(root) == count + 3


def test_session_log_defaults_to_today(people_copy, rmtui) -> None:
    run = rmtui("-C", people_copy.root, "session", "log", PAIR, "--duration", "30")
    assert run.code == 0, run.err
    assert run.out == f"{PAIR}/2027-03-01\n"


# --------------------------------------------------------------------------
# Bad input changes nothing
# --------------------------------------------------------------------------

BAD = [
    # args, exit code, a word the message must hold
    (["participant", "add", "--name", "X Y", "--role", "boss"], 2, "role"),
    (["participant", "add", "--name", "X Y", "--role", "mentor", "--grade", "500"], 1, "grade"),
    (["participant", "add", "--name", "X Y", "--role", "mentor", "--grade", "high"], 2, "grade"),
    (["participant", "add", "--name", "X Y", "--role", "mentor", "--email", "nope"], 1, "email"),
    (["participant", "add", "--role", "mentor"], 2, "name"),
    (["participant", "add", "--name", "X Y", "--role", "mentor", "--joined", "2027-02-30"],
     2, "joined"),
    (["participant", "add", "--name", "X Y", "--role", "mentor", "--set", "shoe_size=44"],
     2, "shoe_size"),
    (["participant", "add", "--id", "../../etc/passwd", "--name", "X", "--role", "mentor"],
     2, "not a valid"),
    (["participant", "add", "--id", "asa-oberg", "--name", "X", "--role", "mentor"], 2,
     "already a participant 'asa-oberg'"),
    (["participant", "edit", "asa-oberg", "--set", "grade=-1"], 1, "grade"),
    (["participant", "edit", "asa-oberg", "--set", "shoe_size=44"], 2, "shoe_size"),
    (["participant", "edit", "asa-oberg", "--set", "status=retired"], 2, "status"),
    (["participant", "edit", "asa-oberg", "--set", "preferences+=nobody-at-all"], 1,
     "nobody-at-all"),
    (["participant", "edit", "asa-oberg", "--set", "id=other"], 2, "id"),
    (["participant", "edit", "asa-oberg", "--set", "grade"], 2, "KEY=VALUE"),
    (["participant", "edit", "nobody", "--set", "grade=1"], 2, "nobody"),
    (["participant", "edit", "../../etc/passwd", "--set", "grade=1"], 2, "not a valid"),
    (["participant", "show", "../../etc/passwd"], 2, "not a valid"),
    (["participant", "remove", "../../etc/passwd"], 2, "not a valid"),
    (["participant", "remove", "nobody"], 2, "nobody"),
    (["session", "show", "../../etc/passwd"], 2, "not a valid"),
    (["session", "edit", f"{PAIR}/../../x", "--set", "mode=video"], 2, "not a valid"),
    (["session", "edit", SESSION, "--set", "ratings.mentor=9"], 1, "ratings.mentor"),
    (["session", "edit", SESSION, "--set", "ratings.boss=3"], 2, "boss"),
    (["session", "edit", SESSION, "--set", "date=2027-02-04"], 2, "date"),
    (["session", "edit", SESSION, "--set", "pair=other"], 2, "pair"),
    (["session", "log", "no-such-pair"], 2, "no-such-pair"),
    (["session", "log", "../../etc/passwd"], 2, "not a valid"),
    (["session", "log", PAIR, "--date", "2027-13-01"], 2, "date"),
    (["session", "log", PAIR, "--rating-mentor", "6"], 2, "rating"),
    (["session", "log", PAIR, "--date", "2026-12-01"], 1, "started"),
    (["pair", "add", "--mentor", "asa-oberg", "--mentee", "joost-van-der-meer"], 1, "mentee"),
    (["pair", "add", "--mentor", "asa-oberg", "--mentee", "nobody"], 1, "nobody"),
    (["goal", "add", "--title", "Learn", "--owner", "nobody"], 1, "nobody"),
    (["goal", "add", "--title", "Learn", "--owner", "asa-oberg", "--status", "finished"], 2,
     "status"),
    (["agreement", "add", "--pair", "no-such-pair"], 1, "no-such-pair"),
    (["agreement", "add", "--pair", "../x"], 2, "not a valid"),
    (["survey", "add", "--title", "Empty", "--kind", "pulse"], 1, "questions"),
    (["survey", "add", "--title", "Bad", "--kind", "pulse", "--set", "questions=useful"], 2,
     "questions"),
    (["survey", "add", "--title", "Bad", "--kind", "pulse", "--set", "questions=[{id: q"], 2,
     "questions"),
    (["survey", "add", "--title", "Bad", "--kind", "pulse", "--set",
      "questions=[{id: q1, text: Hi, type: stars}]"], 1, "questions"),
    (["response", "add", "--survey", "pulse", "--participant", "asa-oberg", "--set",
      "answers.nope=3"], 1, "nope"),
    (["response", "add", "--survey", "pulse", "--participant", "../../etc"], 2, "not a valid"),
    (["nosuchkind", "list"], 2, "nosuchkind"),
]


@pytest.mark.parametrize(("args", "code", "word"), BAD, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else str(v))
def test_bad_input_is_refused_and_changes_nothing(people_copy, rmtui, args, code,
                                                  word) -> None:
    root = people_copy.root
    before = tree_digest(root)
    count = commit_count(root)
    run = rmtui("-C", root, *args)
    assert run.code == code, run.err
    assert word in run.err
    assert run.out == ""
    assert "Traceback" not in run.err
    assert tree_digest(root) == before
    assert commit_count(root) == count
    assert porcelain(root) == ""
    assert not Path("/etc/passwd.yaml").exists()


# --------------------------------------------------------------------------
# remove: refused while referred to
# --------------------------------------------------------------------------


def test_remove_is_refused_while_something_refers_to_it(people_copy, rmtui) -> None:
    root = people_copy.root
    before = tree_digest(root)
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "remove", "asa-oberg")
    assert run.code == 1
    assert f"pairs/{PAIR}.yaml (mentor)" in run.err
    assert "--force" in run.err
    assert tree_digest(root) == before
    assert commit_count(root) == count

    run = rmtui("-C", root, "pair", "remove", PAIR)
    assert run.code == 1
    assert f"sessions/{PAIR}/2027-02-03.yaml (pair)" in run.err
    assert tree_digest(root) == before

    forced = rmtui("-C", root, "participant", "remove", "asa-oberg", "--force")
    assert forced.code == 0, forced.err
    assert "now point nowhere" in forced.err
    assert not (root / "participants/asa-oberg.yaml").exists()
    assert commit_count(root) == count + 1
    assert head_files(root) == ["participants/asa-oberg.yaml"]
    assert head_subject(root) == "participant: remove asa-oberg"


def test_removing_the_last_session_of_a_pair_drops_its_empty_folder(people_copy,
                                                                    rmtui) -> None:
    root = people_copy.root
    run = rmtui("-C", root, "session", "remove", SESSION)
    assert run.code == 0, run.err
    assert not (root / "sessions" / PAIR).exists()
    assert head_files(root) == [f"sessions/{SESSION}.yaml"]


# --------------------------------------------------------------------------
# edit --set
# --------------------------------------------------------------------------


def test_edit_set_append_remove_unset_and_nested(people_copy, rmtui) -> None:
    root = people_copy.root
    rel = "participants/asa-oberg.yaml"
    count = commit_count(root)

    def edit(*sets: str) -> None:
        args = [a for s in sets for a in ("--set", s)]
        run = rmtui("-C", root, "participant", "edit", "asa-oberg", *args)
        assert run.code == 0, run.err

    edit("skills+=Python")
    assert people_copy.get("participant", "asa-oberg")["skills"] == \
        ["generative AI", "Teams", "Python"]
    edit("skills+=Python")  # already there: nothing changes, nothing is committed
    assert commit_count(root) == count + 1
    edit("skills-=Teams")
    assert people_copy.get("participant", "asa-oberg")["skills"] == ["generative AI", "Python"]
    edit("interests+=chess,climbing")
    assert people_copy.get("participant", "asa-oberg")["interests"] == ["chess", "climbing"]
    edit("languages=en,sv")
    assert people_copy.get("participant", "asa-oberg")["languages"] == ["en", "sv"]
    edit("manager_id=")
    assert "manager_id" not in people_copy.get("participant", "asa-oberg")
    assert head_subject(root) == "participant: edit asa-oberg (manager_id)"
    edit("attributes.team=Platform, Tools")  # a text, even with a comma
    assert people_copy.get("participant", "asa-oberg")["attributes"] == \
        {"team": "Platform, Tools"}
    edit("attributes.tools=[Jira, Miro]")
    assert people_copy.get("participant", "asa-oberg")["attributes"]["tools"] == \
        ["Jira", "Miro"]
    assert commit_count(root) == count + 7
    assert head_files(root) == [rel]

    run = rmtui("-C", root, "session", "edit", SESSION, "--set", "ratings.mentor=5")
    assert run.code == 0, run.err
    data = people_copy.get("session", SESSION)
    assert data["ratings"] == {"mentor": 5, "mentee": 5}
    assert head_subject(root) == f"session: edit {SESSION} (ratings)"
    run = rmtui("-C", root, "session", "edit", SESSION, "--set", "ratings.mentee=")
    assert people_copy.get("session", SESSION)["ratings"] == {"mentor": 5}
    run = rmtui("-C", root, "session", "edit", SESSION, "--set", "ratings.mentor=")
    assert run.code == 0, run.err
    assert "ratings" not in people_copy.get("session", SESSION)  # no empty `ratings: {}`
    assert "ratings" not in read(root, f"sessions/{SESSION}.yaml")
    # the typed option does the same as --set
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--grade", "3")
    assert run.code == 0, run.err
    assert people_copy.get("participant", "asa-oberg")["grade"] == 3


def test_structured_values_are_given_in_yaml_flow_style(people_copy, rmtui) -> None:
    """Survey questions and goal progress are lists of groups: `--set 'k+={a: 1}'`."""
    root = people_copy.root
    run = rmtui("-C", root, "survey", "edit", "pulse", "--set",
                "questions+={id: energy, text: 'How energised do you feel?', type: likert}")
    assert run.code == 0, run.err
    questions = people_copy.get("survey", "pulse")["questions"]
    assert [q["id"] for q in questions] == ["useful", "next-focus", "energy"]
    assert questions[-1] == {"id": "energy", "text": "How energised do you feel?",
                             "type": "likert"}
    assert read(root, "surveys/pulse.yaml").endswith(
        "  - id: energy\n    text: How energised do you feel?\n    type: likert\n")
    run = rmtui("-C", root, "goal", "add", "--title", "Post on LinkedIn", "--owner",
                "nguyen-van-duc", "--measure", "posts a month", "--baseline", "0",
                "--target", "4", "--set", "progress+={date: 2027-02-01, value: 1}")
    assert run.code == 0, run.err
    goal = people_copy.get("goal", "post-on-linkedin")
    assert goal["progress"] == [{"date": "2027-02-01", "value": 1}]
    assert goal["baseline"] == 0 and goal["target"] == 4
    run = rmtui("-C", root, "goal", "edit", "post-on-linkedin", "--set",
                "progress+={date: 2027-03-01, value: 2, note: two this month}")
    assert run.code == 0, run.err
    assert [p["value"] for p in people_copy.get("goal", "post-on-linkedin")["progress"]] == \
        [1, 2]
    run = rmtui("-C", root, "pair", "edit", PAIR, "--set", "accepted={mentor: 2027-01-12}")
    assert run.code == 0, run.err
    assert people_copy.get("pair", PAIR)["accepted"] == {"mentor": "2027-01-12"}


def test_an_edit_that_changes_nothing_makes_no_commit(people_copy, rmtui) -> None:
    root = people_copy.root
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=2")
    assert run.code == 0, run.err
    assert "unchanged" in run.err
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "email=")
    assert run.code == 0, run.err
    assert commit_count(root) == count
    assert porcelain(root) == ""


HAND_WRITTEN = """\
# Åsa joined in the second wave.
id: asa-oberg
name: "Åsa Öberg"   # as she writes it
role: mentor
department: IT
# grade comes from HR's system
grade: 2  # checked 2027-01
skills:
  - generative AI   # her favourite
  - Teams
languages: [en, sv]
status: active
"""


def test_comments_quoting_and_order_survive_an_edit(program, rmtui) -> None:
    root = program.root
    rel = "participants/asa-oberg.yaml"
    (root / "participants").mkdir()
    (root / rel).write_text(HAND_WRITTEN, encoding="utf-8")
    git(root, "add", rel)
    git(root, "commit", "-q", "-m", "by hand")

    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=3")
    assert run.code == 0, run.err
    assert read(root, rel) == HAND_WRITTEN.replace("grade: 2  #", "grade: 3  #")
    diff = git(root, "show", "--format=", "-U0", "HEAD").splitlines()
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == \
        ["-grade: 2  # checked 2027-01", "+grade: 3  # checked 2027-01"]

    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "skills+=Python")
    assert run.code == 0, run.err
    assert read(root, rel) == HAND_WRITTEN.replace("grade: 2  #", "grade: 3  #").replace(
        "  - Teams\n", "  - Teams\n  - Python\n")


def test_a_new_key_lands_where_the_schema_order_puts_it(program, rmtui) -> None:
    root = program.root
    rel = "participants/asa-oberg.yaml"
    (root / "participants").mkdir()
    text = "id: asa-oberg\nname: Åsa Öberg\nrole: mentor\ndepartment: IT  # since 2025\n" \
           "status: active\n"
    (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", rel)
    git(root, "commit", "-q", "-m", "by hand")
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "grade=2",
                "--set", "email=asa@example.com")
    assert run.code == 0, run.err
    assert read(root, rel) == ("id: asa-oberg\nname: Åsa Öberg\nrole: mentor\n"
                               "email: asa@example.com\ndepartment: IT  # since 2025\n"
                               "grade: 2\nstatus: active\n")


def test_an_untouched_file_keeps_its_keys_in_the_order_a_person_wrote(program, rmtui) -> None:
    root = program.root
    rel = "participants/asa-oberg.yaml"
    (root / "participants").mkdir()
    text = "name: Åsa Öberg\nstatus: active\nid: asa-oberg\nrole: mentor\n"
    (root / rel).write_text(text, encoding="utf-8")
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--set", "status=accepted",
                "--no-commit")
    assert run.code == 0, run.err
    assert read(root, rel) == text.replace("active", "accepted")


# --------------------------------------------------------------------------
# edit in $EDITOR
# --------------------------------------------------------------------------


def _editor(tmp_path: Path, old: str, new: str) -> str:
    script = tmp_path / f"editor-{abs(hash((old, new)))}.py"
    script.write_text(textwrap.dedent(f"""\
        import sys
        path = sys.argv[1]
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace({old!r}, {new!r}))
        """), encoding="utf-8")
    return f"{sys.executable} {script}"


def test_editor_invalid_edit_is_not_saved_and_the_text_is_kept(people_copy, rmtui,
                                                               tmp_path) -> None:
    root = people_copy.root
    rel = "participants/asa-oberg.yaml"
    before = tree_digest(root)
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg",
                env={"EDITOR": _editor(tmp_path, "grade: 2", "grade: lots")})
    assert run.code == 1, run.err
    assert "grade" in run.err
    assert "was not saved" in run.err
    assert tree_digest(root) == before
    assert commit_count(root) == count
    kept = list((root / ".rmtui" / "rejected").glob("*.yaml"))
    assert len(kept) == 1
    assert "grade: lots" in kept[0].read_text(encoding="utf-8")
    assert kept[0].name in run.err
    assert "grade: 2\n" in read(root, rel)


def test_editor_yaml_syntax_error_is_not_saved(people_copy, rmtui, tmp_path) -> None:
    root = people_copy.root
    before = tree_digest(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg",
                env={"EDITOR": _editor(tmp_path, "role: mentor", "role: [mentor")})
    assert run.code == 1, run.err
    assert tree_digest(root) == before
    assert len(list((root / ".rmtui" / "rejected").glob("*.yaml"))) == 1


def test_editor_valid_edit_is_saved_and_committed(people_copy, rmtui, tmp_path) -> None:
    root = people_copy.root
    rel = "participants/asa-oberg.yaml"
    count = commit_count(root)
    original = read(root, rel)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg", "--editor",
                env={"EDITOR": _editor(tmp_path, "grade: 2", "grade: 3  # promoted")})
    assert run.code == 0, run.err
    assert read(root, rel) == original.replace("grade: 2", "grade: 3  # promoted")
    assert commit_count(root) == count + 1
    assert head_files(root) == [rel]
    assert head_subject(root) == "participant: edit asa-oberg (grade)"
    assert not (root / ".rmtui" / "rejected").exists()


def test_editor_that_changes_nothing_saves_nothing(people_copy, rmtui, tmp_path) -> None:
    root = people_copy.root
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg",
                env={"EDITOR": _editor(tmp_path, "no such text", "x")})
    assert run.code == 0, run.err
    assert "unchanged" in run.err
    assert commit_count(root) == count


def test_editor_cannot_change_an_id(people_copy, rmtui, tmp_path) -> None:
    root = people_copy.root
    before = tree_digest(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg",
                env={"EDITOR": _editor(tmp_path, "id: asa-oberg", "id: asa-berg")})
    assert run.code == 1, run.err
    assert tree_digest(root) == before


def test_a_file_changed_on_disk_while_the_editor_is_open_is_not_overwritten(people_copy, rmtui,
                                                                           tmp_path) -> None:
    root = people_copy.root
    rel = "participants/asa-oberg.yaml"
    script = tmp_path / "racing-editor.py"
    # the editor saves a valid change while someone else changes the file itself
    script.write_text(textwrap.dedent(f"""\
        import sys
        real = {str(root / rel)!r}
        with open(real, encoding="utf-8") as fh:
            text = fh.read()
        with open(real, "w", encoding="utf-8") as fh:
            fh.write(text.replace("status: active", "status: withdrawn"))
        with open(sys.argv[1], encoding="utf-8") as fh:
            mine = fh.read()
        with open(sys.argv[1], "w", encoding="utf-8") as fh:
            fh.write(mine.replace("grade: 2", "grade: 3"))
        """), encoding="utf-8")
    count = commit_count(root)
    run = rmtui("-C", root, "participant", "edit", "asa-oberg",
                env={"EDITOR": f"{sys.executable} {script}"})
    assert run.code == 3, run.err
    assert "changed on disk" in run.err
    text = read(root, rel)
    assert "status: withdrawn" in text and "grade: 2\n" in text
    assert commit_count(root) == count
    kept = list((root / ".rmtui" / "rejected").glob("*.yaml"))
    assert len(kept) == 1 and kept[0].name in run.err
    assert "grade: 3" in kept[0].read_text(encoding="utf-8")


def test_a_file_changed_on_disk_after_it_was_read_is_never_overwritten(people_copy) -> None:
    root = people_copy.root
    rel = "participants/asa-oberg.yaml"
    text, digest = ops.text_of(people_copy, "participant", "asa-oberg")
    by_hand = text.replace("grade: 2", "grade: 4")
    (root / rel).write_text(by_hand, encoding="utf-8")
    count = commit_count(root)
    with pytest.raises(RepoError, match="changed on disk"):
        ops.edit(people_copy, "participant", "asa-oberg",
                 [ops.Assignment("status", "set", "withdrawn")], expected=digest)
    with pytest.raises(RepoError, match="changed on disk"):
        ops.replace_text(people_copy, "participant", "asa-oberg",
                         text.replace("status: active", "status: withdrawn"), digest)
    assert read(root, rel) == by_hand
    assert commit_count(root) == count
    # with the digest of what is there now, the edit goes through
    now = yamlio.digest((root / rel).read_bytes())
    ops.edit(people_copy, "participant", "asa-oberg",
             [ops.Assignment("status", "set", "withdrawn")], expected=now)
    assert read(root, rel) == by_hand.replace("status: active", "status: withdrawn")


def test_remove_refuses_a_file_changed_since_it_was_shown(people_program) -> None:
    from rmtui.core import ops
    from rmtui.core.errors import RepoError

    pid = people_program.ids("participant")[0]
    _, digest = ops.text_of(people_program, "participant", pid)
    path = people_program.path_of("participant", pid)
    path.write_text(path.read_text(encoding="utf-8") + "# a note by hand\n", encoding="utf-8")
    with pytest.raises(RepoError, match="changed on disk since it was shown"):
        ops.remove(people_program, "participant", pid, force=True, expected=digest)
    assert path.exists()
