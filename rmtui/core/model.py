"""Dataclasses for the entities, built from checked file data.

Files carry only what is set; a field a file leaves out takes the default
its schema gives (``capacity`` 1, ``status`` ``applied``, ...). Dates become
``datetime.date`` and lists become tuples. Build models only from records
that passed their schema.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


@cache
def _converters(cls: type) -> tuple[tuple[str, str], ...]:
    """For each field: how to convert it ('date', 'tuple', 'dict' or '')."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        hint = hints[f.name]
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        how = ""
        for a in args:
            origin = typing.get_origin(a) or a
            if a is dt.date:
                how = "date"
            elif origin is tuple:
                how = "tuple"
        out.append((f.name, how))
    return tuple(out)


def from_dict(cls: type[T], data: dict) -> T:
    kwargs: dict[str, Any] = {}
    for name, how in _converters(cls):
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if how == "date":
            value = dt.date.fromisoformat(value)
        elif how == "tuple":
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    role: str
    email: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    title: str | None = None
    department: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    grade: int | None = None
    hired: dt.date | None = None
    cohort: str | None = None
    skills: tuple[str, ...] = ()
    learning_topics: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    capacity: int = 1
    status: str = "applied"
    joined: dt.date | None = None
    training_completed: dt.date | None = None
    consent: dt.date | None = None
    preferences: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    birth_year: int | None = None
    gender: str | None = None
    ethnicity: str | None = None
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    mentor: str
    mentee: str
    status: str
    cohort: str | None = None
    proposed: dt.date | None = None
    accepted: dict = field(default_factory=dict)
    started: dt.date | None = None
    pauses: tuple[dict, ...] = ()
    ended: dt.date | None = None
    end_reason: str | None = None
    match: dict = field(default_factory=dict)

    OPEN = ("proposed", "accepted", "active", "paused")
    COMMITTED = ("accepted", "active", "paused")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def accepted_on(self, side: str) -> dt.date | None:
        return _date(self.accepted.get(side))


@dataclass(frozen=True, slots=True)
class Goal:
    id: str
    owner: str
    title: str
    pair: str | None = None
    description: str | None = None
    measure: str | None = None
    baseline: str | float | None = None
    target: str | float | None = None
    due: dt.date | None = None
    status: str = "open"
    created: dt.date | None = None
    completed: dt.date | None = None
    drop_reason: str | None = None
    progress: tuple[dict, ...] = ()


@dataclass(frozen=True, slots=True)
class Agreement:
    pair: str
    goals: tuple[str, ...] = ()
    frequency: str | None = None
    duration_minutes: int | None = None
    channel: str | None = None
    confidentiality: str | None = None
    feedback_norms: str | None = None
    boundaries: str | None = None
    review_date: dt.date | None = None
    signed: dict = field(default_factory=dict)

    def signed_on(self, side: str) -> dt.date | None:
        return _date(self.signed.get(side))


@dataclass(frozen=True, slots=True)
class Session:
    pair: str
    date: dt.date
    status: str = "held"
    time: str | None = None
    duration_minutes: int | None = None
    mode: str | None = None
    topics: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    ratings: dict = field(default_factory=dict)
    summary: str | None = None
    next_steps: str | None = None


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    title: str
    kind: str
    questions: tuple[dict, ...] = ()
    audience: str = "all"
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    survey: str
    participant: str
    status: str = "submitted"
    sent: dt.date | None = None
    submitted: dt.date | None = None
    answers: dict = field(default_factory=dict)


MODELS: dict[str, type] = {
    "participant": Participant, "pair": Pair, "goal": Goal, "agreement": Agreement,
    "session": Session, "survey": Survey, "response": Response,
}
