"""Cross-file rules: each test starts from a valid program and changes one thing.

The program is ``people_program`` (two mentors, two mentees, one active pair
``asa-oberg--nguyen-van-duc`` with a session on 2027-02-03; today is
2027-03-01). It is built once per module and copied for each test, which is
much faster than building it again; ``test_clean_program_is_silent`` checks
the copy is the same as the fixture.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w
from helpers import add_people, tree_digest

from rmtui.core import ops, yamlio
from rmtui.core.store import Program

PAIR = "asa-oberg--nguyen-van-duc"
PAIR_FILE = f"pairs/{PAIR}.yaml"
SESSION_FILE = f"sessions/{PAIR}/2027-02-03.yaml"
ASA = "participants/asa-oberg.yaml"
DUC = "participants/nguyen-van-duc.yaml"
JOOST = "participants/joost-van-der-meer.yaml"
LUCIA = "participants/lucia-d-angelo.yaml"

_TEMPLATE: dict[str, Path] = {}


def _build_people_program(root: Path) -> None:
    """What the ``people_program`` fixture builds (see conftest.py)."""
    ops.init_program(root, "Test program")
    prog = Program(root)
    add_people(prog)
    pair = ops.add(prog, "pair", {"mentor": "asa-oberg", "mentee": "nguyen-van-duc",
                                  "proposed": "2027-01-10"}).entity_id
    ops.edit(prog, "pair", pair, [ops.Assignment("status", "set", "active"),
                                  ops.Assignment("started", "set", "2027-01-20")])
    ops.log_session(prog, pair, date="2027-02-03", duration=60, rating_mentor=4,
                    rating_mentee=5, summary="Set up a Teams channel for the leadership team.")


@pytest.fixture
def prog(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
         monkeypatch: pytest.MonkeyPatch) -> Program:
    """A fresh copy of the people program (built once, in the hermetic environment)."""
    if "root" not in _TEMPLATE:
        root = tmp_path_factory.mktemp("people-template") / "prog"
        _build_people_program(root)
        _TEMPLATE["root"] = root
    target = tmp_path / "copy"
    shutil.copytree(_TEMPLATE["root"], target, symlinks=True,
                    ignore=shutil.ignore_patterns(".rmtui"))
    monkeypatch.chdir(target)  # text output shows paths relative to the program
    return Program(target)


# --------------------------------------------------------------------------
# Helpers: change one thing, then ask validate
# --------------------------------------------------------------------------


def write(prog: Program, rel: str, text: str) -> None:
    path = prog.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read(prog: Program, rel: str) -> dict:
    parsed = yamlio.parse((prog.root / rel).read_bytes(), rel)
    assert parsed.ok, parsed.diagnostics
    return parsed.data


def patch(prog: Program, rel: str, **changes) -> None:
    """Set fields of a file (``None`` removes one), as a hand edit would."""
    data = read(prog, rel)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    write(prog, rel, yamlio.dump(data))


def at(prog: Program, rel: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column just after the ``nth`` ``needle`` in a file."""
    text = (prog.root / rel).read_text(encoding="utf-8")
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    pos += len(needle)
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


def settings(prog: Program, table: str, **values) -> None:
    """Set ``[table]`` values in program.toml (``table`` may be dotted)."""
    path = prog.root / "program.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    node = data
    for part in table.split("."):
        node = node.setdefault(part, {})
    node.update(values)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def problems(prog: Program, rmtui) -> list[tuple]:
    """``(severity, rule, path, line, col)`` of every diagnostic, checking the exit code."""
    run = rmtui("-C", prog.root, "validate", "--format", "json")
    report = json.loads(run.out)
    found = [(d["severity"], d["rule"], d["path"], d["line"], d["col"])
             for d in report["diagnostics"]]
    assert run.code == (1 if report["errors"] else 0), run.out + run.err
    assert all(d["message"] and d["line"] for d in report["diagnostics"]), report
    return found


def err(rule: str, path: str, where: tuple[int, int]) -> tuple:
    return ("error", rule, path, *where)


def warn(rule: str, path: str, where: tuple[int, int]) -> tuple:
    return ("warning", rule, path, *where)


def assert_clean(prog: Program, rmtui) -> None:
    run = rmtui("-C", prog.root, "validate")
    assert (run.code, run.out, run.err) == (0, "", "")


def message(prog: Program, rmtui, rule: str) -> str:
    run = rmtui("-C", prog.root, "validate", "--format", "json")
    return "\n".join(d["message"] for d in json.loads(run.out)["diagnostics"] if d["rule"] == rule)


# --------------------------------------------------------------------------
# A clean program
# --------------------------------------------------------------------------


def test_clean_program_is_silent(people_program, prog, rmtui):
    before = tree_digest(people_program.root)
    assert_clean(people_program, rmtui)
    assert tree_digest(people_program.root) == before
    # the copy the other tests start from is the same program
    assert tree_digest(prog.root) == before
    assert_clean(prog, rmtui)
    # and it stays silent when read again through the cache
    assert_clean(prog, rmtui)


# --------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------


def test_pair_refers_to_a_missing_participant(prog, rmtui):
    patch(prog, PAIR_FILE, mentee="nobody")
    assert problems(prog, rmtui) == [err("unknown-ref", PAIR_FILE, at(prog, PAIR_FILE, "mentee: "))]
    assert "no participant 'nobody' (from 'mentee')" in message(prog, rmtui, "unknown-ref")


def test_goal_refers_to_a_missing_pair(prog, rmtui):
    rel = "goals/learn-prompting.yaml"
    write(prog, rel, "id: learn-prompting\nowner: nguyen-van-duc\npair: no-such-pair\n"
                     "title: Write good prompts\nmeasure: prompts a week\ntarget: 3\n"
                     "due: 2027-06-30\n")
    assert problems(prog, rmtui) == [err("unknown-ref", rel, (3, 7))]


def test_goal_owner_outside_its_pair(prog, rmtui):
    rel = "goals/learn-prompting.yaml"
    write(prog, rel, f"id: learn-prompting\nowner: lucia-d-angelo\npair: {PAIR}\n"
                     "title: Write good prompts\nmeasure: prompts a week\ntarget: 3\n"
                     "due: 2027-06-30\n")
    assert problems(prog, rmtui) == [err("goal-owner", rel, (2, 8))]


def test_session_in_the_folder_of_a_missing_pair(prog, rmtui):
    rel = "sessions/ghost-pair/2027-02-03.yaml"
    write(prog, rel, "pair: ghost-pair\ndate: 2027-02-03\nduration_minutes: 45\n")
    assert problems(prog, rmtui) == [err("unknown-ref", rel, (1, 7))]


def test_session_goal_and_agreement_goal_must_exist(prog, rmtui):
    patch(prog, SESSION_FILE, goals=["no-goal"])
    write(prog, f"agreements/{PAIR}.yaml", f"pair: {PAIR}\ngoals:\n  - other-goal\n")
    assert problems(prog, rmtui) == [
        err("unknown-ref", f"agreements/{PAIR}.yaml", (3, 5)),
        err("unknown-ref", SESSION_FILE, at(prog, SESSION_FILE, "- ")),
    ]


def test_response_to_a_missing_survey(prog, rmtui):
    rel = "responses/no-survey/nguyen-van-duc.yaml"
    write(prog, rel, "survey: no-survey\nparticipant: nguyen-van-duc\nstatus: sent\n")
    assert problems(prog, rmtui) == [err("unknown-ref", rel, (1, 9))]


def test_response_of_a_missing_participant(prog, rmtui):
    rel = "responses/baseline/nobody.yaml"
    write(prog, rel, "survey: baseline\nparticipant: nobody\nstatus: sent\n")
    assert problems(prog, rmtui) == [err("unknown-ref", rel, (2, 14))]


def test_participant_preference_and_exclusion_must_exist(prog, rmtui):
    patch(prog, LUCIA, preferences=["joost-van-der-meer", "ghost"], exclusions=["nobody"])
    assert problems(prog, rmtui) == [
        err("unknown-ref", LUCIA, at(prog, LUCIA, "  - ", 3)),  # ghost (after en, joost-...)
        err("unknown-ref", LUCIA, at(prog, LUCIA, "  - ", 4)),  # nobody
    ]


# --------------------------------------------------------------------------
# Ids and file names
# --------------------------------------------------------------------------


def test_duplicate_participant_id(prog, rmtui):
    twin = "participants/asa-oberg-2.yaml"
    shutil.copyfile(prog.root / ASA, prog.root / twin)
    assert problems(prog, rmtui) == [
        err("duplicate-id", twin, (1, 5)),  # (asa-oberg-2 sorts before asa-oberg.yaml)
        err("id-mismatch", twin, (1, 5)),
        err("duplicate-id", ASA, (1, 5)),
    ]


def test_duplicate_pair_id(prog, rmtui):
    twin = "pairs/copy-of-the-pair.yaml"
    shutil.copyfile(prog.root / PAIR_FILE, prog.root / twin)
    found = problems(prog, rmtui)
    assert err("duplicate-id", PAIR_FILE, (1, 5)) in found
    assert err("duplicate-id", twin, (1, 5)) in found
    assert err("id-mismatch", twin, (1, 5)) in found


def test_participant_id_against_file_name(prog, rmtui):
    patch(prog, LUCIA, id="lucia-dangelo")
    assert problems(prog, rmtui) == [err("id-mismatch", LUCIA, (1, 5))]


def test_agreement_pair_against_file_name(prog, rmtui):
    rel = f"agreements/{PAIR}.yaml"
    write(prog, rel, "pair: joost-van-der-meer--lucia-d-angelo\nfrequency: biweekly\n")
    assert problems(prog, rmtui) == [err("id-mismatch", rel, (1, 7))]


def test_session_pair_and_date_against_path(prog, rmtui):
    wrong_date = f"sessions/{PAIR}/2027-02-10.yaml"
    write(prog, wrong_date, f"pair: {PAIR}\ndate: 2027-02-11\n")
    wrong_pair = f"sessions/{PAIR}/2027-02-17.yaml"
    write(prog, wrong_pair, "pair: joost-van-der-meer--lucia-d-angelo\ndate: 2027-02-17\n")
    same_day = f"sessions/{PAIR}/2027-02-03-2.yaml"  # a second session that day is fine
    write(prog, same_day, f"pair: {PAIR}\ndate: 2027-02-03\n")
    assert problems(prog, rmtui) == [
        err("id-mismatch", wrong_date, (2, 7)),
        err("id-mismatch", wrong_pair, (1, 7)),
    ]


def test_response_survey_and_participant_against_path(prog, rmtui):
    rel = "responses/baseline/nguyen-van-duc.yaml"
    write(prog, rel, "survey: exit\nparticipant: lucia-d-angelo\nstatus: sent\n")
    assert problems(prog, rmtui) == [
        err("id-mismatch", rel, (1, 9)),
        err("id-mismatch", rel, (2, 14)),
    ]


def hints(prog: Program, rmtui, rule: str) -> dict[str, str]:
    run = rmtui("-C", prog.root, "validate", "--format", "json")
    return {d["path"]: d["hint"] for d in json.loads(run.out)["diagnostics"] if d["rule"] == rule}


def test_files_that_cannot_be_entities(prog, rmtui):
    session = f"pair: {PAIR}\ndate: 2027-02-10\n"
    write(prog, f"sessions/{PAIR}/2027-2-10.yaml", session)
    write(prog, f"sessions/{PAIR}/notes.yaml", session)
    write(prog, "sessions/Bad Pair/2027-02-10.yaml", session)
    write(prog, "sessions/2027-02-10.yaml", session)
    write(prog, "participants/README.md", "Participants go here.\n")
    assert problems(prog, rmtui) == [  # sorted by path
        warn("stray-file", "participants/README.md", (1, 1)),
        err("file-name", "sessions/2027-02-10.yaml", (1, 1)),
        err("file-name", "sessions/Bad Pair/2027-02-10.yaml", (1, 1)),
        err("file-name", f"sessions/{PAIR}/2027-2-10.yaml", (1, 1)),
        err("file-name", f"sessions/{PAIR}/notes.yaml", (1, 1)),
    ]
    said = hints(prog, rmtui, "file-name")
    assert "sessions/<pair>/<date>.yaml" in message(prog, rmtui, "file-name")
    assert said[f"sessions/{PAIR}/2027-2-10.yaml"].endswith("rename it to 2027-02-10.yaml")
    assert "YYYY-MM-DD.yaml" in said[f"sessions/{PAIR}/notes.yaml"]
    assert "rename the folder, e.g. to bad-pair" in said["sessions/Bad Pair/2027-02-10.yaml"]


# --------------------------------------------------------------------------
# Pairs: roles, dates, status
# --------------------------------------------------------------------------


def test_mentor_whose_role_is_mentee(prog, rmtui):
    patch(prog, ASA, role="mentee")
    assert problems(prog, rmtui) == [err("rule-roles", PAIR_FILE, at(prog, PAIR_FILE, "mentor: "))]
    assert "asa-oberg has role 'mentee', not 'mentor'" in message(prog, rmtui, "rule-roles")


def test_mentee_whose_role_is_mentor(prog, rmtui):
    patch(prog, DUC, role="mentor")
    assert problems(prog, rmtui) == [err("rule-roles", PAIR_FILE, at(prog, PAIR_FILE, "mentee: "))]


def test_roles_rule_switched_off(prog, rmtui):
    patch(prog, ASA, role="mentee")
    settings(prog, "rules.roles", enabled=False)
    assert_clean(prog, rmtui)


def test_nobody_mentors_themselves(prog, rmtui):
    patch(prog, PAIR_FILE, mentee="asa-oberg")
    found = problems(prog, rmtui)
    assert err("rule-roles", PAIR_FILE, at(prog, PAIR_FILE, "mentee: ")) in found


def test_started_before_proposed(prog, rmtui):
    patch(prog, PAIR_FILE, proposed="2027-01-25")
    assert problems(prog, rmtui) == [err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "started: "))]


def test_ended_before_started(prog, rmtui):
    patch(prog, PAIR_FILE, status="completed", ended="2027-01-15")
    assert problems(prog, rmtui) == [
        err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "ended: ")),
        err("session-date", SESSION_FILE, (2, 7)),  # and the session is now after the end
    ]


def test_accepted_before_proposed(prog, rmtui):
    patch(prog, PAIR_FILE, accepted={"mentor": "2027-01-12", "mentee": "2027-01-05"})
    assert problems(prog, rmtui) == [
        err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "mentee: ", 2))]


def test_pause_that_ends_before_it_starts(prog, rmtui):
    patch(prog, PAIR_FILE, pauses=[{"from": "2027-02-10", "to": "2027-02-05"}])
    assert problems(prog, rmtui) == [err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "to: "))]


def test_pause_before_the_pair_started(prog, rmtui):
    patch(prog, PAIR_FILE, pauses=[{"from": "2027-01-15", "to": "2027-01-25"}])
    assert problems(prog, rmtui) == [err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "from: "))]


def test_pause_after_the_pair_ended(prog, rmtui):
    patch(prog, PAIR_FILE, status="completed", ended="2027-02-20",
          pauses=[{"from": "2027-02-25"}])
    assert problems(prog, rmtui) == [err("date-order", PAIR_FILE, at(prog, PAIR_FILE, "from: "))]


def test_active_pair_without_started_date(prog, rmtui):
    patch(prog, PAIR_FILE, started=None)
    assert problems(prog, rmtui) == [
        err("pair-status", PAIR_FILE, at(prog, PAIR_FILE, "status: ")),
        err("session-date", SESSION_FILE, (2, 7)),  # a session of a pair that never started
    ]


def test_completed_pair_without_ended_date(prog, rmtui):
    patch(prog, PAIR_FILE, status="completed")
    assert problems(prog, rmtui) == [err("pair-status", PAIR_FILE, at(prog, PAIR_FILE, "status: "))]


def test_proposed_pair_with_started_date(prog, rmtui):
    patch(prog, PAIR_FILE, status="proposed")
    assert problems(prog, rmtui) == [err("pair-status", PAIR_FILE, at(prog, PAIR_FILE, "status: "))]


def test_open_pair_with_ended_date(prog, rmtui):
    patch(prog, PAIR_FILE, ended="2027-02-20")
    assert problems(prog, rmtui) == [err("pair-status", PAIR_FILE, at(prog, PAIR_FILE, "status: "))]


# --------------------------------------------------------------------------
# Sessions against their pair
# --------------------------------------------------------------------------


def test_session_before_its_pair_started(prog, rmtui):
    rel = f"sessions/{PAIR}/2027-01-15.yaml"
    write(prog, rel, f"pair: {PAIR}\ndate: 2027-01-15\nduration_minutes: 30\n")
    assert problems(prog, rmtui) == [err("session-date", rel, (2, 7))]
    assert "before its pair started (2027-01-20)" in message(prog, rmtui, "session-date")


def test_session_after_its_pair_ended(prog, rmtui):
    patch(prog, PAIR_FILE, status="completed", ended="2027-02-20")
    rel = f"sessions/{PAIR}/2027-02-25.yaml"
    write(prog, rel, f"pair: {PAIR}\ndate: 2027-02-25\n")
    assert problems(prog, rmtui) == [err("session-date", rel, (2, 7))]
    # a cancelled session on that day is not a problem
    patch(prog, rel, status="cancelled")
    assert_clean(prog, rmtui)


def test_held_session_in_the_future_is_a_warning(prog, rmtui):
    rel = f"sessions/{PAIR}/2027-03-10.yaml"
    write(prog, rel, f"pair: {PAIR}\ndate: 2027-03-10\n")
    assert problems(prog, rmtui) == [warn("session-date", rel, (2, 7))]
    run = rmtui("-C", prog.root, "validate", "--strict")
    assert run.code == 1


# --------------------------------------------------------------------------
# Hard pairing rules: broken by the open pair, then switched off
# --------------------------------------------------------------------------


def add_pair(prog: Program, mentor: str, mentee: str, status: str = "active",
             started: str | None = "2027-02-01", **more) -> str:
    pid = f"{mentor}--{mentee}"
    data = {"id": pid, "mentor": mentor, "mentee": mentee, "status": status,
            "proposed": "2027-01-25"}
    if started:
        data["started"] = started
    data.update(more)
    write(prog, f"pairs/{pid}.yaml", yamlio.dump(data))
    return f"pairs/{pid}.yaml"


def test_capacity_exceeded(prog, rmtui):
    second = add_pair(prog, "asa-oberg", "lucia-d-angelo")
    assert problems(prog, rmtui) == [err("rule-capacity", second, at(prog, second, "mentor: "))]
    assert "asa-oberg mentors 2 pairs but has capacity 1" in message(prog, rmtui, "rule-capacity")


def test_capacity_counts_committed_pairs_only(prog, rmtui):
    add_pair(prog, "asa-oberg", "lucia-d-angelo", status="proposed", started=None)
    assert_clean(prog, rmtui)


def test_capacity_of_two(prog, rmtui):
    add_pair(prog, "joost-van-der-meer", "lucia-d-angelo")
    add_pair(prog, "joost-van-der-meer", "nguyen-van-duc", started="2027-02-02")
    found = problems(prog, rmtui)
    assert [f for f in found if f[1] == "rule-capacity"] == []
    write(prog, LUCIA.replace("lucia-d-angelo", "maria-silva"),
          yamlio.dump({**read(prog, LUCIA), "id": "maria-silva", "employee_id": "E202"}))
    third = add_pair(prog, "joost-van-der-meer", "maria-silva", started="2027-02-03")
    found = problems(prog, rmtui)
    assert [f for f in found if f[1] == "rule-capacity"] == [
        err("rule-capacity", third, at(prog, third, "mentor: "))]


def test_capacity_rule_switched_off(prog, rmtui):
    add_pair(prog, "asa-oberg", "lucia-d-angelo")
    settings(prog, "rules.capacity", enabled=False)
    assert_clean(prog, rmtui)


MENTOR_FIELD, MENTEE_FIELD = "mentor: ", "mentee: "

# rule, what breaks it, the pair field it points at, program.toml that allows it again
RULE_CASES = [
    ("grade", {ASA: {"grade": 7}}, MENTOR_FIELD, {"enabled": False}),
    ("grade", {ASA: {"grade": 3}}, MENTOR_FIELD, {"min_gap": 4}),  # 3 + 1 <= 7, but min_gap 5
    ("reporting_line", {DUC: {"manager_id": "E100"}}, MENTOR_FIELD, {"enabled": False}),
    ("reporting_line", {ASA: {"manager_id": "E200"}}, MENTEE_FIELD, {"enabled": False}),
    ("reporting_line", {ASA: {"manager_id": "E101"}, JOOST: {"manager_id": "E200"}},
     MENTEE_FIELD, {"depth": 1}),
    ("reporting_line", {DUC: {"manager_id": "E101"}, JOOST: {"manager_id": "E100"}},
     MENTOR_FIELD, {"depth": 1}),
    ("reporting_line", {ASA: {"manager_id": "E999"}}, MENTEE_FIELD, {"same_manager": False}),
    ("department", {ASA: {"department": " sales"}}, MENTEE_FIELD, {"enabled": False}),
    ("language", {ASA: {"languages": ["sv", "vi"]}, DUC: {"languages": ["en", "fr"]}},
     MENTEE_FIELD, {"enabled": False}),
    ("timezone", {ASA: {"timezone": "America/Los_Angeles"}}, MENTEE_FIELD, {"max_gap_hours": 9}),
    ("timezone", {DUC: {"timezone": "Asia/Tokyo"}}, MENTEE_FIELD, {"enabled": False}),
    ("exclusions", {ASA: {"exclusions": ["nguyen-van-duc"]}}, MENTOR_FIELD, {"enabled": False}),
    ("exclusions", {DUC: {"exclusions": ["asa-oberg"]}}, MENTEE_FIELD, {"enabled": False}),
    ("status", {ASA: {"status": "withdrawn"}}, MENTOR_FIELD,
     {"eligible": ["accepted", "active", "withdrawn"]}),
    ("status", {DUC: {"status": "applied"}}, MENTEE_FIELD, {"enabled": False}),
    ("training", {ASA: {"training_completed": "2027-01-25"}}, MENTOR_FIELD, {"enabled": False}),
    ("training", {DUC: {"training_completed": None}}, MENTEE_FIELD, {"enabled": False}),
]


@pytest.mark.parametrize(("rule", "changes", "field", "allow"), RULE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(RULE_CASES)])
def test_hard_rule_broken_by_an_open_pair(prog, rmtui, rule, changes, field, allow):
    if allow == {"min_gap": 4}:
        settings(prog, "rules.grade", min_gap=5)
    for rel, values in changes.items():
        patch(prog, rel, **values)
    rule_name = "rule-" + rule.replace("_", "-")
    assert problems(prog, rmtui) == [err(rule_name, PAIR_FILE, at(prog, PAIR_FILE, field))]
    run = rmtui("-C", prog.root, "validate")
    assert f"[rules.{rule}]" in run.out  # the hint names the switch
    # the same pair passes when program.toml allows it
    settings(prog, f"rules.{rule}", **allow)
    assert_clean(prog, rmtui)


def test_reporting_line_depth_counts_levels(prog, rmtui):
    # asa -> joost (E101) -> lucia (E201) -> nguyen (E200): the mentee is 3 levels up
    patch(prog, ASA, manager_id="E101")
    patch(prog, JOOST, manager_id="E201")
    patch(prog, LUCIA, manager_id="E200")
    assert problems(prog, rmtui) == [
        err("rule-reporting-line", PAIR_FILE, at(prog, PAIR_FILE, MENTEE_FIELD))]
    assert "manager 3 levels up" in message(prog, rmtui, "rule-reporting-line")
    settings(prog, "rules.reporting_line", depth=2)
    assert_clean(prog, rmtui)


def test_repeat_of_a_past_pair(prog, rmtui):
    old = "pairs/asa-oberg--nguyen-van-duc-2026.yaml"
    write(prog, old, yamlio.dump({
        "id": "asa-oberg--nguyen-van-duc-2026", "mentor": "asa-oberg",
        "mentee": "nguyen-van-duc", "status": "completed", "proposed": "2026-01-10",
        "started": "2026-02-01", "ended": "2026-06-30"}))
    assert problems(prog, rmtui) == [err("rule-repeat", PAIR_FILE, at(prog, PAIR_FILE, "mentee: "))]
    assert "already paired as asa-oberg--nguyen-van-duc-2026" in message(prog, rmtui, "rule-repeat")
    settings(prog, "rules.repeat", enabled=False)
    assert_clean(prog, rmtui)


def test_closed_pairs_are_not_held_to_todays_rules(prog, rmtui):
    """People change after a pair ends: a completed pair is not checked against the rules."""
    patch(prog, PAIR_FILE, status="completed", ended="2027-02-20")
    patch(prog, ASA, department="Sales", grade=9)
    assert_clean(prog, rmtui)


def test_rules_apply_to_proposed_pairs(prog, rmtui):
    second = add_pair(prog, "joost-van-der-meer", "lucia-d-angelo", status="proposed",
                      started=None)
    patch(prog, JOOST, department="Finance")
    assert problems(prog, rmtui) == [err("rule-department", second, at(prog, second, "mentee: "))]


# --------------------------------------------------------------------------
# Participants across files
# --------------------------------------------------------------------------


def test_duplicate_employee_id(prog, rmtui):
    patch(prog, JOOST, employee_id="E100")
    assert problems(prog, rmtui) == [
        err("duplicate-employee-id", ASA, at(prog, ASA, "employee_id: ")),
        err("duplicate-employee-id", JOOST, at(prog, JOOST, "employee_id: ")),
    ]


def test_duplicate_email_is_a_warning(prog, rmtui):
    patch(prog, ASA, email="asa@example.com")
    patch(prog, LUCIA, email="Asa@Example.com")
    assert problems(prog, rmtui) == [
        warn("duplicate-email", ASA, at(prog, ASA, "email: ")),
        warn("duplicate-email", LUCIA, at(prog, LUCIA, "email: ")),
    ]


def test_unknown_time_zone(prog, rmtui):
    patch(prog, LUCIA, timezone="Europe/Atlantis")
    assert problems(prog, rmtui) == [err("timezone", LUCIA, at(prog, LUCIA, "timezone: "))]


def test_own_manager(prog, rmtui):
    patch(prog, LUCIA, manager_id="E201")
    assert problems(prog, rmtui) == [err("reporting-line", LUCIA, at(prog, LUCIA, "manager_id: "))]


# --------------------------------------------------------------------------
# Survey responses
# --------------------------------------------------------------------------

BASELINE = "responses/baseline/nguyen-van-duc.yaml"
GOOD_ANSWERS = {"confidence-tools": 2, "confidence-social": 3, "confidence-data": 2,
                "confidence-ways-of-working": 4, "hopes": "Use AI tools with my team."}


def response(prog: Program, rel: str = BASELINE, **answers) -> None:
    survey, person = rel.removeprefix("responses/").removesuffix(".yaml").split("/")
    write(prog, rel, yamlio.dump({"survey": survey, "participant": person, "status": "submitted",
                                  "submitted": "2027-01-18", "answers": answers}))


def test_complete_response_is_clean(prog, rmtui):
    response(prog, **GOOD_ANSWERS)
    response(prog, "responses/exit/asa-oberg.yaml", nps=9, learned=5,
             relationship="Good for the program")
    assert_clean(prog, rmtui)


@pytest.mark.parametrize(("question", "value"), [
    ("confidence-tools", 6), ("confidence-tools", 0), ("confidence-tools", "three"),
])
def test_likert_answer_out_of_range(prog, rmtui, question, value):
    response(prog, **{**GOOD_ANSWERS, question: value})
    assert problems(prog, rmtui) == [
        err("response-answer", BASELINE, at(prog, BASELINE, f"{question}: "))]


def test_nps_and_choice_answers(prog, rmtui):
    rel = "responses/exit/asa-oberg.yaml"
    response(prog, rel, nps=11, learned=5, relationship="Meh")
    assert problems(prog, rmtui) == [
        err("response-answer", rel, at(prog, rel, "nps: ")),
        err("response-answer", rel, at(prog, rel, "relationship: ")),
    ]


def test_answer_to_an_unknown_question(prog, rmtui):
    response(prog, **GOOD_ANSWERS, **{"confidence-tool": 3})
    assert problems(prog, rmtui) == [
        err("response-answer", BASELINE, at(prog, BASELINE, "confidence-tool: "))]
    assert "has no question 'confidence-tool'" in message(prog, rmtui, "response-answer")


def test_required_question_not_answered(prog, rmtui):
    answers = {k: v for k, v in GOOD_ANSWERS.items() if k != "confidence-data"}
    response(prog, **answers)
    assert problems(prog, rmtui) == [
        err("response-answer", BASELINE, at(prog, BASELINE, "answers:\n  "))]  # the answers
    assert "'confidence-data' is not answered" in message(prog, rmtui, "response-answer")


# --------------------------------------------------------------------------
# program.toml
# --------------------------------------------------------------------------


def toml_replace(prog: Program, old: str, new: str) -> int:
    """Replace one line's text in program.toml; the 1-based line number."""
    path = prog.root / "program.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_toml_syntax_error_is_located(prog, rmtui):
    line = toml_replace(prog, "min_gap = 1 ", "min_gap = one ")
    assert problems(prog, rmtui) == [err("toml-syntax", "program.toml", (line, 11))]
    run = rmtui("-C", prog.root, "validate")
    assert run.out.startswith(f"program.toml:{line}:11: error[toml-syntax]: Invalid value\n")
    assert "  hint: " in run.out


def test_toml_wrong_type_is_located(prog, rmtui):
    line = toml_replace(prog, "min_gap = 1 ", 'min_gap = "one" ')
    assert problems(prog, rmtui) == [err("settings", "program.toml", (line, 1))]
    assert "'rules.grade.min_gap' must be a whole number, not text" in \
        message(prog, rmtui, "settings")


def test_toml_value_out_of_range_is_located(prog, rmtui):
    line = toml_replace(prog, "depth = 3 ", "depth = 0 ")
    assert problems(prog, rmtui) == [err("settings", "program.toml", (line, 1))]


def test_toml_unknown_key_is_located(prog, rmtui):
    line = toml_replace(prog, "min_gap = 1 ", "min_gapp = 1 ")
    assert problems(prog, rmtui) == [err("settings", "program.toml", (line, 1))]
    run = rmtui("-C", prog.root, "validate")
    assert "did you mean 'min_gap'?" in run.out


def test_toml_unknown_table_is_located(prog, rmtui):
    path = prog.root / "program.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n[rulez]\nenabled = true\n", encoding="utf-8")
    line = text.count("\n") + 2
    assert problems(prog, rmtui) == [err("settings", "program.toml", (line, 1))]
    assert "unknown field 'rulez'" in message(prog, rmtui, "settings")


def test_toml_unknown_rule_table_is_located(prog, rmtui):
    line = toml_replace(prog, "[rules.department]", "[rules.departments]")
    assert problems(prog, rmtui) == [err("settings", "program.toml", (line, 1))]
    assert "did you mean 'department'" in rmtui("-C", prog.root, "validate").out


def test_toml_missing_required_field_is_located(prog, rmtui):
    line = toml_replace(prog, "[program]\nname = ", "[program]\nnome = ") + 1
    found = problems(prog, rmtui)
    assert err("settings", "program.toml", (line, 1)) in found  # unknown 'nome'
    missing = [f for f in found if f != err("settings", "program.toml", (line, 1))]
    assert missing == [err("settings", "program.toml", (line - 1, 1))]  # at [program]


def test_invalid_settings_still_report_the_files(prog, rmtui):
    toml_replace(prog, "min_gap = 1 ", "min_gap = one ")
    patch(prog, PAIR_FILE, mentee="nobody")
    rules = {f[1] for f in problems(prog, rmtui)}
    assert rules == {"toml-syntax", "unknown-ref"}


def test_toml_with_a_byte_order_mark(prog, rmtui):
    path = prog.root / "program.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems(prog, rmtui) == [err("toml-bom", "program.toml", (1, 1))]


# --------------------------------------------------------------------------
# Scale
# --------------------------------------------------------------------------


def test_pairing_rules_are_built_once_per_run(prog, monkeypatch):
    """Every open pair asks for the pairing rules; building them again for each pair
    made validate quadratic (a 2,000-person program took 40 s instead of 1 s)."""
    from rmtui.core import ruledata
    from rmtui.core import validate as validate_mod

    add_pair(prog, "joost-van-der-meer", "lucia-d-angelo")
    built = []

    class Counting(ruledata.PairRules):
        def __init__(self, *args, **kwargs) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ruledata, "PairRules", Counting)
    monkeypatch.setattr(validate_mod, "PairRules", Counting)
    report = validate_mod.validate(Program(prog.root))
    assert report.ok and report.diagnostics == []
    assert len(built) == 1

