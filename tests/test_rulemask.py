"""The vectorised rules agree with the scalar ones on every combination.

``RuleMasks`` (what the matcher uses over 10^8 combinations) and
``PairRules.check`` (what validation and `match explain` use, in words) are
built from the same settings; on random small programs, with every rule
switched on or off and every parameter varied, they say the same thing about
every mentor x mentee combination, rule by rule.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rmtui.core import schemas
from rmtui.core.model import Pair, Participant
from rmtui.core.rulemask import MASK_RULES, RuleMasks
from rmtui.core.rules import RULES, PairRules
from rmtui.core.settings import Settings, _merge

AS_OF = dt.date(2027, 3, 1)
EMPLOYEES = [f"E{i}" for i in range(8)]
ZONES = ["Europe/Stockholm", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC",
         "Asia/Kolkata", "Mars/Olympus", None]
DEPTS = ["IT", "it ", "Sales", "  ", "", None]
LANGS = ["en", "EN", "sv", "fr", ""]
DAYS = [None, dt.date(2027, 1, 5), dt.date(2027, 2, 20), dt.date(2027, 3, 10)]


@st.composite
def people(draw) -> list[Participant]:
    n = draw(st.integers(2, 7))
    ids = [f"p{i}" for i in range(n)]
    out = []
    for pid in ids:
        out.append(Participant(
            id=pid, name=pid, role=draw(st.sampled_from(["mentor", "mentee"])),
            employee_id=draw(st.sampled_from([*EMPLOYEES, None])),
            manager_id=draw(st.sampled_from([*EMPLOYEES, None])),
            department=draw(st.sampled_from(DEPTS)),
            timezone=draw(st.sampled_from(ZONES)),
            languages=tuple(draw(st.lists(st.sampled_from(LANGS), max_size=3))),
            grade=draw(st.sampled_from([None, 1, 2, 3, 5, 7])),
            status=draw(st.sampled_from(["applied", "accepted", "active", "withdrawn"])),
            training_completed=draw(st.sampled_from(DAYS)),
            exclusions=tuple(draw(st.lists(st.sampled_from(ids), max_size=2))),
        ))
    return out


@st.composite
def rule_settings(draw) -> Settings:
    rules = {name: {"enabled": draw(st.booleans())} for name in RULES}
    rules["grade"]["min_gap"] = draw(st.integers(0, 3))
    rules["reporting_line"]["depth"] = draw(st.integers(1, 4))
    rules["reporting_line"]["same_manager"] = draw(st.booleans())
    rules["timezone"]["max_gap_hours"] = draw(st.sampled_from([0, 1, 5.5, 6, 9]))
    rules["status"]["eligible"] = draw(st.lists(
        st.sampled_from(["applied", "accepted", "active", "withdrawn"]), unique=True))
    return Settings(values=_merge(schemas.get("program").defaults(), {"rules": rules}))


@st.composite
def programs(draw):
    folks = draw(people())
    ids = [p.id for p in folks]
    pairs = []
    for k in range(draw(st.integers(0, 4))):
        pairs.append(Pair(id=f"pair-{k}", mentor=draw(st.sampled_from(ids)),
                          mentee=draw(st.sampled_from(ids)),
                          status=draw(st.sampled_from(["proposed", "active", "ended",
                                                       "completed"])),
                          proposed=dt.date(2026, 12, 1)))
    org = draw(st.dictionaries(st.sampled_from(EMPLOYEES + ["X1", "X2"]),
                               st.sampled_from(EMPLOYEES + ["X1", "X2"]), max_size=4))
    return folks, pairs, org, draw(rule_settings())


@settings(max_examples=150, deadline=None)
@given(programs())
def test_masks_and_scalar_rules_agree_on_every_combination(program) -> None:
    folks, pairs, org, s = program
    rules = PairRules(s, {p.id: p for p in folks}, pairs, as_of=AS_OF, org_extra=org)
    masks = RuleMasks(rules, folks, folks)
    block = masks.block()
    feasible = masks.feasible()
    for i, mentee in enumerate(folks):
        for j, mentor in enumerate(folks):
            said = {v.rule for v in rules.check(mentor, mentee)}
            shown = {r for r, v in block.items() if v[i, j]}
            assert shown == said, (mentor, mentee, said, shown)
            assert bool(feasible[i, j]) == (not said)


@settings(max_examples=60, deadline=None)
@given(programs(), st.sampled_from(DAYS[1:]))
def test_the_training_mask_is_the_rule_for_a_pair_starting_that_day(program, start) -> None:
    folks, pairs, org, s = program
    rules = PairRules(s, {p.id: p for p in folks}, pairs, as_of=AS_OF, org_extra=org)
    block = RuleMasks(rules, folks, folks, start=start).block(rules=("training",))
    for i, mentee in enumerate(folks):
        for j, mentor in enumerate(folks):
            if mentor.id == mentee.id:
                continue
            pair = Pair(id="candidate", mentor=mentor.id, mentee=mentee.id, status="active",
                        started=start)
            said = any(v.rule == "training" for v in rules.check(mentor, mentee, pair=pair))
            shown = bool(block["training"][i, j]) if "training" in block else False
            assert shown == said


def test_every_rule_but_capacity_has_a_mask() -> None:
    assert set(MASK_RULES) == set(RULES) - {"capacity"}


def test_blocks_put_together_are_the_whole() -> None:
    folks = [Participant(id=f"m{i}", name="m", role="mentor", department=f"D{i % 3}",
                         status="active") for i in range(5)]
    folks += [Participant(id=f"e{i}", name="e", role="mentee", department=f"D{i % 2}",
                          status="active", exclusions=("m1",)) for i in range(7)]
    s = Settings(values=schemas.get("program").defaults())
    rules = PairRules(s, {p.id: p for p in folks}, as_of=AS_OF)
    masks = RuleMasks(rules, folks[:5], folks[5:])
    whole = masks.feasible()
    parts = np.vstack([masks.feasible(0, 3), masks.feasible(3, 7)])
    assert (whole == parts).all()
    assert not whole[:, 1].any()  # every mentee excluded m1
