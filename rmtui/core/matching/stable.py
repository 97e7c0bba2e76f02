"""Stable matching: mentee-proposing deferred acceptance with mentor capacities.

Each person ranks the other side: first the people they listed in
``preferences`` (in their order, when the pair is allowed), then, unless
``[matching.stable] unlisted = "never"``, everyone else the rules allow, best
score first (ties: by id). Mentees propose down their lists; a mentor holds
the best proposals up to its capacity. The result is stable: no mentee and
mentor who are allowed together would both rather have each other than what
they got. :func:`blocking_pairs` checks exactly that, over every pair.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

from rmtui.core.matching.problem import Problem, Progress
from rmtui.core.matching.solver import Solved, score_matrix

NEVER = np.iinfo(np.int32).max


def _ranks(allowed: np.ndarray, scores: np.ndarray, listed: list[list[int]],
           unlisted: bool) -> np.ndarray:
    """Rank (0 best) each row gives each column; NEVER where unacceptable.

    Listed columns come first in the order given, then (when ``unlisted``)
    the other allowed columns by score, best first, ties by column.
    """
    n, m = allowed.shape
    out = np.full((n, m), NEVER, dtype=np.int32)
    if unlisted and m:
        key = np.where(allowed, -scores, np.iinfo(np.int64).max)
        order = np.argsort(key, axis=1, kind="stable")
        pos = np.empty_like(order)
        np.put_along_axis(pos, order, np.arange(m)[None, :].repeat(n, axis=0), axis=1)
        out = np.where(allowed, pos + m, NEVER).astype(np.int32)
    for r, cols in enumerate(listed):
        for place, c in enumerate(cols):
            if allowed[r, c]:
                out[r, c] = place
    return out


def solve(problem: Problem, progress: Progress | None = None) -> Solved:
    rows = np.flatnonzero(problem.free_rows & problem.in_pool_mentee)
    cols = np.flatnonzero(problem.in_pool_mentor & (problem.capacity > 0))
    scores, offset, counts = score_matrix(problem, rows, cols, progress)
    st = Solved(rows, cols, problem.capacity[cols].astype(np.int64), scores, offset,
                np.full(len(rows), -1, np.int64), 1, 0, **counts)
    n, m = len(rows), len(cols)
    if n == 0 or m == 0:
        st.blocking = 0
        return st
    if progress:
        progress("ranking", 0.0)
    s = st.score_block(0, n)
    allowed = s >= 0
    unlisted = problem.settings.get("matching.stable.unlisted", "score") == "score"
    col_of = {problem.mentors[c].id: k for k, c in enumerate(cols)}
    row_of = {problem.mentees[r].id: k for k, r in enumerate(rows)}
    e_listed = [[col_of[x] for x in problem.mentees[r].preferences if x in col_of] for r in rows]
    m_listed = [[row_of[x] for x in problem.mentors[c].preferences if x in row_of] for c in cols]
    rank_e = _ranks(allowed, s, e_listed, unlisted)
    rank_m = _ranks(allowed.T, s.T, m_listed, unlisted).T
    acceptable = (rank_e < NEVER) & (rank_m < NEVER)
    if progress:
        progress("proposing", 0.3)
    held: list[list[tuple[int, int]]] = [[] for _ in range(m)]  # (-rank, row): worst on top
    nxt = np.zeros(n, np.int64)
    prefs = [np.argsort(np.where(acceptable[r], rank_e[r], NEVER), kind="stable")
             [: int(acceptable[r].sum())] for r in range(n)]
    free = deque(range(n))
    while free:
        r = free.popleft()
        while nxt[r] < len(prefs[r]):
            c = int(prefs[r][nxt[r]])
            nxt[r] += 1
            rk = int(rank_m[r, c])
            if len(held[c]) < st.cap[c]:
                heapq.heappush(held[c], (-rk, r))
                break
            if rk < -held[c][0][0]:
                _, loser = heapq.heapreplace(held[c], (-rk, r))
                free.append(loser)
                break
    for c, hs in enumerate(held):
        for _, r in hs:
            st.assign[r] = c
    st.blocking = blocking_pairs(st, rank_e, rank_m, acceptable)
    st.proven = st.blocking == 0
    if progress:
        progress("proposing", 1.0)
    return st


def blocking_pairs(st: Solved, rank_e: np.ndarray, rank_m: np.ndarray,
                   acceptable: np.ndarray) -> int:
    """How many allowed pairs would both rather have each other than what they got."""
    n, m = rank_e.shape
    matched = st.assign >= 0
    mine = np.full(n, NEVER, np.int64)
    mine[matched] = rank_e[np.flatnonzero(matched), st.assign[matched]]
    load = st.load
    worst = np.full(m, -1, np.int64)
    for r in np.flatnonzero(matched):
        c = st.assign[r]
        worst[c] = max(worst[c], int(rank_m[r, c]))
    threshold = np.where(load < st.cap, NEVER + 1, worst)
    wants = rank_e < mine[:, None]
    takes = rank_m < threshold[None, :]
    return int((acceptable & wants & takes).sum())
