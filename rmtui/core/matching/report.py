"""The quality of a matching: for a suggestion, or for the program's current pairs.

- **scores**: count, mean, quartiles, a histogram in tenths;
- **rank**: for each mentee, the place of the mentor they got among every
  mentor the rules allow for them, by score (1 = their best);
- **mentor load**: mentors by number of mentees, and the share of places used;
- **mix**: the share of pairs across departments and across locations;
- **fairness by department** (of the mentee): how many were matched, their mean
  score and median rank; groups smaller than ``[kpi] min_group_size`` are
  hidden, as in every group-by table.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import numpy as np

from rmtui.core.matching import Suggestion
from rmtui.core.matching import problem as problem_mod
from rmtui.core.matching.scoring import UNIT
from rmtui.core.matching.suggestions import breakdowns
from rmtui.core.model import Pair
from rmtui.core.rules import department_key
from rmtui.core.store import Program


def _quantiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    a = np.array(values)
    return {"n": len(values), "mean": round(float(a.mean()), 4), "min": round(float(a.min()), 4),
            "p25": round(float(np.percentile(a, 25)), 4),
            "median": round(float(np.median(a)), 4),
            "p75": round(float(np.percentile(a, 75)), 4), "max": round(float(a.max()), 4)}


def report(program: Program, *, suggestion: Suggestion | None = None,
           as_of: dt.date | None = None) -> dict:
    prob = problem_mod.load(program, as_of=as_of,
                            exclude=suggestion.exclude if suggestion else ())
    if suggestion is not None:
        combos = [(p.mentor, p.mentee) for p in suggestion.pairs]
        scores = [p.score for p in suggestion.pairs]
        source = "suggestion"
    else:
        current = sorted((p for p in prob.pairs if p.status in Pair.OPEN), key=lambda p: p.id)
        combos = [(p.mentor, p.mentee) for p in current]
        scores = [sum(b.values()) / UNIT for b in breakdowns(prob, combos)]
        source = "current pairs"
    people = prob.people
    e_index, m_index = prob.mentee_index(), prob.mentor_index()
    # each mentee's rank of the mentor they got, among the mentors the rules allow
    ranks: dict[str, int] = {}
    rows = sorted({e_index[e] for m, e in combos if e in e_index and m in m_index})
    got = {e_index[e]: m_index[m] for m, e in combos if e in e_index and m in m_index}
    for lo in range(0, len(rows), 256):
        chunk = rows[lo:lo + 256]
        a, b = chunk[0], chunk[-1] + 1
        feas = prob.masks.feasible(a, b)
        units = prob.scorer.block(a, b)
        for r in chunk:
            row_units = np.where(feas[r - a], units[r - a], -1)
            mine = prob.scorer.block(r, r + 1)[0, got[r]]
            ranks[prob.mentees[r].id] = 1 + int((row_units > mine).sum())
    rank_values = list(ranks.values())
    rank_summary = {"n": len(rank_values)}
    if rank_values:
        arr = np.array(rank_values)
        rank_summary.update({"first_choice": round(float((arr == 1).mean()), 4),
                             "top_3": round(float((arr <= 3).mean()), 4),
                             "top_10": round(float((arr <= 10).mean()), 4),
                             "median": float(np.median(arr)), "worst": int(arr.max())})
    # mentor load
    load = Counter(m for m, _ in combos)
    pool_mentors = [p for j, p in enumerate(prob.mentors) if prob.in_pool_mentor[j]]
    by_count = Counter(load.get(p.id, 0) for p in pool_mentors)
    places = sum(p.capacity for p in pool_mentors)
    used = sum(load.get(p.id, 0) for p in pool_mentors)
    # mix
    cross_dept = [department_key(people[m]) != department_key(people[e]) for m, e in combos
                  if department_key(people[m]) and department_key(people[e])]
    locs = [(people[m].location, people[e].location) for m, e in combos]
    cross_loc = [a.strip().casefold() != b.strip().casefold() for a, b in locs if a and b]
    # fairness by the mentee's department
    min_group = int(prob.settings.get("kpi.min_group_size", 5) or 5)
    score_of = {e: s for (m, e), s in zip(combos, scores, strict=True)}
    groups: dict[str, list[str]] = defaultdict(list)
    for i, p in enumerate(prob.mentees):
        if prob.in_pool_mentee[i] or p.id in score_of:
            groups[(p.department or "").strip() or "(none)"].append(p.id)
    fairness, hidden = [], 0
    for dept in sorted(groups):
        members = groups[dept]
        if len(members) < min_group:
            hidden += 1
            continue
        matched = [x for x in members if x in score_of]
        fairness.append({
            "department": dept, "mentees": len(members),
            "matched": round(len(matched) / len(members), 4),
            "mean_score": round(float(np.mean([score_of[x] for x in matched])), 4)
            if matched else None,
            "median_rank": float(np.median([ranks[x] for x in matched if x in ranks]))
            if any(x in ranks for x in matched) else None})
    hist = Counter(min(9, int(s * 10)) for s in scores)
    return {
        "source": source, "pairs": len(combos),
        "scores": {**_quantiles(scores),
                   "histogram": {f"{k / 10:.1f}-{(k + 1) / 10:.1f}": hist.get(k, 0)
                                 for k in range(10)}},
        "rank": rank_summary,
        "mentor_load": {"mentors": len(pool_mentors),
                        "by_mentees": {str(k): by_count[k] for k in sorted(by_count)},
                        "places": places, "places_used": used,
                        "utilisation": round(used / places, 4) if places else None},
        "cross_department": round(float(np.mean(cross_dept)), 4) if cross_dept else None,
        "cross_location": round(float(np.mean(cross_loc)), 4) if cross_loc else None,
        "fairness": fairness, "hidden_groups": hidden, "min_group_size": min_group,
    }
