"""Every KPI against answers worked out by hand from the DESIGN.md definitions.

The program is described in `kpi_program.py`; the arithmetic for each KPI on each
day is written out below. A month in a rate is 365.25 / 12 = 30.4375 days.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from helpers import commit_count, porcelain, tree_digest
from kpi_program import P1, P2, P4, P6, TODAY, build, feb_commit

from rmtui.core import kpi
from rmtui.core.store import Program

A, B, D, C = "2027-01-31", "2027-02-28", "2027-04-15", "2027-05-31"
M = 30.4375

# name: (value, n, reason); value None means n/a
EXPECTED: dict[str, dict[str, tuple]] = {
    A: {
        # mentees accepted/active: greta hugo ines jonas karin lars maja = 7 (nils applied);
        # P1-P5 active on 01-31 (P5 ends 02-08), P6 not proposed yet -> 5 matched
        "match_rate": (5 / 7, 7, None),
        # P1-P5 active, each met within 45 days (last: 01-25, 01-20, 01-25, 01-14, 01-25)
        "engagement_rate": (1.0, 5, None),
        "retention_rate": (None, 0, "no pair started 90 days or more before 2027-01-31"),
        # 20 days since 01-11: P1 2/(20/7)=0.7, P2 1/(20/14)=0.7, P3 0.7,
        # P4 1/(20/30.4375) capped 1, P5 (13 days, program biweekly) 1/(13/14) capped 1
        "cadence_adherence": ((0.7 + 0.7 + 0.7 + 1 + 1) / 5, 5, None),
        # 6 sessions over 20+20+20+20+13 = 93 active days
        "sessions_per_pair_month": (6 / (93 / M), 5, None),
        # 2x60 + 30 + 60 + 90 + 60 = 360 minutes
        "mentoring_hours": (6.0, 6, None),
        "goal_completion_rate": (None, 0, "no goals due on or before 2027-01-31"),
        # mentor 4+4+3+5+4+2 = 22 / 6; mentee 5+5+3+5+4+3 = 25 / 6
        "satisfaction_mentor": (22 / 6, 6, None),
        "satisfaction_mentee": (25 / 6, 6, None),
        "nps": (None, 0, "no exit survey responses yet"),
        "confidence_delta": (None, 0, "no final survey responses yet"),
        # greta hugo ines jonas karin met; lars, maja not
        "leader_participation": (5 / 7, 7, None),
        # the 10 people of P1-P5; dev trained 01-20, after P4 started on 01-11
        "training_completion": (9 / 10, 10, None),
        # of those 10, eva left the company
        "participant_retention": (9 / 10, 10, None),
        # days since the last session: 6, 11, 6, 17, 6
        "at_risk_pairs": (0.0, 5, None),
    },
    B: {
        # P3 paused (not counted), P5 ended, P6 accepted on 02-20: greta hugo jonas lars
        "match_rate": (4 / 7, 7, None),
        # P1 (6 days), P2 (39 days, within 45), P4 (17 days)
        "engagement_rate": (1.0, 3, None),
        "retention_rate": (None, 0, "no pair started 90 days or more before 2027-02-28"),
        # 48 days: P1 6/(48/7)=0.875, P2 1/(48/14)=7/24, P4 2/(48/30.4375) capped 1
        "cadence_adherence": ((0.875 + 7 / 24 + 1) / 3, 3, None),
        # 12 sessions over 48 + 48 + (48-13 paused) + 48 + 21 = 200 days
        "sessions_per_pair_month": (12 / (200 / M), 5, None),
        "mentoring_hours": (12.5, 12, None),
        # run-a-teams-meeting due 02-28, done 02-20
        "goal_completion_rate": (1.0, 1, None),
        # mentor 24+3+10+8+2 = 47, mentee 30+3+9+8+3 = 53, over 12
        "satisfaction_mentor": (47 / 12, 12, None),
        "satisfaction_mentee": (53 / 12, 12, None),
        # karin 3: one detractor
        "nps": (-100.0, 1, None),
        "confidence_delta": (None, 0, "no final survey responses yet"),
        "leader_participation": (5 / 7, 7, None),
        "training_completion": (9 / 10, 10, None),
        "participant_retention": (9 / 10, 10, None),
        # P2: 39 days since 01-20
        "at_risk_pairs": (1.0, 3, None),
    },
    C: {
        # P1, P2 active, P4 completed, P6 active: greta hugo jonas lars
        "match_rate": (4 / 7, 7, None),
        # P1 (7 days), P6 (12 days) engaged; P2 131 days
        "engagement_rate": (2 / 3, 3, None),
        # started on or before 03-02: P1-P5; P5 ended
        "retention_rate": (4 / 5, 5, None),
        # P1 10/(140/7) = 0.5, P2 1/(140/14) = 0.1, P6 4/(56/14) = 1
        "cadence_adherence": ((0.5 + 0.1 + 1) / 3, 3, None),
        # 22 sessions over 140 + 140 + 35 + 109 + 21 + 56 = 501 days
        "sessions_per_pair_month": (22 / (501 / M), 6, None),
        # 600 + 30 + 120 + 360 + 60 + 225 = 1395 minutes
        "mentoring_hours": (23.25, 22, None),
        # due by 05-31: teams (done), document (open), dashboard (done), ai (dropped),
        # kanban (done 05-20); linkedin is due 06-30, tiktok has no due date
        "goal_completion_rate": (3 / 5, 5, None),
        # mentor 40+3+10+15+2+14 = 84, mentee 50+3+9+17+3+15 = 97, over 21 rated sessions
        "satisfaction_mentor": (4.0, 21, None),
        "satisfaction_mentee": (97 / 21, 21, None),
        # 3 (detractor), 9, 10 (promoters), 7: (2 - 1) / 4
        "nps": (25.0, 4, None),
        # greta 3.75 - 2.5 = 1.25, jonas 3.0 - 2.0 = 1.0; hugo has no final, ada is a mentor
        "confidence_delta": (1.125, 2, None),
        "leader_participation": (6 / 7, 7, None),
        # + finn and lars, trained 02-10, before P6 started on 04-05
        "training_completion": (11 / 12, 12, None),
        "participant_retention": (11 / 12, 12, None),
        "at_risk_pairs": (1.0, 3, None),
    },
}
# retention on 04-15: started on or before 01-15 are P1-P4 (not P5, 01-18); P4 only
# completes on 04-30, P3 is paused: all four kept
EXPECTED_D_RETENTION = (1.0, 4, None)

MET_ON_C = {
    "match_rate": False, "engagement_rate": False, "retention_rate": False,
    "cadence_adherence": False, "sessions_per_pair_month": False, "mentoring_hours": None,
    "goal_completion_rate": False, "satisfaction_mentor": True, "satisfaction_mentee": True,
    "nps": False, "confidence_delta": True, "leader_participation": False,
    "training_completion": False, "participant_retention": True, "at_risk_pairs": False,
}

_BUILT: dict[str, Path] = {}


@pytest.fixture
def prog(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Program:
    """The KPI program (built once, copied for each test), today 2027-05-31."""
    if "root" not in _BUILT:
        _BUILT["root"] = build(tmp_path_factory.mktemp("kpi") / "prog").root
    shutil.copytree(_BUILT["root"], tmp_path / "prog", symlinks=True)
    monkeypatch.setenv("RMTUI_TODAY", TODAY)
    return Program(tmp_path / "prog")


def _check(values: dict[str, kpi.KpiValue], expected: dict[str, tuple]) -> None:
    for name, (value, n, reason) in expected.items():
        got = values[name]
        assert (got.n, got.reason) == (n, reason), name
        if value is None:
            assert got.value is None and got.met is None, name
        else:
            assert got.value == pytest.approx(value, abs=1e-9), name


@pytest.mark.parametrize("day", [A, B, C])
def test_every_kpi_matches_the_hand_computed_answer(prog, day) -> None:
    values = kpi.compute(prog, day)
    assert list(values) == list(EXPECTED[day]) == list(kpi.NAMES)
    _check(values, EXPECTED[day])


def test_as_of_reads_each_pair_s_status_from_its_dates(prog) -> None:
    values = kpi.compute(prog, D)
    _check(values, {"retention_rate": EXPECTED_D_RETENTION})


def test_targets_and_met(prog) -> None:
    values = kpi.compute(prog, C)
    assert {k: v.met for k, v in values.items()} == MET_ON_C
    assert values["satisfaction_mentor"].met is True  # exactly 4.0 meets a target of 4.0
    assert values["at_risk_pairs"].target == 0 and values["at_risk_pairs"].lower_is_better
    assert values["mentoring_hours"].target is None
    toml = prog.root / "program.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("# mentoring_hours = 500",
                                                             "mentoring_hours = 20"))
    hours = kpi.compute(Program(prog.root), C)["mentoring_hours"]
    assert (hours.target, hours.met, hours.status) == (20.0, True, "met")


def test_today_is_the_default_as_of(prog) -> None:
    assert kpi.compute(prog) == kpi.compute(prog, C)


def test_the_table_a_person_reads(prog, rmtui, snapshot) -> None:
    run = rmtui("-C", prog.root, "kpi", "--format", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    early = rmtui("-C", prog.root, "kpi", "--as-of", A, "--format", "table")
    assert early.out == snapshot
    assert "no final survey responses yet" in early.out


def test_json_is_keyed_by_kpi_with_value_target_met_n(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "kpi", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert list(data) == list(kpi.NAMES)
    for name, (value, n, _) in EXPECTED[C].items():
        assert set(data[name]) == {"value", "target", "met", "n"}
        assert data[name]["value"] == pytest.approx(value, abs=1e-6)
        assert data[name]["n"] == n
        assert data[name]["met"] == MET_ON_C[name]
    assert data["match_rate"] == {"value": 0.571429, "target": 0.9, "met": False, "n": 7}
    assert data["nps"] == {"value": 25, "target": 30, "met": False, "n": 4}


def test_n_a_says_why_and_is_never_zero(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "kpi", "--as-of", A, "--format", "json")
    data = json.loads(run.out)
    assert data["confidence_delta"] == {"value": None, "target": 0.5, "met": None, "n": 0,
                                        "reason": "no final survey responses yet"}
    assert data["nps"]["reason"] == "no exit survey responses yet"
    csv = rmtui("-C", prog.root, "kpi", "--as-of", A, "--format", "csv")
    row = next(line for line in csv.out.splitlines() if line.startswith("nps,"))
    assert row == "nps,,30,n/a,0,no exit survey responses yet"


def test_an_empty_program_is_all_n_a(program, rmtui) -> None:
    run = rmtui("-C", program.root, "kpi", "--format", "json")
    data = json.loads(run.out)
    assert all(v["value"] is None and v["reason"] for v in data.values())


def test_a_broken_file_is_left_out_and_said_so(prog, rmtui) -> None:
    (prog.root / "sessions" / P2 / "2027-01-20.yaml").write_text("pair: [\n")
    run = rmtui("-C", prog.root, "kpi", "--format", "json")
    assert run.code == 0
    assert "1 file(s) could not be read or are invalid" in run.err
    assert json.loads(run.out)["mentoring_hours"]["n"] == 21


# --------------------------------------------------------------------------
# The program as it was at a commit, and over time
# --------------------------------------------------------------------------


def test_at_an_older_commit_without_touching_the_working_tree(prog, rmtui) -> None:
    root = prog.root
    before, commits, status = tree_digest(root), commit_count(root), porcelain(root)
    sha = feb_commit(root)
    run = rmtui("-C", root, "kpi", "--at", sha[:10], "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    # as of the commit's day (2027-02-28), from the files as they were then
    for name, (value, n, _) in EXPECTED[B].items():
        assert data[name]["n"] == n, name
        assert data[name]["value"] == (pytest.approx(value, abs=1e-6) if value is not None
                                       else None), name
    # the files then knew nothing of March: as of 05-31, P6 is still only accepted
    later = kpi.compute(prog, C, at=sha)
    assert later["match_rate"].value == pytest.approx(4 / 7)
    assert later["leader_participation"].value == pytest.approx(5 / 7)
    assert later["nps"].n == 1
    assert tree_digest(root) == before
    assert commit_count(root) == commits
    assert porcelain(root) == status


def test_at_a_commit_that_does_not_exist(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "kpi", "--at", "no-such-commit")
    assert run.code == 2
    assert "no commit 'no-such-commit'" in run.err
    run = rmtui("-C", prog.root, "kpi", "--at", "--upload-pack=touch x")
    assert run.code == 2


def test_at_head_equals_the_working_tree(prog) -> None:
    assert kpi.compute(prog, C, at="HEAD") == kpi.compute(prog, C)


def test_trend_walks_the_history(prog, rmtui, snapshot) -> None:
    points = kpi.trend_points(prog, "month", until=dt.date(2027, 5, 31))
    assert [p.date.isoformat() for p in points] == [
        "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    # January: only the empty program existed; February: the fixture commit, as of 02-28
    assert all(v.value is None for v in points[0].kpis.values())
    _check(points[1].kpis, EXPECTED[B])
    _check(points[-1].kpis, EXPECTED[C])
    assert points[1].commit == feb_commit(prog.root)
    run = rmtui("-C", prog.root, "kpi", "trend", "--format", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert "▁" in run.out and "█" in run.out


def test_trend_from_the_dates_of_the_current_files(prog, rmtui, snapshot) -> None:
    points = kpi.trend(prog, "month", until=dt.date(2027, 5, 31), source="dates")
    assert points[0][0] == dt.date(2027, 1, 31)  # program.start is 2027-01-04
    _check(points[0][1], EXPECTED[A])
    _check(points[1][1], EXPECTED[B])
    _check(points[-1][1], EXPECTED[C])
    run = rmtui("-C", prog.root, "kpi", "trend", "--source", "dates", "--format", "json")
    data = json.loads(run.out)
    assert [p["date"] for p in data] == ["2027-01-31", "2027-02-28", "2027-03-31",
                                         "2027-04-30", "2027-05-31"]
    assert data[0]["kpis"]["match_rate"]["n"] == 7
    tsv = rmtui("-C", prog.root, "kpi", "trend", "--source", "dates", "--every", "quarter",
                "--format", "tsv")
    assert tsv.out == snapshot


def test_sparkline() -> None:
    assert kpi.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert kpi.sparkline([None, 1.0, 1.0]) == "·▄▄"
    assert kpi.sparkline([]) == ""


# --------------------------------------------------------------------------
# By group
# --------------------------------------------------------------------------


def test_by_department_hides_the_group_of_four(prog, rmtui, snapshot) -> None:
    grouped = kpi.compute_by(prog, "department", C)
    assert list(grouped.groups) == ["IT", "Sales"]
    assert grouped.sizes == {"IT": 5, "Sales": 5}
    assert grouped.hidden == ["Finance"]  # eva, finn, maja, nils
    it, sales = grouped.groups["IT"], grouped.groups["Sales"]
    # IT's only mentee is lars (P6 active); Sales: greta hugo jonas of five
    assert (it["match_rate"].value, it["match_rate"].n) == (1.0, 1)
    assert (sales["match_rate"].value, sales["match_rate"].n) == (0.6, 5)
    # NPS from IT people: dev 10; from Sales: karin 3, jonas 9, greta 7
    assert (it["nps"].value, it["nps"].n) == (100.0, 1)
    assert (sales["nps"].value, sales["nps"].n) == (0.0, 3)
    # Sales' active pairs P1 (engaged) and P2 (not)
    assert (sales["engagement_rate"].value, sales["engagement_rate"].n) == (0.5, 2)
    assert it["confidence_delta"].reason == "no baseline survey responses yet"
    assert grouped.overall == kpi.compute(prog, C)
    run = rmtui("-C", prog.root, "kpi", "--by", "department", "--format", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert "Finance" not in run.out.split("\n\n")[0]
    assert run.out.rstrip().endswith("1 group with fewer than 5 people hidden: Finance")
    data = json.loads(rmtui("-C", prog.root, "kpi", "--by", "department", "-f", "json").out)
    assert data["hidden"] == ["Finance"] and list(data["groups"]) == ["IT", "Sales"]
    assert data["groups"]["Sales"]["kpis"]["match_rate"] == {
        "value": 0.6, "target": 0.9, "met": False, "n": 5}


def test_by_role_and_by_a_missing_field(prog) -> None:
    grouped = kpi.compute_by(prog, "role", C)
    assert grouped.sizes == {"mentee": 8, "mentor": 6} and grouped.hidden == []
    # satisfaction in the mentors' group: every pair has a mentor
    assert grouped.groups["mentor"]["satisfaction_mentor"].n == 21
    nobody = kpi.compute_by(prog, "attributes.team", C)
    assert list(nobody.groups) == ["(not set)"]


def test_grouping_by_a_field_participants_cannot_have(prog, rmtui) -> None:
    run = rmtui("-C", prog.root, "kpi", "--by", "departement")
    assert run.code == 2
    assert "a participant has no field 'departement'" in run.err
    assert "department" in run.err  # the fields there are


def test_the_smallest_group_shown_comes_from_program_toml(prog) -> None:
    toml = prog.root / "program.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("min_group_size = 5",
                                                             "min_group_size = 4"))
    assert kpi.compute_by(Program(prog.root), "department", C).hidden == []


# --------------------------------------------------------------------------
# Pairs that need attention; confidence per mentee
# --------------------------------------------------------------------------


def test_sessions_due(prog, rmtui, snapshot) -> None:
    due = kpi.sessions_due(prog, B)
    # P2 met on 01-20, biweekly: due 02-03, 25 days overdue, a session planned 03-03
    assert [(d.pair, d.due.isoformat(), d.overdue_days, d.planned) for d in due] == [
        (P2, "2027-02-03", 25, dt.date(2027, 3, 3))]
    soon = kpi.sessions_due(prog, B, within_days=14)
    # P1 weekly after 02-22: 03-01; P4 monthly after 02-11: 03-11
    assert [(d.pair, d.due.isoformat(), d.overdue_days) for d in soon] == [
        (P2, "2027-02-03", 25), (P1, "2027-03-01", -1), (P4, "2027-03-11", -11)]
    now = kpi.sessions_due(prog)
    assert [(d.pair, d.overdue_days) for d in now] == [(P2, 117), (P1, 0)]
    run = rmtui("-C", prog.root, "session", "due", "--within", "2", "--format", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    assert P6 in run.out  # biweekly after 05-19: due 06-02


def test_at_risk_pairs(prog, rmtui, snapshot) -> None:
    assert [(r.pair, r.last_session, r.days) for r in kpi.at_risk(prog, B)] == [
        (P2, dt.date(2027, 1, 20), 39)]
    assert [(r.pair, r.days) for r in kpi.at_risk(prog, A)] == []
    run = rmtui("-C", prog.root, "pair", "at-risk", "--format", "table")
    assert run.code == 0, run.err
    assert run.out == snapshot
    none = rmtui("-C", prog.root, "pair", "at-risk", "--as-of", A, "--format", "table")
    assert (none.out, none.err.strip()) == ("", "no pairs at risk")


def test_confidence_per_mentee(prog) -> None:
    c = kpi.confidence(prog)
    assert [(r.participant, r.baseline, r.final, r.delta) for r in c.rows] == [
        ("greta-gran", 2.5, 3.75, 1.25), ("hugo-holm", 3.0, None, None),
        ("jonas-jung", 2.0, 3.0, 1.0)]
    assert (c.n, c.baseline, c.final, c.delta) == (2, 2.25, 3.375, 1.125)


def test_last_held_is_each_pairs_last_held_session_up_to_the_day(demo_copy) -> None:
    import datetime as dt

    from rmtui.core import kpi

    day = dt.date(2027, 3, 1)
    snap = kpi.snapshot(demo_copy)
    facts = {r.pair: r.last_session for r in kpi.at_risk(snap, day)}
    last = kpi.last_held(demo_copy, day)
    for pair, when in facts.items():
        assert last.get(pair) == (when.isoformat() if when else None)
    assert all(v <= day.isoformat() for v in last.values())
    assert kpi.last_held(demo_copy, dt.date(2000, 1, 1)) == {}
