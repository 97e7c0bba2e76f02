"""Explanations in words: one pair's rules and criteria; why someone went unmatched.

``explain`` uses the scalar rules (``PairRules.check``), so every failing rule
comes with its reason, and the same scoring code as the solver, so the
criteria add up to the score the solver used.

``why_unmatched`` prices every alternative exactly. Giving a person a
candidate is a cycle in the residual graph of the optimal assignment (the
candidate's current mentee moves on, or is left unmatched, and so on). The
cheapest such cycle, over *every* allowed pair, is a shortest path under the
solver's potentials (all reduced costs are non-negative, so Dijkstra
applies); following it tells how many matches and how much total score the
change would cost.
"""

from __future__ import annotations

import datetime as dt
import heapq

import numpy as np

from rmtui.core import clock
from rmtui.core.errors import UsageError
from rmtui.core.matching import (
    Criterion,
    Explanation,
    RuleCheck,
    Suggestion,
    WhyNot,
)
from rmtui.core.matching.problem import Problem
from rmtui.core.matching.scoring import CRITERIA, UNIT, Scorer, _key, _keys
from rmtui.core.matching.solver import Solved
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.ruledata import pair_rules
from rmtui.core.rules import RULES, PairRules, department_key, language_keys, offset_of
from rmtui.core.store import Program

# --------------------------------------------------------------------------
# One pair
# --------------------------------------------------------------------------


def _person(people: dict[str, Participant], pid: str) -> Participant:
    if pid not in people:
        raise UsageError(f"no participant {pid!r}",
                         hint="`rmtui participant list` shows the participants")
    return people[pid]


def _pass_message(rule: str, rules: PairRules, mentor: Participant, mentee: Participant,
                  pairs: list[Pair]) -> str:
    cfg = rules.cfg[rule]
    if rule == "roles":
        return f"{mentor.id} is a mentor, {mentee.id} a mentee"
    if rule == "grade":
        if mentor.grade is None or mentee.grade is None:
            return "a grade is not set, so it is not checked"
        return f"grade {mentor.grade} + {cfg.get('min_gap', 1)} <= {mentee.grade}"
    if rule == "reporting_line":
        depth = cfg.get("depth", 3)
        extra = ", and different managers" if cfg.get("same_manager", True) else ""
        return f"no reporting line within {depth} level(s) either way{extra}"
    if rule == "department":
        if department_key(mentor) is None or department_key(mentee) is None:
            return "a department is not set, so it is not checked"
        return f"{mentor.department.strip()} / {mentee.department.strip()}"
    if rule == "language":
        if not mentor.languages or not mentee.languages:
            return "languages are not set, so it is not checked"
        return "both speak " + ", ".join(sorted(language_keys(mentor) & language_keys(mentee)))
    if rule == "timezone":
        a, b = offset_of(mentor, rules.as_of), offset_of(mentee, rules.as_of)
        if a is None or b is None:
            return "a time zone is not set or not known, so it is not checked"
        return f"{abs(a - b):g} hours apart (limit {float(cfg.get('max_gap_hours', 6)):g})"
    if rule == "exclusions":
        return "neither has excluded the other"
    if rule == "repeat":
        return "never paired before"
    if rule == "status":
        return f"{mentor.status} / {mentee.status}"
    if rule == "training":
        return "checked when the pair starts (`rmtui pair start` and `rmtui match publish`)"
    if rule == "capacity":
        held = [p for p in pairs if p.mentor == mentor.id and p.status in Pair.COMMITTED
                and p.mentee != mentee.id]
        return f"{len(held)} of {mentor.capacity} place(s) taken"
    return "passes"  # pragma: no cover


def _capacity_check(rules: PairRules, mentor: Participant, mentee: Participant,
                    pairs: list[Pair]) -> str | None:
    held = [p for p in pairs if p.mentor == mentor.id and p.status in Pair.COMMITTED
            and p.mentee != mentee.id]
    if len(held) >= mentor.capacity:
        return (f"{mentor.id} has no place left: {len(held)} of {mentor.capacity} taken by "
                + ", ".join(p.id for p in sorted(held, key=lambda p: p.id)))
    return None


def _details(scorer: Scorer, mentor: Participant, mentee: Participant) -> dict[str, str]:
    topics, skills = _keys(mentee.learning_topics), _keys(mentor.skills)
    out = {}
    names = {_key(x): x for x in mentee.learning_topics}
    common = sorted(names[k] for k in topics & skills)
    out["skills"] = (f"{len(common)} of {len(topics)} learning topic(s)"
                     + (": " + ", ".join(common) if common else "")) if topics else \
        "the mentee lists no learning topics"
    for c, attr in (("interests", "interests"), ("availability", "availability")):
        a, b = _keys(getattr(mentee, attr)), _keys(getattr(mentor, attr))
        if not a or not b:
            out[c] = f"{attr} not given by both"
        else:
            label = {_key(x): x for x in getattr(mentee, attr)}
            both = sorted(label[k] for k in a & b)
            out[c] = (f"{len(both)} shared of {min(len(a), len(b))}"
                      + (": " + ", ".join(both) if both else ""))
    sides = []
    for who, lister, other in (("the mentee", mentee, mentor), ("the mentor", mentor, mentee)):
        if other.id in lister.preferences:
            place = lister.preferences.index(other.id) + 1
            sides.append(f"{who} lists them #{place} of {len(lister.preferences)}")
        else:
            sides.append(f"{who} does not list them")
    out["preferences"] = "; ".join(sides)
    a, b = _key(mentor.location), _key(mentee.location)
    out["location"] = ("not given by both" if a is None or b is None else
                       f"both in {mentor.location}" if a == b else
                       f"{mentor.location} / {mentee.location}")
    x, y = offset_of(mentor, scorer.as_of), offset_of(mentee, scorer.as_of)
    out["timezone"] = ("a time zone is not set or not known" if x is None or y is None
                       else f"{abs(x - y):g} hours apart (0 at {scorer.tz_scale:g} or more)")
    diff = []
    for label, u, v in (("department", department_key(mentor), department_key(mentee)),
                        ("location", a, b),
                        ("age band", mentor.birth_date.year // 10 if mentor.birth_date else None,
                         mentee.birth_date.year // 10 if mentee.birth_date else None)):
        diff.append(f"{label} " + ("unknown" if u is None or v is None else
                                   "differs" if u != v else "same"))
    out["diversity"] = ", ".join(diff)
    return out


def explain(program: Program, mentor_id: str, mentee_id: str, *,
            as_of: dt.date | None = None, suggestion: Suggestion | None = None) -> Explanation:
    if suggestion is not None and suggestion._state is not None:
        # the run's own reading of the program: no second load (about a second at 10,000)
        prob: Problem = suggestion._state[0]
        s, as_of, people, pairs, rules = (prob.settings, prob.as_of, prob.people, prob.pairs,
                                          prob.rules)
        mentor, mentee = _person(people, mentor_id), _person(people, mentee_id)
    else:
        s = program.settings
        as_of = as_of or clock.today()
        people = {i: from_dict(Participant, d) for i, d in program.data("participant").items()}
        pairs = [from_dict(Pair, d) for d in program.data("pair").values()]
        mentor, mentee = _person(people, mentor_id), _person(people, mentee_id)
        rules = pair_rules(program.root, s, people, pairs, as_of)
    broken: dict[str, list[str]] = {}
    for v in rules.check(mentor, mentee):
        broken.setdefault(v.rule, []).append(v.message)
    if rules.enabled("capacity"):
        full = _capacity_check(rules, mentor, mentee, pairs)
        if full:
            broken.setdefault("capacity", []).append(full)
    checks = []
    for rule in RULES:
        if not rules.enabled(rule) and rule not in broken:
            checks.append(RuleCheck(rule, True, "switched off in program.toml"))
        elif rule in broken:
            checks.append(RuleCheck(rule, False, "; ".join(broken[rule])))
        else:
            checks.append(RuleCheck(rule, True, _pass_message(rule, rules, mentor, mentee, pairs)))
    scorer = Scorer(s, [mentor], [mentee], as_of)
    one = np.zeros(1, dtype=np.int64)
    raw, units = scorer.raw(one, one), scorer.units(one, one)
    details = _details(scorer, mentor, mentee)
    criteria = [Criterion(c, round(float(raw[c][0]), 4) if c in raw else 0.0,
                          scorer.weights[c], int(units[c][0]) / UNIT if c in units else 0.0,
                          details[c]) for c in CRITERIA]
    total = sum(int(units[c][0]) for c in units)
    min_units = int(round(float(s.get("matching.min_score", 0) or 0) * UNIT))
    if min_units:
        ok = total >= min_units
        checks.append(RuleCheck("min_score", ok, f"score {total / UNIT:g} "
                                + (">=" if ok else "<") + f" min_score {min_units / UNIT:g}"))
    return Explanation(mentor.id, mentee.id, checks, criteria, total / UNIT,
                       all(c.ok for c in checks))


# --------------------------------------------------------------------------
# Why someone went unmatched
# --------------------------------------------------------------------------


def _state(program: Program, suggestion: Suggestion | None, as_of: dt.date | None
           ) -> tuple[Problem, Solved, Suggestion]:
    from rmtui.core.matching.suggestions import run

    if suggestion is not None and suggestion._state is not None:
        prob, st = suggestion._state
        return prob, st, suggestion
    again = run(program, pins=suggestion.pins if suggestion else (),
                exclude=suggestion.exclude if suggestion else (),
                objective=suggestion.objective if suggestion else None,
                algorithm=suggestion.algorithm if suggestion else None, as_of=as_of)
    prob, st = again._state
    return prob, st, again


def _price(st: Solved, start: int, forward: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                             np.ndarray]:
    """Shortest paths in the residual graph, under the solver's potentials.

    Nodes: rows 0..n-1, columns n..n+m-1, the sink n+m. ``forward``: from
    ``start`` to every node; else from every node to ``start``. Returns the
    distance (reduced), and along each path the change in matches and score,
    and the predecessor (for reading the path back).
    """
    n, m = st.scores.shape
    t = n + m
    d = st.pot
    inf = np.iinfo(np.int64).max // 4
    dist = np.full(t + 1, inf, np.int64)
    dcnt = np.zeros(t + 1, np.int64)
    dsc = np.zeros(t + 1, np.int64)
    prev = np.full(t + 1, -1, np.int64)
    done = np.zeros(t + 1, bool)
    assign, load = st.assign, st.load
    by_col: list[list[int]] = [[] for _ in range(m)]
    for r in np.flatnonzero(assign >= 0):
        by_col[int(assign[r])].append(int(r))
    unmatched = np.flatnonzero(assign < 0)
    matched = np.flatnonzero(assign >= 0)
    dist[start] = 0
    heap = [(0, start)]

    def relax(u: int, v: int, cost: int, c: int, s: int, via: int) -> None:
        """Arc u->v of cost; on a forward search reach v from u, else u from v."""
        nonlocal heap
        src, dst = (u, v) if forward else (v, u)
        rc = cost + int(d[u]) - int(d[v])
        new = int(dist[src]) + rc
        if new < dist[dst]:
            dist[dst], dcnt[dst], dsc[dst], prev[dst] = new, dcnt[src] + c, dsc[src] + s, via
            heapq.heappush(heap, (new, dst))

    def relax_many(us: np.ndarray, vs: np.ndarray, cost: np.ndarray, c: int, s: np.ndarray,
                   here: int) -> None:
        if not len(us):
            return
        rc = cost + d[us] - d[vs]
        targets = vs if forward else us
        new = dist[here] + rc
        better = new < dist[targets]
        for k in np.flatnonzero(better):
            tgt = int(targets[k])
            dist[tgt], dcnt[tgt] = int(new[k]), dcnt[here] + c
            dsc[tgt], prev[tgt] = dsc[here] + int(s[k]), here
            heapq.heappush(heap, (int(new[k]), tgt))

    while heap:
        du, x = heapq.heappop(heap)
        if done[x] or du != dist[x]:
            continue
        done[x] = True
        if x < n:  # a row
            r = x
            c = int(assign[r])
            if forward:
                col_s = st.score_block(r, r + 1)[0]
                ok = np.flatnonzero(col_s >= 0)
                if c >= 0:
                    ok = ok[ok != c]
                relax_many(np.full(len(ok), r), n + ok, -st.weight(col_s[ok]), 1, col_s[ok], r)
                if c >= 0:
                    relax(r, t, 0, 0, 0, r)
            else:
                if c >= 0:
                    s = st.score(r, c)
                    relax(n + c, r, int(st.weight(s)), -1, -s, r)
                else:
                    relax(t, r, 0, 0, 0, r)
        elif x < t:  # a column
            c = x - n
            if forward:
                for r in by_col[c]:
                    s = st.score(r, c)
                    relax(x, r, int(st.weight(s)), -1, -s, x)
                if load[c] < st.cap[c]:
                    relax(x, t, 0, 0, 0, x)
            else:
                col = st.scores[:, c].astype(np.int64) - st.offset
                ok = np.flatnonzero(col >= 0)
                ok = ok[assign[ok] != c]
                relax_many(ok, np.full(len(ok), x), -st.weight(col[ok]), 1, col[ok], x)
                if load[c] > 0:
                    relax(t, x, 0, 0, 0, x)
        else:  # the sink
            if forward:
                relax_many(np.full(len(unmatched), t), unmatched, np.zeros(len(unmatched),
                           np.int64), 0, np.zeros(len(unmatched), np.int64), t)
                busy = np.flatnonzero(load > 0)
                relax_many(np.full(len(busy), t), n + busy, np.zeros(len(busy), np.int64), 0,
                           np.zeros(len(busy), np.int64), t)
            else:
                relax_many(matched, np.full(len(matched), t), np.zeros(len(matched), np.int64),
                           0, np.zeros(len(matched), np.int64), t)
                free = np.flatnonzero(load < st.cap)
                relax_many(n + free, np.full(len(free), t), np.zeros(len(free), np.int64), 0,
                           np.zeros(len(free), np.int64), t)
    return dist, dcnt, dsc, prev


def why_unmatched(program: Program, person_id: str, *, suggestion: Suggestion | None = None,
                  as_of: dt.date | None = None) -> list[WhyNot]:
    prob, st, sug = _state(program, suggestion, as_of)
    person = _person(prob.people, person_id)
    if person_id in prob.excluded:
        raise UsageError(f"{person_id} was left out of the run (--exclude)")
    for k in prob.kept:
        if person_id == k.mentee:
            return [WhyNot(k.mentor, "matched", f"matched: {k.why}")]
    mentee_side = person.role == "mentee"
    if person.role not in ("mentor", "mentee"):  # pragma: no cover - the schema allows no other
        raise UsageError(f"{person_id} has role {person.role!r}")
    others = prob.mentors if mentee_side else prob.mentees
    n = len(st.rows)
    row_of = {int(r): k for k, r in enumerate(st.rows)}
    col_of = {int(c): k for k, c in enumerate(st.cols)}
    e_index, m_index = prob.mentee_index(), prob.mentor_index()
    me_local = (row_of.get(e_index[person_id]) if mentee_side
                else col_of.get(m_index[person_id]))
    priced = None
    if me_local is not None and st.pot.size and prob.algorithm == "optimal":
        start = me_local if mentee_side else n + me_local
        priced = _price(st, start, forward=not mentee_side)
    kept_by_mentor: dict[str, list[str]] = {}
    for k in prob.kept:
        kept_by_mentor.setdefault(k.mentor, []).append(k.mentee)
    held: dict[int, list[str]] = {}
    for r in np.flatnonzero(st.assign >= 0):
        held.setdefault(int(st.assign[r]), []).append(prob.mentees[st.rows[r]].id)
    out: list[WhyNot] = []
    for other in others:
        mentor, mentee = (other, person) if mentee_side else (person, other)
        broken = prob.rules.check(mentor, mentee)
        if broken:
            out.append(WhyNot(other.id, "rule", "; ".join(f"[{v.rule}] {v.message}"
                                                          for v in broken), rule=broken[0].rule))
            continue
        if other.id in prob.excluded:
            out.append(WhyNot(other.id, "excluded", "left out of the run (--exclude)"))
            continue
        if not mentee_side and any(k.mentee == other.id for k in prob.kept):
            k = next(k for k in prob.kept if k.mentee == other.id)
            out.append(WhyNot(other.id, "taken", f"already matched: {k.why}",
                              went_to=(k.mentor,)))
            continue
        r = row_of.get(e_index[mentee.id])
        c = col_of.get(m_index[mentor.id])
        if mentee_side and c is None:
            mine = kept_by_mentor.get(mentor.id, [])
            out.append(WhyNot(other.id, "full", f"no place left: {mentor.capacity} place(s), "
                              f"held by kept pairs with {', '.join(mine) or 'nobody'}",
                              went_to=tuple(mine)))
            continue
        if r is None or c is None:
            out.append(WhyNot(other.id, "full", "not in this run (no place left)"))
            continue
        score = st.score(r, c)
        if score < 0:
            full = prob.scorer.breakdowns([e_index[mentee.id]], [m_index[mentor.id]])[0]
            out.append(WhyNot(other.id, "min_score", f"scores {sum(full.values()) / UNIT:g}, "
                              f"below min_score {prob.min_units / UNIT:g}",
                              score=sum(full.values()) / UNIT))
            continue
        if st.assign[r] == c:
            out.append(WhyNot(other.id, "matched", "matched together in this suggestion",
                              score=score / UNIT))
            continue
        went = tuple(held.get(c, [])) + tuple(kept_by_mentor.get(mentor.id, []))
        if not mentee_side:
            j = int(st.assign[r])
            went = (prob.mentors[st.cols[j]].id,) if j >= 0 else ()
        entry = WhyNot(other.id, "taken", "", score=score / UNIT, went_to=went)
        if priced is not None:
            dist, dcnt, dsc, _ = priced
            node = n + c if mentee_side else r
            if dist[node] < np.iinfo(np.int64).max // 8:
                gained_count = 1 + int(dcnt[node])
                gained_score = score + int(dsc[node])
                entry.lost_matches = max(0, -gained_count)
                entry.cost = -gained_score / UNIT
        entry.message = _taken_message(mentee_side, entry, prob.algorithm)
        out.append(entry)
    order = {"matched": 0, "taken": 1, "full": 2, "min_score": 3, "excluded": 4, "rule": 5}
    out.sort(key=lambda w: (order[w.outcome], w.lost_matches, w.cost if w.cost is not None
                            else 0.0, -(w.score or 0.0), w.candidate))
    return out


def _taken_message(mentee_side: bool, w: WhyNot, algorithm: str) -> str:
    who = ", ".join(w.went_to) if w.went_to else "nobody"
    if mentee_side:
        head = f"went to {who}" if w.went_to else "has a place free, but not for this mentee"
    else:
        head = f"matched with {who} instead" if w.went_to else "left unmatched"
    if w.cost is None:
        return head + (" (stable matching: each holds partners it ranks higher)"
                       if algorithm == "stable" else "")
    parts = []
    if w.lost_matches:
        parts.append(f"{w.lost_matches} more mentee(s) unmatched")
    parts.append(f"total score {-w.cost:+.4f}".rstrip("0").rstrip(".") if w.cost else
                 "the same total score")
    return f"{head}; changing that: " + ", ".join(parts)
