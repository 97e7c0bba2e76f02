"""Properties of every suggestion, on random small programs.

No suggested pair breaks a hard rule or min_score; capacity holds; nobody is
matched twice; under ``participation`` the number of pairs is the maximum
possible (checked with scipy's ``maximum_bipartite_matching``); the result is
as good as a dense exact solver's; every breakdown adds up to its score; and
stable mode leaves no blocking pair (checked here from first principles).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rmtui.core import schemas
from rmtui.core.matching import problem, solver, stable, suggestions
from rmtui.core.model import Pair, Participant
from rmtui.core.rules import PairRules
from rmtui.core.settings import Settings, _merge

AS_OF = dt.date(2027, 3, 1)
WORDS = ["ai", "excel", "teams", "tiktok", "python", "slack"]


@st.composite
def programs(draw):
    n_mentors, n_mentees = draw(st.integers(1, 6)), draw(st.integers(1, 7))
    mentor_ids = [f"m{i}" for i in range(n_mentors)]
    mentee_ids = [f"e{i}" for i in range(n_mentees)]
    people = []
    for pid in mentor_ids + mentee_ids:
        role = "mentor" if pid.startswith("m") else "mentee"
        others = mentee_ids if role == "mentor" else mentor_ids
        people.append(Participant(
            id=pid, name=pid, role=role,
            department=draw(st.sampled_from(["IT", "Sales", "HR", None])),
            grade=draw(st.sampled_from([1, 2, 3, 6] if role == "mentor" else [2, 6, 7, 8])),
            timezone=draw(st.sampled_from(["Europe/Stockholm", "Asia/Tokyo", "UTC"])),
            employee_id=f"E-{pid}", manager_id=draw(st.sampled_from([None, "E-m0", "E-e0", "X"])),
            status=draw(st.sampled_from(["active"] * 6 + ["accepted", "applied"])),
            capacity=draw(st.integers(0, 3)) if role == "mentor" else 1,
            skills=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=4, unique=True))),
            learning_topics=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=4,
                                                unique=True))),
            interests=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=2, unique=True))),
            location=draw(st.sampled_from(["Oslo", "Lima", None])),
            preferences=tuple(draw(st.lists(st.sampled_from(others), max_size=3, unique=True))),
            exclusions=tuple(draw(st.lists(st.sampled_from(others), max_size=1)))
            if draw(st.integers(0, 3)) == 0 else (),
        ))
    pairs = []
    if draw(st.booleans()):
        pairs.append(Pair(id="old", mentor=draw(st.sampled_from(mentor_ids)),
                          mentee=draw(st.sampled_from(mentee_ids)),
                          status=draw(st.sampled_from(["active", "ended", "proposed"])),
                          started=dt.date(2027, 1, 20)))
    rules = {name: {"enabled": draw(st.sampled_from([True, False, False]))} for name in
             ("roles", "grade", "reporting_line", "department", "timezone", "status",
              "exclusions", "repeat", "capacity")}
    rules["timezone"]["max_gap_hours"] = draw(st.sampled_from([0, 6]))
    weights = {c: draw(st.sampled_from([0.0, 0.1, 0.35, 1.0])) for c in
               ("skills", "interests", "preferences", "location", "timezone", "diversity")}
    values = _merge(schemas.get("program").defaults(), {
        "rules": rules, "weights": weights,
        "matching": {"min_score": draw(st.sampled_from([0, 0, 0.2])),
                     "candidates": draw(st.sampled_from([1, 1, 2, 50]))}})
    return people, pairs, Settings(values=values)


def _build(program_, objective="participation", algorithm="optimal"):
    people, pairs, s = program_
    rules = PairRules(s, {p.id: p for p in people}, pairs, as_of=AS_OF)
    prob = problem.build(None, s, {p.id: p for p in people}, pairs, rules,
                         objective=objective, algorithm=algorithm, as_of=AS_OF)
    return prob, rules


def _check_common(prob, rules, sug) -> None:
    people = prob.people
    mentees = Counter(p.mentee for p in sug.pairs)
    assert all(n == 1 for n in mentees.values())
    for p in sug.new_pairs:
        assert rules.check(people[p.mentor], people[p.mentee]) == []
        assert round(p.score * 10_000) >= prob.min_units
    if rules.enabled("capacity"):
        load = Counter(p.mentor for p in sug.pairs)
        kept = Counter(k.mentor for k in prob.kept)
        for m, n in load.items():
            assert n - kept[m] <= max(0, people[m].capacity - kept[m])
    for p in sug.pairs:
        assert sum(Decimal(str(v)) for v in p.breakdown.values()) == Decimal(str(p.score))


def _max_cardinality(st_: solver.Solved) -> int:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    n, m = st_.scores.shape
    if n == 0 or m == 0:
        return 0
    slots = np.minimum(st_.cap, n)
    col_of = np.repeat(np.arange(m), slots)
    if not len(col_of):
        return 0
    allowed = (st_.score_block(0, n) >= 0)[:, col_of]
    match = maximum_bipartite_matching(csr_matrix(allowed.astype(np.int8)), perm_type="column")
    return int((match >= 0).sum())


@settings(max_examples=120, deadline=None)
@given(programs(), st.sampled_from(["participation", "score"]))
def test_every_suggestion_is_allowed_and_optimal(program_, objective) -> None:
    prob, rules = _build(program_, objective)
    st_ = solver.solve(prob)
    sug = suggestions.build(prob, st_)
    _check_common(prob, rules, sug)
    assert st_.proven
    new = len(sug.new_pairs)
    dense = solver.dense_reference(st_)
    dense_total = sum(st_.score(r, int(dense[r])) for r in np.flatnonzero(dense >= 0))
    mine_total = st_.total_units
    if objective == "participation":
        assert new == _max_cardinality(st_)
        assert (new, mine_total) == (int((dense >= 0).sum()), dense_total)
    else:
        assert mine_total == dense_total


def _prefers(order: list, a, b) -> bool:
    """``a`` is ranked above ``b`` (None: unmatched, ranked last)."""
    if b is None:
        return a in order
    return a in order and order.index(a) < order.index(b)


@settings(max_examples=120, deadline=None)
@given(programs())
def test_stable_mode_leaves_no_blocking_pair(program_) -> None:
    prob, rules = _build(program_, algorithm="stable")
    st_ = stable.solve(prob)
    sug = suggestions.build(prob, st_)
    _check_common(prob, rules, sug)
    assert st_.blocking == 0
    n, m = st_.scores.shape
    s = st_.score_block(0, n) if n else np.zeros((0, m), np.int64)
    mentees = [prob.mentees[r] for r in st_.rows]
    mentors = [prob.mentors[c] for c in st_.cols]

    def order(person, cands, scores):
        listed = [c for c in person.preferences if c in cands and scores[cands.index(c)] >= 0]
        rest = sorted((c for k, c in enumerate(cands) if scores[k] >= 0 and c not in listed),
                      key=lambda c: (-scores[cands.index(c)], cands.index(c)))
        return listed + rest

    m_ids, e_ids = [p.id for p in mentors], [p.id for p in mentees]
    e_order = {p.id: order(p, m_ids, list(s[r])) for r, p in enumerate(mentees)}
    m_order = {p.id: order(p, e_ids, list(s[:, c])) for c, p in enumerate(mentors)}
    got = {p.mentee: p.mentor for p in sug.new_pairs}
    held = {m: [e for e, mm in got.items() if mm == m] for m in m_ids}
    for c, mentor_ in enumerate(mentors):
        for r, mentee_ in enumerate(mentees):
            if s[r, c] < 0:
                continue
            if not _prefers(e_order[mentee_.id], mentor_.id, got.get(mentee_.id)):
                continue
            mine = held[mentor_.id]
            room = len(mine) < st_.cap[c]
            worst = max(mine, key=m_order[mentor_.id].index) if mine else None
            assert not (room or _prefers(m_order[mentor_.id], mentee_.id, worst)), \
                (mentor_.id, mentee_.id)
