"""A suggestion: solve, then name every pair's breakdown and every unmatched person's reason."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from rmtui.core.matching import Suggested, Suggestion, Unmatched
from rmtui.core.matching import problem as problem_mod
from rmtui.core.matching.problem import Problem, Progress
from rmtui.core.matching.scoring import CRITERIA, UNIT, Scorer
from rmtui.core.matching.solver import Solved
from rmtui.core.store import Program


def run(program: Program, *, pins: Iterable[str | tuple[str, str]] = (),
        exclude: Iterable[str] = (), objective: str | None = None, algorithm: str | None = None,
        as_of: dt.date | None = None, progress: Progress | None = None) -> Suggestion:
    if progress:
        progress("loading", 0.0)
    prob = problem_mod.load(program, pins=pins, exclude=exclude, objective=objective,
                            algorithm=algorithm, as_of=as_of)
    if progress:
        progress("loading", 1.0)
    if prob.algorithm == "stable":
        from rmtui.core.matching import stable

        solved = stable.solve(prob, progress)
    else:
        from rmtui.core.matching import solver

        solved = solver.solve(prob, progress)
    return build(prob, solved)


def breakdowns(prob: Problem, combos: Sequence[tuple[str, str]]) -> list[dict[str, int]]:
    """Contributions (units) of (mentor, mentee) combinations, every criterion named."""
    m_index, e_index = prob.mentor_index(), prob.mentee_index()
    inside = [(k, e_index[e], m_index[m]) for k, (m, e) in enumerate(combos)
              if m in m_index and e in e_index]
    out: list[dict[str, int] | None] = [None] * len(combos)
    if inside:
        got = prob.scorer.breakdowns([i for _, i, _ in inside], [j for _, _, j in inside])
        for (k, _, _), b in zip(inside, got, strict=True):
            out[k] = b
    for k, (m, e) in enumerate(combos):
        if out[k] is None:  # someone outside this run (excluded, or crossing roles)
            alone = Scorer(prob.settings, [prob.people[m]], [prob.people[e]], prob.as_of)
            out[k] = alone.breakdowns([0], [0])[0]
    return out  # type: ignore[return-value]


def _pair(mentor: str, mentee: str, units: dict[str, int], **extra) -> Suggested:
    total = sum(units.values())
    return Suggested(mentor, mentee, total / UNIT, {c: units[c] / UNIT for c in CRITERIA},
                     **extra)


def build(prob: Problem, st: Solved) -> Suggestion:
    combos: list[tuple[str, str]] = [(k.mentor, k.mentee) for k in prob.kept]
    chosen = np.flatnonzero(st.assign >= 0)
    new = [(prob.mentors[st.cols[st.assign[r]]].id, prob.mentees[st.rows[r]].id) for r in chosen]
    units = breakdowns(prob, combos + new)
    pairs = [_pair(k.mentor, k.mentee, u, kept=True, why=k.why, pair_id=k.pair_id)
             for k, u in zip(prob.kept, units, strict=False)]
    pairs += [_pair(m, e, u, kept=False) for (m, e), u in zip(new, units[len(combos):],
                                                                 strict=True)]
    pairs.sort(key=lambda p: (p.mentor, p.mentee))
    total_units = sum(round(p.score * UNIT) for p in pairs)
    return Suggestion(
        pairs=pairs, unmatched=_unmatched(prob, st, pairs), objective=prob.objective,
        algorithm=prob.algorithm, total_score=total_units / UNIT, run=prob.as_of.isoformat(),
        proven=bool(st.proven), blocking_pairs=st.blocking, pins=prob.pins,
        exclude=tuple(sorted(prob.excluded)),
        stats={"mentees": int(len(st.rows)), "mentors": int(len(st.cols)),
               "edges": int(st.edges), "rounds": int(st.rounds),
               "new_pairs": len(new), "kept_pairs": len(prob.kept)},
        _state=(prob, st))


def _rule_counts(prob: Problem, row: int, cols: np.ndarray) -> Counter:
    block = prob.masks.block(row, row + 1)
    return Counter({rule: int(v[0, cols].sum()) for rule, v in block.items()
                    if v[0, cols].any()})


def _summary(counts: Counter) -> str:
    return ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items(),
                                                         key=lambda x: (-x[1], x[0]))[:4])


def _unmatched(prob: Problem, st: Solved, pairs: list[Suggested]) -> list:
    out: list[Unmatched] = []
    min_score = prob.min_units / UNIT
    why_cmd = "`rmtui match why-unmatched {}` prices each one"
    for r, row in enumerate(st.rows):
        if st.assign[r] >= 0:
            continue
        pid = prob.mentees[row].id
        if len(st.cols) == 0:
            reason = "no mentor has a place left"
        elif st.n_feasible[r] == 0:
            reason = (f"no mentor with a place passes the hard rules ("
                      f"{_summary(_rule_counts(prob, int(row), st.cols))})")
        elif st.n_allowed[r] == 0:
            reason = (f"the {st.n_feasible[r]} mentor(s) the rules allow all score below "
                      f"min_score {min_score:g}")
        else:
            lost = "another mentee unmatched" if prob.objective == "participation" \
                else "a lower total score"
            reason = (f"the {st.n_allowed[r]} mentor(s) the rules allow are all taken; "
                      f"taking one would leave {lost}; " + why_cmd.format(pid))
            if prob.algorithm == "stable":
                reason = (f"each of the {st.n_allowed[r]} mentor(s) the rules allow holds "
                          f"mentees it ranks higher (stable matching)")
        out.append(Unmatched(pid, "mentee", reason))
    busy = {p.mentor for p in pairs}
    col_pos = {int(c): k for k, c in enumerate(st.cols)}
    for j, person in enumerate(prob.mentors):
        if person.id in busy or not prob.in_pool_mentor[j]:
            continue
        k = col_pos.get(j)
        if k is None:
            reason = "capacity 0: takes no mentee"
        elif len(st.rows) == 0:
            reason = "no mentee is left to match"
        elif st.col_allowed[k] == 0:
            reason = "no mentee left to match passes the hard rules with this mentor"
        else:
            reason = (f"the {st.col_allowed[k]} mentee(s) the rules allow were matched better "
                      "elsewhere; " + why_cmd.format(person.id))
        out.append(Unmatched(person.id, "mentor", reason))
    out.sort(key=lambda u: (u.role != "mentee", u.id))
    return out
