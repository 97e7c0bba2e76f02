"""validate's kept results: after any change, the same report as a run from nothing.

A run keeps what each entity's checks looked at and checks again only what
a change can touch. These tests make changes of every sort by hand, in
random orders, and compare each cached run with a run that ignores every
cache.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rmtui.core import ops
from rmtui.core.store import Program
from rmtui.core.validate import validate

PAIR = "asa-oberg--nguyen-van-duc"
PAIR2 = "joost-van-der-meer--lucia-d-angelo"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _remove(root: Path, rel: str) -> None:
    path = root / rel
    if path.exists() or path.is_symlink():
        path.unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    # a participant change that breaks the open pair's rules
    "grade up": lambda r: _edit(r, "participants/asa-oberg.yaml", "grade: 2", "grade: 9"),
    "same department": lambda r: _edit(r, "participants/nguyen-van-duc.yaml",
                                       "department: Sales", "department: IT"),
    "duplicate employee id": lambda r: _edit(r, "participants/lucia-d-angelo.yaml",
                                             "employee_id: E201", "employee_id: E200"),
    # the pair ends before its session
    "pair ended": lambda r: _edit(r, f"pairs/{PAIR}.yaml", "status: active",
                                  "status: ended\nended: 2027-01-25"),
    "session moved": lambda r: _edit(r, f"sessions/{PAIR}/2027-02-03.yaml", "date: 2027-02-03",
                                     "date: 2027-02-04"),
    # changes elsewhere that a pair's rules see: an org chart link, an earlier pair
    "a skip-level boss appears": lambda r: _write(
        r, "participants/boss.yaml", "id: boss\nname: Boss\nrole: mentee\nemployee_id: E901\n"
        "manager_id: E201\n"),
    "the two were paired before": lambda r: _write(
        r, f"pairs/{PAIR2}-2.yaml", f"id: {PAIR2}-2\nmentor: joost-van-der-meer\n"
        "mentee: lucia-d-angelo\nstatus: completed\nstarted: 2026-01-05\nended: 2026-06-01\n"),
    # asa becomes joost's manager, and lucia hers: a line from joost up to lucia
    "asa's new employee id": lambda r: _edit(r, "participants/asa-oberg.yaml",
                                             "employee_id: E100", "employee_id: E901"),
    "asa's new manager": lambda r: _edit(r, "participants/asa-oberg.yaml",
                                         "manager_id: E900", "manager_id: E201"),
    # changes the whole-kind checks do not read (the pair's own checks still run)
    "a new title": lambda r: _edit(r, "participants/joost-van-der-meer.yaml",
                                   "role: mentor", "role: mentor\ntitle: Lead"),
    "a new skill for the mentor": lambda r: _edit(r, "participants/asa-oberg.yaml",
                                                  "  - Teams", "  - Teams\n  - Excel"),
    "a pair's end reason": lambda r: _edit(r, f"pairs/{PAIR2}.yaml", "status: active",
                                           "status: active\nend_reason: none yet"),
    # references appear and disappear
    "goal of a ghost": lambda r: _write(r, "goals/ghost-goal.yaml",
                                        "id: ghost-goal\nowner: nobody-here\ntitle: Haunt\n"),
    "the ghost arrives": lambda r: _write(r, "participants/nobody-here.yaml",
                                          "id: nobody-here\nname: Nobody\nrole: mentee\n"),
    "the ghost leaves": lambda r: _remove(r, "participants/nobody-here.yaml"),
    "a mentor goes": lambda r: _remove(r, "participants/joost-van-der-meer.yaml"),
    "a second pair for the mentor": lambda r: _write(
        r, "pairs/asa-oberg--lucia-d-angelo.yaml",
        "id: asa-oberg--lucia-d-angelo\nmentor: asa-oberg\nmentee: lucia-d-angelo\n"
        "status: active\nproposed: 2027-01-10\nstarted: 2027-01-21\n"),
    "a proposed pair for asa": lambda r: _write(
        r, "pairs/asa-oberg--lucia-d-angelo.yaml",
        "id: asa-oberg--lucia-d-angelo\nmentor: asa-oberg\nmentee: lucia-d-angelo\n"
        "status: proposed\nproposed: 2027-02-10\n"),
    "it is accepted": lambda r: _edit(r, "pairs/asa-oberg--lucia-d-angelo.yaml",
                                      "status: proposed", "status: accepted"),
    # broken files, strays, links, a second file declaring one id
    "broken yaml": lambda r: _write(r, "participants/broken.yaml", "id: broken\nname: [oops\n"),
    "fixed yaml": lambda r: _write(r, "participants/broken.yaml",
                                   "id: broken\nname: Fixed\nrole: mentor\n"),
    "stray": lambda r: _write(r, "pairs/notes.txt", "remember the milk\n"),
    "link": lambda r: (r / "participants" / "link.yaml").symlink_to(
        r / "participants" / "asa-oberg.yaml"),
    "same id twice": lambda r: _write(r, "participants/copy.yaml",
                                      (r / "participants" / "asa-oberg.yaml").read_text()),
    "a future session": lambda r: _write(r, f"sessions/{PAIR}/2027-06-01.yaml",
                                         f"pair: {PAIR}\ndate: 2027-06-01\n"),
    # settings: everything is checked again
    "a rule switched off": lambda r: _edit(r, "program.toml", "[rules.department]\nenabled = true",
                                           "[rules.department]\nenabled = false"),
}


@pytest.fixture
def prog(people_program: Program) -> Program:
    """Two open pairs: changes elsewhere must reach the rule checks of both."""
    ops.add(people_program, "goal", {"title": "Use Copilot", "owner": "nguyen-van-duc",
                                     "pair": PAIR})
    ops.add(people_program, "pair", {"mentor": "joost-van-der-meer", "mentee": "lucia-d-angelo",
                                     "proposed": "2027-01-10"})
    ops.edit(people_program, "pair", PAIR2, [ops.Assignment("status", "set", "active"),
                                             ops.Assignment("started", "set", "2027-01-22")])
    report = validate(people_program, use_cache=False)
    assert report.ok, report.diagnostics
    return people_program


_PAST = time.time() - 3600


def _age(root: Path) -> None:
    """Files written a while ago (outside the racy window), so the cache trusts them.

    Always the same moment: a file's times are part of what the cache compares."""
    past = _PAST
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".rmtui")]
        for name in files:
            path = os.path.join(here, name)
            # only files not aged yet: utime changes a file's ctime, which the cache
            # also compares
            if not os.path.islink(path) and os.stat(path).st_mtime != past:
                os.utime(path, (past, past))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_cached_run_after_any_change_equals_a_fresh_run(prog, seed) -> None:
    root = prog.root
    names = list(CHANGES)
    random.Random(seed).shuffle(names)
    _age(root)
    first = validate(Program(root))
    assert first.diagnostics == validate(Program(root), use_cache=False).diagnostics
    for name in names:
        try:
            CHANGES[name](root)
        except (AssertionError, FileExistsError, FileNotFoundError):
            continue  # a change that an earlier one made impossible
        if seed % 2:
            _age(root)  # sometimes trusted by stat, sometimes too fresh to be
        cached = validate(Program(root))
        fresh = validate(Program(root), use_cache=False)
        assert cached.diagnostics == fresh.diagnostics, f"after {name!r} (seed {seed})"
        assert cached.files == fresh.files
        # and once more, from the kept report
        assert validate(Program(root)).diagnostics == fresh.diagnostics, name


def test_an_unchanged_program_is_not_read_again(prog, monkeypatch) -> None:
    from rmtui.core import store

    _age(prog.root)
    validate(Program(prog.root))
    calls: list[str] = []
    real = store.check_file
    monkeypatch.setattr(store, "check_file", lambda *a: calls.append(a[2]) or real(*a))
    validate(Program(prog.root))
    assert calls == []
    _edit(prog.root, "participants/asa-oberg.yaml", "grade: 2", "grade: 1")
    validate(Program(prog.root))
    # the changed file, and what looked at people: the open pairs (whose rules read
    # everyone's reporting lines) and the people in them; no session, goal or survey
    assert "participants/asa-oberg.yaml" in calls
    assert {c.split("/")[0] for c in calls} == {"participants", "pairs"}


def test_a_damaged_kept_report_is_ignored(prog) -> None:
    from rmtui.core.store import CACHE_DIR

    _age(prog.root)
    expected = validate(Program(prog.root)).diagnostics
    for name in ("validate.pickle", "validate-state.pickle"):
        (prog.root / CACHE_DIR / name).write_bytes(b"not a pickle")
    assert validate(Program(prog.root)).diagnostics == expected


def test_the_rules_read_no_participant_field_beyond_the_shared_ones() -> None:
    """validate re-checks what looked at all participants only when a field the rules
    read changed: every field they touch must be in that list."""
    import datetime as dt

    from rmtui.core.model import Pair, Participant
    from rmtui.core.resources import template_dir
    from rmtui.core.rules import PARTICIPANT_FIELDS, PairRules
    from rmtui.core.settings import parse

    seen: set[str] = set()

    class Spy:
        def __init__(self, person: Participant) -> None:
            self._person = person

        def __getattr__(self, name: str):
            seen.add(name)
            return getattr(self._person, name)

    people = {
        "m": Spy(Participant("m", "M", "mentor", employee_id="E1", manager_id="E3", grade=2,
                             department="IT", languages=("en",), timezone="Europe/Oslo",
                             status="active", training_completed=dt.date(2027, 1, 1),
                             exclusions=("x",), capacity=1)),
        "e": Spy(Participant("e", "E", "mentee", employee_id="E2", manager_id="E1", grade=7,
                             department="IT", languages=("sv",), timezone="Asia/Tokyo",
                             status="withdrawn", exclusions=("m",))),
    }
    settings = parse((template_dir() / "program.toml").read_bytes())
    pairs = [Pair("p1", "m", "e", "active", started=dt.date(2027, 2, 1)),
             Pair("p0", "m", "e", "completed", started=dt.date(2026, 2, 1))]
    rules = PairRules(settings, people, pairs, as_of=dt.date(2027, 3, 1))
    assert rules.check(people["m"], people["e"], pair=pairs[0])  # every rule is looked at
    rules.over_capacity(pairs)
    assert seen and seen <= PARTICIPANT_FIELDS, seen - PARTICIPANT_FIELDS


@pytest.mark.parametrize("steps", [
    ["asa's new employee id", "asa's new manager"],   # a reporting line through someone else
    ["asa's new manager", "asa's new employee id"],
    ["the two were paired before"],                   # a pair the open pair never named
    ["a second pair for the mentor", "grade up"],
    ["a proposed pair for asa", "it is accepted"],     # now over capacity
], ids=lambda s: " then ".join(s))
def test_changes_reach_pairs_that_never_named_the_changed_file(prog, steps) -> None:
    root = prog.root
    _age(root)
    validate(Program(root))
    for name in steps:
        CHANGES[name](root)
        _age(root)
        assert validate(Program(root)).diagnostics == \
            validate(Program(root), use_cache=False).diagnostics, name
    assert not validate(Program(root)).ok
