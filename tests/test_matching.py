"""The matcher on small hand-built programs whose optimum is known.

In each, the greedy choice (best pair first) is wrong; the suggestion must be
the optimum for the stated objective, keep what must be kept, and say why
anyone is left out.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from matchkit import make_program, mentee, mentor

from rmtui.core.errors import DataError, UsageError
from rmtui.core.matching import explain, suggest, why_unmatched


def pairs_of(sug, new_only: bool = True) -> set[tuple[str, str]]:
    return {(p.mentor, p.mentee) for p in (sug.new_pairs if new_only else sug.pairs)}


@pytest.fixture
def greedy_trap(tmp_path):
    """x likes a best (9/10) and b (8/10); y can only have a (b shares y's department).

    Greedy gives x a and leaves y out; the optimum is x-b, y-a: both matched, 1.5 in all.
    """
    return make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 8, department="sales"),
        mentee("x", learning_topics=[f"t{i}" for i in range(10)]),
        mentee("y", department="sales"),
    ])


def test_the_optimum_beats_the_greedy_choice(greedy_trap) -> None:
    # y-a scores 9/10 as well; x-b 8/10
    sug = suggest(greedy_trap)
    assert pairs_of(sug) == {("b", "x"), ("a", "y")}
    assert sug.total_score == 1.7
    assert sug.unmatched == []
    assert sug.proven


def test_participation_first_then_score(tmp_path) -> None:
    """x would score 0.9 with a alone; matching both x and y scores only 0.2.

    Under participation both are matched (x-b, y-a); under score, x-a alone."""
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 1, department="sales"),
        mentee("x"), mentee("y", department="sales", learning_topics=["t0", "t1", "t2", "t3",
                                                                      "t4", "t5", "t6", "t7",
                                                                      "t8", "zz"]),
    ], pairs=[])
    # y-a: a has t0..t8 = 9 of y's 10 topics; make it score low instead: y learns mostly zz*
    (prog.root / "participants" / "y.yaml").write_text(
        (prog.root / "participants" / "y.yaml").read_text().replace(
            "  - t1\n  - t2\n  - t3\n  - t4\n  - t5\n  - t6\n  - t7\n  - t8\n",
            "  - z1\n  - z2\n  - z3\n  - z4\n  - z5\n  - z6\n  - z7\n  - z8\n"))
    both = suggest(prog)
    assert pairs_of(both) == {("b", "x"), ("a", "y")}
    assert both.total_score == pytest.approx(0.2)
    best = suggest(prog, objective="score")
    assert pairs_of(best) == {("a", "x")}
    assert best.total_score == 0.9
    assert [(u.id, u.role) for u in best.unmatched] == [("y", "mentee"), ("b", "mentor")]
    assert "taken" in best.unmatched[0].reason


def test_capacity_is_a_number_of_places(tmp_path) -> None:
    """a is everyone's best and can take two; the third goes to b."""
    prog = make_program(tmp_path / "p", [
        mentor("a", 9, capacity=2), mentor("b", 5),
        mentee("x"), mentee("y"), mentee("z"),
    ])
    sug = suggest(prog)
    load = {}
    for p in sug.pairs:
        load[p.mentor] = load.get(p.mentor, 0) + 1
    assert load == {"a": 2, "b": 1}
    assert sug.total_score == pytest.approx(0.9 + 0.9 + 0.5)


def test_kept_pairs_and_pins_stay_and_use_places(tmp_path) -> None:
    prog = make_program(tmp_path / "p", [
        mentor("a", 9, capacity=2), mentor("b", 5), mentor("c", 3),
        mentee("w"), mentee("x"), mentee("y"), mentee("z"),
    ], pairs=[{"mentor": "c", "mentee": "w", "status": "active", "started": "2027-01-20"}])
    sug = suggest(prog, pins=["b:x"])
    kept = {(p.mentor, p.mentee): p.why for p in sug.pairs if p.kept}
    assert kept == {("c", "w"): "pair c--w (active)", ("b", "x"): "pinned"}
    assert pairs_of(sug) == {("a", "y"), ("a", "z")}


def test_a_pin_that_breaks_a_rule_is_refused_with_the_reason(greedy_trap) -> None:
    with pytest.raises(DataError, match=r"\[department\] both work in sales"):
        suggest(greedy_trap, pins=["b:y"])
    with pytest.raises(UsageError, match="MENTOR:MENTEE"):
        suggest(greedy_trap, pins=["b-y"])
    with pytest.raises(UsageError, match="no participant 'nobody'"):
        suggest(greedy_trap, exclude=["nobody"])


def test_excluded_people_are_left_out(greedy_trap) -> None:
    sug = suggest(greedy_trap, exclude=["a"])
    assert pairs_of(sug) == {("b", "x")}
    assert [u.id for u in sug.unmatched] == ["y"]
    assert "no mentor with a place passes the hard rules (department 1)" in \
        sug.unmatched[0].reason


def test_min_score_leaves_weak_pairs_out_and_says_so(tmp_path) -> None:
    prog = make_program(tmp_path / "p", [mentor("a", 2), mentee("x")],
                        settings={"matching": {"min_score": 0.5}})
    sug = suggest(prog)
    assert sug.pairs == []
    assert sug.unmatched[0].reason == ("the 1 mentor(s) the rules allow all score below "
                                       "min_score 0.5")


def test_the_same_program_gives_the_same_bytes(greedy_trap) -> None:
    a = json.dumps(suggest(greedy_trap).to_json(), sort_keys=True)
    b = json.dumps(suggest(greedy_trap).to_json(), sort_keys=True)
    assert a == b


def test_breakdowns_add_up_to_the_scores_exactly(tmp_path) -> None:
    weights = {"skills": 0.35, "interests": 0.1, "preferences": 0.15, "location": 0.05,
               "timezone": 0.1, "availability": 0.1, "diversity": 0.15}
    prog = make_program(tmp_path / "p", [
        mentor("a", 3, interests=["chess", "golf"], availability=["mon-am", "tue-pm"],
               location="Oslo", preferences=["y"]),
        mentor("b", 7, timezone="Asia/Kolkata", location="Pune"),
        mentee("x", interests=["golf"], availability=["tue-pm"], location="Oslo",
               preferences=["b", "a"]),
        mentee("y", timezone="Europe/London", birth_date="1970-01-01"),
    ], weights=weights)
    sug = suggest(prog)
    assert len(sug.pairs) == 2
    for p in sug.pairs:
        assert sum(Decimal(str(v)) for v in p.breakdown.values()) == Decimal(str(p.score))
        e = explain(prog, p.mentor, p.mentee)
        assert e.score == p.score
        assert {c.name: c.contribution for c in e.criteria} == p.breakdown
    assert sum(Decimal(str(p.score)) for p in sug.pairs) == Decimal(str(sug.total_score))


def test_explain_names_every_rule_and_criterion(greedy_trap) -> None:
    e = explain(greedy_trap, "b", "y")
    assert not e.eligible
    failed = [(r.rule, r.message) for r in e.rules if not r.ok]
    assert failed == [("department", "both work in sales")]
    assert [r.rule for r in e.rules][:3] == ["roles", "grade", "reporting_line"]
    skills = next(c for c in e.criteria if c.name == "skills")
    assert (skills.raw, skills.weight, skills.contribution) == (0.8, 1.0, 0.8)
    assert skills.detail.startswith("8 of 10 learning topic(s): t0, t1")


def test_why_unmatched_names_the_rule_or_the_price(tmp_path) -> None:
    """Three mentees, two single-place mentors for them: z (the weakest fit) is left out;
    the third mentor c shares z's department and excluded x and y."""
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 6), mentor("c", 9, department="d-z", exclusions=["x", "y"]),
        mentee("x"), mentee("y"),
        mentee("z", department="d-z", learning_topics=["t0", "q1", "q2", "q3", "q4"]),
    ])
    sug = suggest(prog)
    assert [(u.id, u.role) for u in sug.unmatched] == [("z", "mentee"), ("c", "mentor")]
    why = {w.candidate: w for w in why_unmatched(prog, "z", suggestion=sug)}
    assert why["c"].outcome == "rule" and why["c"].rule == "department"
    # giving z mentor a or b leaves x or y unmatched: one match lost, and score
    assert why["a"].outcome == "taken" and why["a"].lost_matches == 0
    assert why["a"].cost == pytest.approx(0.9 + 0.6 - 0.6 - 0.2)  # x-a, y-b -> z-a, x-b
    assert why["b"].cost == pytest.approx(0.9 + 0.6 - 0.9 - 0.2)  # y-b -> z-b
    assert why["a"].went_to == ("x",) and why["b"].went_to == ("y",)
    assert why["b"].message == "went to y; changing that: total score -0.4"


def test_the_price_of_an_alternative_is_what_pinning_it_costs(tmp_path) -> None:
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 7), mentor("c", 4),
        mentee("x"), mentee("y"), mentee("z", learning_topics=["t0", "t1", "q", "r", "s"]),
    ])
    sug = suggest(prog)
    for w in why_unmatched(prog, "c", suggestion=sug):
        if w.outcome != "taken":
            continue
        pinned = suggest(prog, pins=[f"c:{w.candidate}"])
        assert round(sug.total_score - pinned.total_score, 4) == w.cost
        assert w.lost_matches == len(pinned.unmatched) - len(sug.unmatched) or w.lost_matches == 0


def test_stable_mode_follows_stated_preferences(tmp_path) -> None:
    """Scores say x-a, y-b; x ranks b first and b ranks x first, so stable gives x-b."""
    prog = make_program(tmp_path / "p", [
        mentor("a", 9), mentor("b", 5, preferences=["x"]),
        mentee("x", preferences=["b"]), mentee("y"),
    ])
    sug = suggest(prog, algorithm="stable")
    assert pairs_of(sug) == {("b", "x"), ("a", "y")}
    assert sug.blocking_pairs == 0 and sug.proven
    assert suggest(prog).total_score >= sug.total_score


def test_a_person_in_two_programs_is_never_their_own_mentor(tmp_path) -> None:
    prog = make_program(tmp_path / "p", [mentor("a", 5)])
    sug = suggest(prog)
    assert sug.pairs == [] and [u.id for u in sug.unmatched] == ["a"]


def test_explain_with_its_suggestion_reads_nothing_again(demo_copy) -> None:
    """Given the run, explain uses the run's reading of the program and says the same."""
    import datetime as dt

    sug = suggest(demo_copy)
    day = dt.date.fromisoformat(sug.run)
    mentors = [u.id for u in sug.unmatched if u.role == "mentor"][:2]
    combos = [(p.mentor, p.mentee) for p in sug.pairs[:6]]
    combos += [(m, p.mentee) for m in mentors for p in sug.pairs[:3]]
    assert len(combos) >= 6
    for m, e in combos:
        assert explain(demo_copy, m, e, suggestion=sug) == explain(demo_copy, m, e, as_of=day)
    with pytest.raises(UsageError):
        explain(demo_copy, "nobody-at-all", sug.pairs[0].mentee, suggestion=sug)


def test_top_reasons_names_the_largest_contributions() -> None:
    from rmtui.core.matching import top_reasons

    assert top_reasons({"skills": 0.2, "timezone": 0.1, "diversity": 0.1, "location": 0.05,
                        "interests": 0.0}) == "skills 0.2, diversity 0.1, timezone 0.1"
    assert top_reasons({"skills": 0.0}) == ""
