"""Matching: optimal, rule-abiding, explainable mentor-mentee suggestions.

The public API (the CLI and the TUI call these):

- :func:`suggest` computes the optimal (or stable) assignment for the
  program's objective, keeping existing pairs and pins;
- :func:`explain` shows every hard rule and every criterion of one pair;
- :func:`why_unmatched` says, for every candidate of a person, which rule
  excluded them, or whom they went to and what changing that would cost;
- :func:`report` (in :mod:`rmtui.core.matching.report`) describes the quality
  of a suggestion or of the current pairs.

numpy and scipy are imported by the submodules that need them, only when a
function here is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rmtui.core.matching.problem import Progress
    from rmtui.core.store import Program

CRITERIA = ("skills", "interests", "preferences", "location", "timezone", "availability",
            "diversity")


@dataclass
class Suggested:
    mentor: str
    mentee: str
    score: float
    breakdown: dict[str, float]
    kept: bool                      # an existing accepted/active pair, or a pin
    why: str = ""                   # for a kept pair: which pair, or "pinned"
    pair_id: str | None = None      # the existing pair, for a kept one


@dataclass
class Unmatched:
    id: str
    role: str
    reason: str


@dataclass
class Suggestion:
    pairs: list[Suggested]
    unmatched: list[Unmatched]
    objective: str
    algorithm: str
    total_score: float
    run: str
    proven: bool = False            # optimal: proven over every allowed pair; stable: no blocking pair
    blocking_pairs: int | None = None
    pins: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)
    _state: Any = field(default=None, repr=False, compare=False)

    @property
    def new_pairs(self) -> list[Suggested]:
        """The pairs the solver chose (not kept, not pinned)."""
        return [p for p in self.pairs if not p.kept]

    @property
    def to_write(self) -> list[Suggested]:
        """The pairs that have no pair file yet: the solver's and the pins."""
        return [p for p in self.pairs if p.pair_id is None]

    def to_json(self) -> dict:
        return {
            "pairs": [{"mentor": p.mentor, "mentee": p.mentee, "score": p.score,
                       "breakdown": p.breakdown, "kept": p.kept,
                       **({"pair": p.pair_id} if p.pair_id else {})} for p in self.pairs],
            "unmatched": [{"id": u.id, "role": u.role, "reason": u.reason}
                          for u in self.unmatched],
            "objective": self.objective, "algorithm": self.algorithm,
            "total_score": self.total_score, "run": self.run, "proven": self.proven,
            **({"blocking_pairs": self.blocking_pairs} if self.blocking_pairs is not None
               else {}),
        }


@dataclass
class RuleCheck:
    rule: str
    ok: bool
    message: str


@dataclass
class Criterion:
    name: str
    raw: float
    weight: float
    contribution: float
    detail: str


@dataclass
class Explanation:
    mentor: str
    mentee: str
    rules: list[RuleCheck]
    criteria: list[Criterion]
    score: float
    eligible: bool


@dataclass
class WhyNot:
    """One candidate of a person who went unmatched (or did not get them)."""

    candidate: str
    outcome: str                 # "rule", "min_score", "excluded", "full", "matched", "taken"
    message: str
    score: float | None = None   # the pair's score, when the rules allow it
    went_to: tuple[str, ...] = ()
    cost: float | None = None    # total score lost by giving them this candidate
    lost_matches: int = 0        # mentees who would be left unmatched by that
    rule: str | None = None


def top_reasons(breakdown: dict[str, float], n: int = 3) -> str:
    """The ``n`` criteria that add most to a score, as ``"skills 0.35, diversity 0.1"``."""
    top = sorted(((v, k) for k, v in breakdown.items() if v > 0), key=lambda x: (-x[0], x[1]))
    return ", ".join(f"{k} {v:g}" for v, k in top[:n])


def suggest(program: Program, *, pins: Iterable[str | tuple[str, str]] = (),
            exclude: Iterable[str] = (), objective: str | None = None,
            algorithm: str | None = None, as_of: dt.date | None = None,
            progress: Progress | None = None) -> Suggestion:
    """The suggested pairs for the program, with every unmatched person's reason."""
    from rmtui.core.matching.suggestions import run

    return run(program, pins=pins, exclude=exclude, objective=objective, algorithm=algorithm,
               as_of=as_of, progress=progress)


def explain(program: Program, mentor_id: str, mentee_id: str, *,
            as_of: dt.date | None = None, suggestion: Suggestion | None = None) -> Explanation:
    """Every hard rule (pass, or why not) and every criterion of one mentor-mentee pair.

    Given the ``suggestion`` it belongs to, the run's reading of the program (and
    its day) is used instead of reading the program again."""
    from rmtui.core.matching.explanations import explain as run

    return run(program, mentor_id, mentee_id, as_of=as_of, suggestion=suggestion)


def why_unmatched(program: Program, person_id: str, *, suggestion: Suggestion | None = None,
                  as_of: dt.date | None = None) -> list[WhyNot]:
    """For each candidate of ``person_id``: the rule that excluded them, or who got them
    and what it would cost the total to change that."""
    from rmtui.core.matching.explanations import why_unmatched as run

    return run(program, person_id, suggestion=suggestion, as_of=as_of)


__all__ = ["CRITERIA", "Criterion", "Explanation", "RuleCheck", "Suggested", "Suggestion",
           "Unmatched", "WhyNot", "explain", "suggest", "top_reasons", "why_unmatched"]
