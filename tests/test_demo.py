"""The demo program: deterministic, valid, realistic, and one commit of everything."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import git, tree_digest

from rmtui.core import demo as demo_mod
from rmtui.core import gitrepo, ids, ops, yamlio
from rmtui.core.errors import RepoError, UsageError
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.resources import template_dir
from rmtui.core.rules import PairRules
from rmtui.core.store import Program
from rmtui.core.validate import validate

AS_OF = dt.date(2027, 3, 1)
ENTITY_FOLDERS = ("participants", "pairs", "agreements", "goals", "sessions", "responses")


def _git_env(mp: pytest.MonkeyPatch, home: Path) -> None:
    mp.setenv("HOME", str(home))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for who in ("AUTHOR", "COMMITTER"):
        mp.setenv(f"GIT_{who}_NAME", "Demo Maker")
        mp.setenv(f"GIT_{who}_EMAIL", "demo@example.com")


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits need an identity, whatever the machine's git config says."""
    home = tmp_path / "demo-home"
    home.mkdir(exist_ok=True)
    _git_env(monkeypatch, home)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """One 60-person demo (seed 1), built once for the read-only tests."""
    with pytest.MonkeyPatch.context() as mp:
        _git_env(mp, tmp_path_factory.mktemp("home"))
        path = tmp_path_factory.mktemp("demo") / "prog"
        calls: list[tuple[str, int, int]] = []
        outcome = demo_mod.build_demo(path, 60, seed=1, as_of=AS_OF,
                                      progress=lambda *a: calls.append(a))
        program = Program(path)
        return SimpleNamespace(path=path, outcome=outcome, calls=calls, program=program,
                               people=program.data("participant"), pairs=program.data("pair"))


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for f in ENTITY_FOLDERS
                  for p in (root / f).rglob("*") if p.is_file())


# --------------------------------------------------------------------------
# Deterministic
# --------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_whatever_the_hash_seed(demo, tmp_path: Path) -> None:
    again = tmp_path / "again"
    code = ("import datetime, sys\nfrom rmtui.core.demo import build_demo\n"
            "build_demo(sys.argv[1], 60, seed=1, as_of=datetime.date(2027, 3, 1))\n")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}  # str hashing differs from this process
    subprocess.run([sys.executable, "-c", code, str(again)], check=True, env=env,
                   capture_output=True)
    first, second = tree_digest(demo.path), tree_digest(again)
    assert len(first) > 400
    assert first == second
    assert git(again, "log", "-1", "--format=%s") == git(demo.path, "log", "-1", "--format=%s")


def test_another_seed_gives_another_program(demo, tmp_path: Path) -> None:
    other = tmp_path / "other"
    demo_mod.build_demo(other, 60, seed=2, as_of=AS_OF)
    a, b = tree_digest(demo.path), tree_digest(other)
    assert a != b
    assert set(demo.people) != set(Program(other).data("participant"))


# --------------------------------------------------------------------------
# Valid and realistic
# --------------------------------------------------------------------------


def test_validates_without_errors_or_warnings(demo) -> None:
    report = validate(demo.program, today=AS_OF)
    assert report.files > 400
    assert [d.headline() for d in report.diagnostics] == []


def test_open_pairs_pass_the_hard_rules(demo) -> None:
    program = demo.program
    people = {i: from_dict(Participant, d) for i, d in demo.people.items()}
    pairs = [from_dict(Pair, d) for d in demo.pairs.values()]
    rules = PairRules(program.settings, people, pairs, as_of=AS_OF)
    open_pairs = [p for p in pairs if p.is_open]
    assert open_pairs
    for p in open_pairs:
        assert rules.check(people[p.mentor], people[p.mentee], pair=p) == [], p.id
        assert p.id == f"{p.mentor}--{p.mentee}"
    assert rules.over_capacity(pairs) == {}
    committed = Counter(p.mentee for p in pairs if p.status in Pair.COMMITTED)
    assert max(committed.values()) == 1


def test_every_status_appears(demo) -> None:
    assert set(Counter(p["status"] for p in demo.pairs.values())) == {
        "proposed", "accepted", "active", "paused", "completed", "ended"}
    statuses = Counter(p["status"] for p in demo.people.values())
    assert {"applied", "accepted", "active", "withdrawn", "left_company"} <= set(statuses)
    assert statuses["active"] + statuses["accepted"] > 0.8 * len(demo.people)
    roles = Counter(p["role"] for p in demo.people.values())
    assert roles == {"mentor": 30, "mentee": 30}
    assert any(p.get("capacity") == 2 for p in demo.people.values())


def test_sessions_agreements_goals_and_surveys_fit_together(demo) -> None:
    program = demo.program
    sessions = program.data("session")
    agreements = program.data("agreement")
    goals = program.data("goal")
    held: dict[str, list[str]] = {}
    for s in sessions.values():
        if s.get("status", "held") == "held":
            held.setdefault(s["pair"], []).append(s["date"])
            assert s["date"] <= AS_OF.isoformat()
            assert 30 <= s["duration_minutes"] <= 90
            assert set(s["ratings"]) == {"mentor", "mentee"}
    started = [p for p in demo.pairs.values() if p.get("started")]
    assert 8 <= len(sessions) / len(started) <= 16
    assert any(re.search(r"/\d{4}-\d\d-\d\d-2$", sid) for sid in sessions)
    at_risk = [p for p in demo.pairs.values() if p["status"] == "active"
               and max(held.get(p["id"], ["0000"])) < (AS_OF - dt.timedelta(days=30)).isoformat()]
    assert at_risk
    for p in demo.pairs.values():
        assert (p["id"] in agreements) == (p["status"] != "proposed")
        mine = sorted(g for g, d in goals.items() if d["pair"] == p["id"])
        assert (len(mine) in (1, 2)) == bool(p.get("started")), p["id"]
        if mine:
            assert sorted(agreements[p["id"]]["goals"]) == mine
            assert all(goals[g]["owner"] == p["mentee"] for g in mine)
            assert agreements[p["id"]]["frequency"] in ("weekly", "biweekly", "monthly")
            assert set(agreements[p["id"]]["signed"]) == {"mentor", "mentee"}
    assert all("completed" in g for g in goals.values() if g["status"] == "done")
    responses = program.data("response")
    assert {r["survey"] for r in responses.values()} == {"baseline", "final", "pulse", "exit"}
    base = {r["participant"]: r["answers"] for r in responses.values()
            if r["survey"] == "baseline" and r.get("answers")}
    gains = [sum(r["answers"][q] - base[r["participant"]][q] for q in base[r["participant"]]
                 if q.startswith("confidence"))
             for r in responses.values() if r["survey"] == "final"
             and r["participant"] in base and demo.people[r["participant"]]["role"] == "mentee"]
    assert gains and sum(gains) > 0


def test_names_keep_their_letters_and_ids_are_folded_slugs(demo) -> None:
    names = [p["name"] for p in demo.people.values()]
    for key in ("vi", "sv", "nl", "it"):
        loc = demo_mod.LOCALES[key]
        firsts, lasts = loc.female + loc.male, loc.surnames
        ours = [n for n in names if any(f" {f} " in f" {n} " for f in firsts)
                and any(f" {s} " in f" {n} " for s in lasts)]
        assert any(ids.fold(n) != n for n in ours), key
    assert any("'" in n for n in names) or any("'" in s for s in demo_mod.LOCALES["it"].surnames)
    for pid, p in demo.people.items():
        base = ids.slugify(p["name"])
        assert pid == base or re.fullmatch(re.escape(base) + r"-[0-9]+", pid), (pid, p["name"])
        assert pid.isascii() and ids.is_id(pid)
        assert p["email"] == pid.replace("-", ".") + "@example.com"
    assert len(demo_mod.LOCALES) >= 10


def test_the_org_chart_is_a_tree(demo) -> None:
    people = demo.people.values()
    by_emp = {p["employee_id"]: p for p in people}
    assert len(by_emp) == len(demo.people)
    tops = [p for p in people if "manager_id" not in p]
    assert len(tops) == 1 and tops[0]["role"] == "mentee" and tops[0]["grade"] == 9
    for p in people:
        seen = {p["employee_id"]}
        boss = p.get("manager_id")
        while boss is not None:
            assert boss in by_emp, f"{p['id']}: no participant has employee_id {boss}"
            assert boss not in seen, f"cycle at {boss}"
            seen.add(boss)
            boss = by_emp[boss].get("manager_id")
        if p["role"] == "mentor":
            assert 1 <= p["grade"] <= 4
            assert by_emp[p["manager_id"]]["role"] == "mentee"
        else:
            assert 6 <= p["grade"] <= 9
    assert len({p["department"] for p in people}) >= 5
    assert len({p["timezone"] for p in people}) >= 5


# --------------------------------------------------------------------------
# Files and git
# --------------------------------------------------------------------------


def test_one_commit_of_everything_and_a_clean_tree(demo) -> None:
    root = demo.path
    log = git(root, "log", "--format=%s").splitlines()
    assert len(log) == 2
    assert re.fullmatch(r"demo: 60 participants, \d+ pairs, \d+ sessions \(seed 1\)", log[0])
    assert demo.outcome.commit == git(root, "rev-parse", "HEAD").strip()
    in_commit = sorted(git(root, "show", "--name-only", "--format=", "HEAD").split())
    assert in_commit == sorted(["program.toml", *_files(root)])
    assert git(root, "status", "--porcelain") == ""
    assert "Rmtui-Op: program.demo" in git(root, "log", "-1", "--format=%B")


def test_program_dates_are_set_and_comments_kept(demo) -> None:
    text = (demo.path / "program.toml").read_text(encoding="utf-8")
    start = dt.date.fromisoformat(re.search(r"^start = (\S+)$", text, re.M).group(1))
    end = dt.date.fromisoformat(re.search(r"^end = (\S+)$", text, re.M).group(1))
    assert start.weekday() == 0 and 200 <= (AS_OF - start).days <= 220 and end > AS_OF
    assert demo.program.settings.date("program.start") == start
    template = (template_dir() / "program.toml").read_text(encoding="utf-8")
    kept = [line for line in template.splitlines()
            if line.startswith("#") and not re.match(r"# (start|end) = ", line)]
    assert all(line in text.splitlines() for line in kept)
    assert "# start =" not in text and "# end =" not in text


def test_every_file_round_trips_and_holds_only_what_is_set(demo) -> None:
    def no_blanks(value) -> bool:
        if isinstance(value, dict):
            return bool(value) and all(no_blanks(v) for v in value.values())
        if isinstance(value, list):
            return bool(value) and all(no_blanks(v) for v in value)
        return value is not None and value != ""

    files = _files(demo.path)
    assert len(files) > 400
    for rel in files:
        text = (demo.path / rel).read_text(encoding="utf-8")
        assert yamlio.dump_rt(yamlio.rt().load(text)) == text, rel
        parsed = yamlio.parse(text.encode("utf-8"), rel)
        assert parsed.ok and no_blanks(parsed.data), rel


def test_progress_is_reported(demo) -> None:
    stages = [c[0] for c in demo.calls]
    assert {"people", "pairs", "sessions", "files", "commit"} <= set(stages)
    assert all(0 <= done <= total for _, done, total in demo.calls)
    assert demo.calls[-1] == ("commit", 1, 1)


def test_refuses_a_folder_that_holds_a_program(demo, tmp_path: Path) -> None:
    before = tree_digest(demo.path)
    head = git(demo.path, "rev-parse", "HEAD")
    with pytest.raises(UsageError, match="already holds a program"):
        demo_mod.build_demo(demo.path, 60, seed=3, as_of=AS_OF)
    assert tree_digest(demo.path) == before and git(demo.path, "rev-parse", "HEAD") == head
    plain = tmp_path / "plain"
    ops.init_program(plain, "Someone else's")
    with pytest.raises(UsageError):
        demo_mod.build_demo(plain, 60, as_of=AS_OF)
    clash = tmp_path / "clash"
    (clash / "participants").mkdir(parents=True)
    with pytest.raises(UsageError, match="participants"):
        demo_mod.build_demo(clash, 60, as_of=AS_OF)
    assert not (clash / "program.toml").exists()


def test_a_failure_after_init_removes_what_the_demo_wrote(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real = gitrepo.Repo.commit

    def failing(self, paths, message, op):
        if op == "program.demo":
            raise RepoError("disk full")
        return real(self, paths, message, op)

    monkeypatch.setattr(gitrepo.Repo, "commit", failing)
    root = tmp_path / "broken"
    with pytest.raises(RepoError, match="disk full"):
        demo_mod.build_demo(root, 60, as_of=AS_OF)
    assert not any((root / f).exists() for f in ENTITY_FOLDERS)
    assert git(root, "status", "--porcelain") == ""
    assert len(git(root, "log", "--format=%s").splitlines()) == 1
    assert "start = " not in (root / "program.toml").read_text(encoding="utf-8").replace(
        "# start = ", "")
