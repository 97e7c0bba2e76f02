"""The hard pairing rules, vectorised over every mentee x mentor combination.

:class:`~rmtui.core.rules.PairRules` checks one combination and says what is
wrong in words; the matcher needs the same answer for 10^8 combinations at
once. :class:`RuleMasks` gives it, a block of mentees at a time, as one
boolean array per rule, built from the *same* ``PairRules`` object (its
settings, org chart, past pairs and date) and the same keys
(``department_key``, ``language_keys``, ``offset_of``, ``manager_key``).
A property test holds the two to agreeing on every combination, for every
rule, switched on and off.

Rules that touch few combinations (reporting lines, exclusions, past pairs)
are kept as sparse lists; the others are comparisons of per-person arrays.
Capacity is not a per-combination rule: the solver holds it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from rmtui.core.model import Participant
from rmtui.core.rules import (
    RULES,
    PairRules,
    department_key,
    language_keys,
    manager_key,
    offset_of,
)

MASK_RULES = tuple(r for r in RULES if r != "capacity")


def _codes(values: Sequence[str | None]) -> np.ndarray:
    """Each distinct value a number (in sorted order); None is -1."""
    vocab = {v: i for i, v in enumerate(sorted({v for v in values if v is not None}))}
    return np.array([vocab[v] if v is not None else -1 for v in values], dtype=np.int64)


def bitsets(sets: Sequence[frozenset[str]], vocab: dict[str, int] | None = None
            ) -> tuple[np.ndarray, dict[str, int]]:
    """Sets of words as rows of 64-bit words: ``(n, words)`` uint64, and the vocabulary."""
    if vocab is None:
        vocab = {w: i for i, w in enumerate(sorted(set().union(*sets)))} if sets else {}
    words = max(1, (len(vocab) + 63) // 64)
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for row, items in enumerate(sets):
        for w in items:
            k = vocab.get(w)
            if k is not None:
                out[row, k // 64] |= np.uint64(1) << np.uint64(k % 64)
    return out, vocab


def shared_count(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``|A_i & B_j|`` for bitset rows ``a`` (n, w) and ``b`` (m, w): an (n, m) int array."""
    total = np.zeros((a.shape[0], b.shape[0]), dtype=np.int64)
    for w in range(a.shape[1]):
        total += np.bitwise_count(a[:, w, None] & b[None, :, w])
    return total


class RuleMasks:
    """Which combinations of ``mentees`` (rows) and ``mentors`` (columns) break which rule.

    Exactly what ``rules.check(mentor, mentee)`` says for each combination
    (``pair=None``). With ``start``, the ``training`` rule is checked too,
    as for a pair starting that day.
    """

    def __init__(self, rules: PairRules, mentors: Sequence[Participant],
                 mentees: Sequence[Participant], *, start: dt.date | None = None) -> None:
        self.rules = rules
        self.mentors, self.mentees = list(mentors), list(mentees)
        self.start = start
        cfg = rules.cfg
        self.on = {r: rules.enabled(r) for r in RULES}
        m_ids, e_ids = [p.id for p in self.mentors], [p.id for p in self.mentees]
        both = sorted(set(m_ids) | set(e_ids))
        code = {i: k for k, i in enumerate(both)}
        self.m_id = np.array([code[i] for i in m_ids], dtype=np.int64)
        self.e_id = np.array([code[i] for i in e_ids], dtype=np.int64)
        self.overlap = bool(set(m_ids) & set(e_ids))
        # per-person arrays
        self.m_is_mentor = np.array([p.role == "mentor" for p in self.mentors], dtype=bool)
        self.e_is_mentee = np.array([p.role == "mentee" for p in self.mentees], dtype=bool)
        self.gap = int(cfg["grade"].get("min_gap", 1))
        self.m_grade = np.array([-1 if p.grade is None else p.grade for p in self.mentors],
                                dtype=np.int64)
        self.e_grade = np.array([-1 if p.grade is None else p.grade for p in self.mentees],
                                dtype=np.int64)
        depts = _codes([department_key(p) for p in (*self.mentors, *self.mentees)])
        self.m_dept, self.e_dept = depts[:len(self.mentors)], depts[len(self.mentors):]
        bosses = _codes([manager_key(p) for p in (*self.mentors, *self.mentees)])
        self.m_boss, self.e_boss = bosses[:len(self.mentors)], bosses[len(self.mentors):]
        langs = [language_keys(p) for p in (*self.mentors, *self.mentees)]
        bits, _ = bitsets(langs)
        self.m_lang, self.e_lang = bits[:len(self.mentors)], bits[len(self.mentors):]
        self.m_has_lang = np.array([bool(p.languages) for p in self.mentors], dtype=bool)
        self.e_has_lang = np.array([bool(p.languages) for p in self.mentees], dtype=bool)
        self.tz_limit = float(cfg["timezone"].get("max_gap_hours", 6))
        self.m_off = self._offsets(self.mentors)
        self.e_off = self._offsets(self.mentees)
        eligible = set(cfg["status"].get("eligible", ["accepted", "active"]))
        self.m_eligible = np.array([p.status in eligible for p in self.mentors], dtype=bool)
        self.e_eligible = np.array([p.status in eligible for p in self.mentees], dtype=bool)
        if start is not None:
            self.m_trained = np.array([p.training_completed is not None
                                       and p.training_completed <= start for p in self.mentors])
            self.e_trained = np.array([p.training_completed is not None
                                       and p.training_completed <= start for p in self.mentees])
        self.sparse = {"reporting_line": self._reporting_lines(),
                       "exclusions": self._exclusions(), "repeat": self._repeats()}

    def _offsets(self, people: Sequence[Participant]) -> np.ndarray:
        out = np.full(len(people), np.nan)
        for k, p in enumerate(people):
            off = offset_of(p, self.rules.as_of)
            if off is not None:
                out[k] = off
        return out

    # -- the sparse rules: (mentee row, mentor column) lists ------------------

    @staticmethod
    def _as_arrays(cells: set[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        ordered = sorted(cells)
        rows = np.array([r for r, _ in ordered], dtype=np.int64)
        cols = np.array([c for _, c in ordered], dtype=np.int64)
        return rows, cols

    def _reporting_lines(self) -> tuple[np.ndarray, np.ndarray]:
        depth = int(self.rules.cfg["reporting_line"].get("depth", 3))
        org = self.rules.org
        mentees_by_emp: dict[str, list[int]] = defaultdict(list)
        mentors_by_emp: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(self.mentees):
            if p.employee_id:
                mentees_by_emp[p.employee_id].append(i)
        for j, p in enumerate(self.mentors):
            if p.employee_id:
                mentors_by_emp[p.employee_id].append(j)
        cells: set[tuple[int, int]] = set()
        for j, p in enumerate(self.mentors):  # the mentee is the mentor's manager, or above
            if p.employee_id:
                for boss in org.chain(p.employee_id, depth):
                    cells.update((i, j) for i in mentees_by_emp.get(boss, ()))
        for i, p in enumerate(self.mentees):  # the mentor is the mentee's manager, or above
            if p.employee_id:
                for boss in org.chain(p.employee_id, depth):
                    cells.update((i, j) for j in mentors_by_emp.get(boss, ()))
        return self._as_arrays(cells)

    def _exclusions(self) -> tuple[np.ndarray, np.ndarray]:
        e_index = {p.id: i for i, p in enumerate(self.mentees)}
        m_index = {p.id: j for j, p in enumerate(self.mentors)}
        cells: set[tuple[int, int]] = set()
        for j, p in enumerate(self.mentors):
            cells.update((e_index[x], j) for x in p.exclusions if x in e_index)
        for i, p in enumerate(self.mentees):
            cells.update((i, m_index[x]) for x in p.exclusions if x in m_index)
        return self._as_arrays(cells)

    def _repeats(self) -> tuple[np.ndarray, np.ndarray]:
        e_index = {p.id: i for i, p in enumerate(self.mentees)}
        m_index = {p.id: j for j, p in enumerate(self.mentors)}
        cells = {(e_index[mentee], m_index[mentor])
                 for (mentor, mentee), pairs in self.rules.by_people.items()
                 if mentor in m_index and mentee in e_index
                 and any(p.status != "proposed" for p in pairs)}
        return self._as_arrays(cells)

    def _scatter(self, rule: str, lo: int, hi: int) -> np.ndarray:
        rows, cols = self.sparse[rule]
        out = np.zeros((hi - lo, len(self.mentors)), dtype=bool)
        a, b = np.searchsorted(rows, lo), np.searchsorted(rows, hi)
        out[rows[a:b] - lo, cols[a:b]] = True
        return out

    # -- blocks ------------------------------------------------------------------

    def block(self, lo: int = 0, hi: int | None = None,
              rules: Sequence[str] = MASK_RULES) -> dict[str, np.ndarray]:
        """For mentees ``lo:hi``: ``{rule: (hi-lo, mentors) bool}``, True where it is broken."""
        hi = len(self.mentees) if hi is None else hi
        n, m = hi - lo, len(self.mentors)
        out: dict[str, np.ndarray] = {}
        on = self.on
        for rule in rules:
            if rule == "training" and self.start is None or not on.get(rule, False):
                continue
            if rule == "roles":
                v = ~(self.e_is_mentee[lo:hi, None] & self.m_is_mentor[None, :])
            elif rule == "grade":
                eg, mg = self.e_grade[lo:hi, None], self.m_grade[None, :]
                v = (eg >= 0) & (mg >= 0) & (mg + self.gap > eg)
            elif rule == "reporting_line":
                v = self._scatter("reporting_line", lo, hi)
                if self.rules.cfg["reporting_line"].get("same_manager", True):
                    eb = self.e_boss[lo:hi, None]
                    v |= (eb >= 0) & (eb == self.m_boss[None, :])
            elif rule == "department":
                ed = self.e_dept[lo:hi, None]
                v = (ed >= 0) & (ed == self.m_dept[None, :])
            elif rule == "language":
                if self.e_lang.shape[1] == 1:  # one word: any common bit, no counting
                    shared = (self.e_lang[lo:hi, 0, None] & self.m_lang[None, :, 0]) != 0
                else:
                    shared = shared_count(self.e_lang[lo:hi], self.m_lang) > 0
                v = self.e_has_lang[lo:hi, None] & self.m_has_lang[None, :] & ~shared
            elif rule == "timezone":
                with np.errstate(invalid="ignore"):
                    v = np.abs(self.e_off[lo:hi, None] - self.m_off[None, :]) > self.tz_limit
            elif rule in ("exclusions", "repeat"):
                v = self._scatter(rule, lo, hi)
            elif rule == "status":
                v = ~self.e_eligible[lo:hi, None] | ~self.m_eligible[None, :]
            elif rule == "training":
                v = ~self.e_trained[lo:hi, None] | ~self.m_trained[None, :]
            else:  # pragma: no cover - a new rule must be added here
                raise AssertionError(f"no mask for rule {rule!r}")
            out[rule] = np.broadcast_to(v, (n, m)).copy() if v.shape != (n, m) else v
        if self.overlap:  # someone on both sides: never their own mentor, and only that is said
            me = self.e_id[lo:hi, None] == self.m_id[None, :]
            if me.any():
                for rule in out:
                    out[rule][me] = False
                out.setdefault("roles", np.zeros((n, m), dtype=bool))[me] = True
        return out

    def feasible(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """For mentees ``lo:hi``: (hi-lo, mentors) bool, True where no rule is broken."""
        hi = len(self.mentees) if hi is None else hi
        ok = np.ones((hi - lo, len(self.mentors)), dtype=bool)
        for v in self.block(lo, hi).values():
            ok &= ~v
        if self.overlap and not self.on["roles"]:
            ok &= self.e_id[lo:hi, None] != self.m_id[None, :]
        return ok
