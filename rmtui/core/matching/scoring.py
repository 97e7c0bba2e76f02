"""The soft criteria, vectorised: each scored 0-1, weighted, summed exactly.

Every criterion is computed with numpy over a block of mentees x all mentors
(``block``) or over a list of (mentee, mentor) combinations (``pairs``), by
the same code and the same arithmetic, so the score of a pair is the same
number whichever way it was asked for. Contributions are whole numbers of
``1/UNIT`` (weight x criterion, rounded to 4 decimals), so a breakdown adds up
to its score exactly and the solver works on integers.

| criterion | 0-1 value |
|---|---|
| skills | mentee's learning topics the mentor has in skills / mentee's learning topics |
| interests | shared interests / the shorter interest list |
| preferences | mean of both sides: ``1 - (place - 1) / len(list)`` for the other person's place in one's ranked preferences, 0 if not listed |
| location | 1 when both give the same location |
| timezone | ``1 - hours apart / max(1, rules.timezone.max_gap_hours)``, at least 0; 0 when a zone is unknown |
| availability | shared availability slots / the shorter slot list |
| diversity | a third each for a different department, location and age band (decade of birth), when both are known |

Text compares ignoring case and surrounding spaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from rmtui.core.model import Participant
from rmtui.core.rulemask import bitsets
from rmtui.core.rules import department_key, offset_of
from rmtui.core.settings import Settings

CRITERIA = ("skills", "interests", "preferences", "location", "timezone", "availability",
            "diversity")
UNIT = 10_000  # contributions are whole numbers of 1/UNIT: 4 decimals


def _key(text: str | None) -> str | None:
    return text.strip().casefold() if text and text.strip() else None


def _keys(items: Sequence[str]) -> frozenset[str]:
    return frozenset(k for k in (_key(x) for x in items) if k is not None)


def _codes(values: Sequence[str | int | None]) -> np.ndarray:
    vocab = {v: i for i, v in enumerate(sorted({v for v in values if v is not None}, key=str))}
    return np.array([vocab[v] if v is not None else -1 for v in values], dtype=np.int32)


def _shared(a: np.ndarray, ai: np.ndarray, b: np.ndarray, bj: np.ndarray) -> np.ndarray:
    """``|A[ai] & B[bj]|`` with numpy broadcasting of the index arrays."""
    if a.shape[1] == 1:
        return np.bitwise_count(a[ai, 0] & b[bj, 0])
    total = np.zeros(np.broadcast_shapes(ai.shape, bj.shape), dtype=np.int32)
    for w in range(a.shape[1]):
        total += np.bitwise_count(a[ai, w] & b[bj, w])
    return total


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    den = np.broadcast_to(den, num.shape)
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


class Scorer:
    """Scores of ``mentees`` (rows) x ``mentors`` (columns) under the program's weights."""

    def __init__(self, settings: Settings, mentors: Sequence[Participant],
                 mentees: Sequence[Participant], as_of: dt.date) -> None:
        self.mentors, self.mentees = list(mentors), list(mentees)
        self.as_of = as_of
        weights = settings.get("weights", {}) or {}
        self.weights = {c: float(weights.get(c, 0.0)) for c in CRITERIA}
        self.scale = {c: self.weights[c] * UNIT for c in CRITERIA}
        self.tz_scale = max(1.0, float(settings.rule("timezone").get("max_gap_hours", 6)))
        nm = len(self.mentors)
        everyone = (*self.mentors, *self.mentees)
        topics, _ = bitsets([_keys(p.skills) for p in self.mentors]
                            + [_keys(p.learning_topics) for p in self.mentees])
        self.m_skills, self.e_topics = topics[:nm], topics[nm:]
        self.e_ntopics = np.array([len(_keys(p.learning_topics)) for p in self.mentees],
                                  dtype=np.int32)
        for name, attr in (("interests", "interests"), ("slots", "availability")):
            sets = [_keys(getattr(p, attr)) for p in everyone]
            bits, _ = bitsets(sets)
            counts = np.array([len(s) for s in sets], dtype=np.int32)
            setattr(self, f"m_{name}", bits[:nm])
            setattr(self, f"e_{name}", bits[nm:])
            setattr(self, f"m_n{name}", counts[:nm])
            setattr(self, f"e_n{name}", counts[nm:])
        loc = _codes([_key(p.location) for p in everyone])
        self.m_loc, self.e_loc = loc[:nm], loc[nm:]
        dept = _codes([department_key(p) or None for p in everyone])
        self.m_dept, self.e_dept = dept[:nm], dept[nm:]
        band = _codes([p.birth_date.year // 10 if p.birth_date else None for p in everyone])
        self.m_band, self.e_band = band[:nm], band[nm:]
        off = np.full(len(everyone), np.nan)
        for k, p in enumerate(everyone):
            o = offset_of(p, as_of)
            if o is not None:
                off[k] = o
        self.m_off, self.e_off = off[:nm], off[nm:]
        # preferences: the value each side gives the other, kept sparse
        m_index = {p.id: j for j, p in enumerate(self.mentors)}
        e_index = {p.id: i for i, p in enumerate(self.mentees)}
        self.e_pref: dict[tuple[int, int], float] = {}
        self.m_pref: dict[tuple[int, int], float] = {}
        for i, p in enumerate(self.mentees):
            for place, other in enumerate(p.preferences):
                if other in m_index:
                    self.e_pref.setdefault((i, m_index[other]), 1.0 - place / len(p.preferences))
        for j, p in enumerate(self.mentors):
            for place, other in enumerate(p.preferences):
                if other in e_index:
                    self.m_pref.setdefault((e_index[other], j), 1.0 - place / len(p.preferences))
        self._pref_rows = self._sparse_rows()

    def _sparse_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cells: dict[tuple[int, int], float] = {}
        for key, v in self.e_pref.items():
            cells[key] = cells.get(key, 0.0) + v
        for key, v in self.m_pref.items():
            cells[key] = cells.get(key, 0.0) + v
        ordered = sorted(cells)
        return (np.array([r for r, _ in ordered], dtype=np.int64),
                np.array([c for _, c in ordered], dtype=np.int64),
                np.array([cells[k] for k in ordered], dtype=np.float64))

    # -- the criteria --------------------------------------------------------

    def raw(self, ei: np.ndarray, mj: np.ndarray, *, dense_rows: tuple[int, int] | None = None
            ) -> dict[str, np.ndarray]:
        """Each criterion's 0-1 value for mentee indices ``ei`` and mentor indices ``mj``.

        ``ei``/``mj`` broadcast against each other: (n, 1) and (1, m) for a
        block, or two (k,) arrays for k combinations.
        """
        out: dict[str, np.ndarray] = {}
        w = self.weights
        shape = np.broadcast_shapes(ei.shape, mj.shape)
        if w["skills"]:
            out["skills"] = _ratio(_shared(self.e_topics, ei, self.m_skills, mj),
                                   self.e_ntopics[ei])
        if w["interests"]:
            out["interests"] = _ratio(_shared(self.e_interests, ei, self.m_interests, mj),
                                      np.minimum(self.e_ninterests[ei], self.m_ninterests[mj]))
        if w["availability"]:
            out["availability"] = _ratio(_shared(self.e_slots, ei, self.m_slots, mj),
                                         np.minimum(self.e_nslots[ei], self.m_nslots[mj]))
        if w["preferences"]:
            out["preferences"] = self._preferences(ei, mj, shape, dense_rows) / 2.0
        if w["location"]:
            el, ml = self.e_loc[ei], self.m_loc[mj]
            out["location"] = ((el >= 0) & (el == ml)).astype(np.float64)
        if w["timezone"]:
            with np.errstate(invalid="ignore"):
                tz = 1.0 - np.abs(self.e_off[ei] - self.m_off[mj]) / self.tz_scale
            out["timezone"] = np.nan_to_num(np.clip(tz, 0.0, 1.0), nan=0.0)
        if w["diversity"]:
            parts = np.zeros(shape, dtype=np.float64)
            for e, m in ((self.e_dept, self.m_dept), (self.e_loc, self.m_loc),
                         (self.e_band, self.m_band)):
                a, b = e[ei], m[mj]
                parts += ((a >= 0) & (b >= 0) & (a != b))
            out["diversity"] = parts / 3.0
        return {c: np.broadcast_to(v, shape) for c, v in out.items()}

    def _preferences(self, ei: np.ndarray, mj: np.ndarray, shape: tuple,
                     dense_rows: tuple[int, int] | None) -> np.ndarray:
        out = np.zeros(shape, dtype=np.float64)
        rows, cols, vals = self._pref_rows
        if not len(rows):
            return out
        if dense_rows is not None:  # a block: rows lo:hi x every mentor
            lo, hi = dense_rows
            a, b = np.searchsorted(rows, lo), np.searchsorted(rows, hi)
            out[rows[a:b] - lo, cols[a:b]] = vals[a:b]
            return out
        lookup = {(int(r), int(c)): v for r, c, v in zip(rows, cols, vals, strict=True)}
        flat_e, flat_m = np.broadcast_arrays(ei, mj)
        for idx in np.ndindex(shape):
            out[idx] = lookup.get((int(flat_e[idx]), int(flat_m[idx])), 0.0)
        return out

    # -- contributions: whole units, from small exact tables ------------------

    def _tables(self) -> None:
        """Each criterion's contribution as a table of whole units, by what it depends on.

        ``table[n][k]`` for the ratio criteria (k shared of n), per pair of
        time-zone offsets, per number of differing backgrounds: built with the
        same formulas as :meth:`raw`, so ``units == rint(raw * weight * UNIT)``.
        """
        def ratio_table(c: str, n_max: int) -> np.ndarray:
            n = np.arange(n_max + 1, dtype=np.float64)[:, None]
            k = np.arange(n_max + 1, dtype=np.float64)[None, :]
            v = _ratio(np.broadcast_to(k, (n_max + 1, n_max + 1)), n)
            return np.rint(v * self.scale[c]).astype(np.int32)

        self.n_cap = int(max([1, *self.e_ntopics, *self.e_ninterests, *self.m_ninterests,
                              *self.e_nslots, *self.m_nslots]))
        self.t_ratio = {c: ratio_table(c, self.n_cap) for c in ("skills", "interests",
                                                                 "availability")}
        offsets = np.unique(np.concatenate([self.e_off, self.m_off]))
        offsets = offsets[~np.isnan(offsets)]
        self.zones = offsets
        zone = {float(o): k for k, o in enumerate(offsets)}
        z = len(offsets)
        self.e_zone = np.array([zone.get(float(o), z) for o in self.e_off], dtype=np.int32)
        self.m_zone = np.array([zone.get(float(o), z) for o in self.m_off], dtype=np.int32)
        ez = np.append(offsets, np.nan)
        with np.errstate(invalid="ignore"):
            tz = 1.0 - np.abs(ez[:, None] - ez[None, :]) / self.tz_scale
        tz = np.nan_to_num(np.clip(tz, 0.0, 1.0), nan=0.0)
        self.t_tz = np.rint(tz * self.scale["timezone"]).astype(np.int32)
        self.t_div = np.rint(np.arange(4) / 3.0 * self.scale["diversity"]).astype(np.int32)
        self.u_location = np.int32(np.rint(1.0 * self.scale["location"]))
        rows, cols, vals = self._pref_rows
        self.u_pref = np.rint(vals / 2.0 * self.scale["preferences"]).astype(np.int32)

    def units(self, ei: np.ndarray, mj: np.ndarray, *, dense_rows: tuple[int, int] | None = None
              ) -> dict[str, np.ndarray]:
        """Each criterion's contribution in whole units (int32), broadcasting like :meth:`raw`."""
        if not hasattr(self, "t_tz"):
            self._tables()
        w = self.weights
        shape = np.broadcast_shapes(ei.shape, mj.shape)
        out: dict[str, np.ndarray] = {}
        stride = self.n_cap + 1
        if w["skills"]:
            k = _shared(self.e_topics, ei, self.m_skills, mj)
            out["skills"] = self.t_ratio["skills"].reshape(-1)[
                self.e_ntopics[ei] * stride + k]
        for c, e_bits, m_bits, e_n, m_n in (
                ("interests", self.e_interests, self.m_interests, self.e_ninterests,
                 self.m_ninterests),
                ("availability", self.e_slots, self.m_slots, self.e_nslots, self.m_nslots)):
            if w[c]:
                k = _shared(e_bits, ei, m_bits, mj)
                out[c] = self.t_ratio[c].reshape(-1)[np.minimum(e_n[ei], m_n[mj]) * stride + k]
        if w["preferences"]:
            pref = np.zeros(shape, dtype=np.int32)
            rows, cols, _ = self._pref_rows
            if len(rows):
                if dense_rows is not None:
                    lo, hi = dense_rows
                    a, b = np.searchsorted(rows, lo), np.searchsorted(rows, hi)
                    pref[rows[a:b] - lo, cols[a:b]] = self.u_pref[a:b]
                else:
                    lookup = {(int(r), int(c)): int(u)
                              for r, c, u in zip(rows, cols, self.u_pref, strict=True)}
                    fe, fm = np.broadcast_arrays(ei, mj)
                    for idx in np.ndindex(shape):
                        pref[idx] = lookup.get((int(fe[idx]), int(fm[idx])), 0)
            out["preferences"] = pref
        if w["location"]:
            el = self.e_loc[ei]
            out["location"] = np.where((el >= 0) & (el == self.m_loc[mj]), self.u_location,
                                       np.int32(0))
        if w["timezone"]:
            out["timezone"] = self.t_tz.reshape(-1)[self.e_zone[ei] * (len(self.zones) + 1)
                                                    + self.m_zone[mj]]
        if w["diversity"]:
            k = np.zeros(shape, dtype=np.uint8)
            for e, m in ((self.e_dept, self.m_dept), (self.e_loc, self.m_loc),
                         (self.e_band, self.m_band)):
                a, b = e[ei], m[mj]
                k += ((a >= 0) & (b >= 0)) & (a != b)
            out["diversity"] = self.t_div[k]
        return {c: np.broadcast_to(v, shape) for c, v in out.items()}

    def block(self, lo: int, hi: int, cols: np.ndarray | None = None) -> np.ndarray:
        """Score units of mentees ``lo:hi`` x mentors (all, or ``cols``): (n, m) int32."""
        ei = np.arange(lo, hi)[:, None]
        mj = (np.arange(len(self.mentors)) if cols is None else cols)[None, :]
        dense = (lo, hi) if cols is None else None
        total = np.zeros((hi - lo, mj.shape[1]), dtype=np.int32)
        for v in self.units(ei, mj, dense_rows=dense).values():
            total += v
        return total

    def breakdowns(self, ei: Sequence[int], mj: Sequence[int]) -> list[dict[str, int]]:
        """Each combination's contributions by criterion (units), every criterion named."""
        e, m = np.asarray(ei, dtype=np.int64), np.asarray(mj, dtype=np.int64)
        parts = self.units(e, m) if len(e) else {}
        return [{c: int(parts[c][k]) if c in parts else 0 for c in CRITERIA}
                for k in range(len(e))]

    @property
    def max_units(self) -> int:
        return int(sum(round(s) for s in self.scale.values())) + len(CRITERIA)


def as_score(units: int) -> float:
    """Whole units as the score people read (4 decimals)."""
    return units / UNIT
