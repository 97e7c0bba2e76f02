"""The Dashboard: the KPIs, at-risk pairs, sessions due, problems and last changes
that core computes for the same program, opening a pair, and how it looks at
80x24 and 120x35."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from tui_kit import SIZE, commits, make_app, press, run, settle

from rmtui.core import kpi, ops, validate
from rmtui.core.store import Program
from rmtui.tui import jobs
from rmtui.tui.screens.dashboard import DashboardScreen, KpiTable, PairList

WIDE = (120, 35)


def kpi_lines(app) -> dict[str, str]:
    """The KPI table's lines by KPI name, as rendered."""
    table = app.screen.query_one(KpiTable)
    lines = table.render().plain.split("\n")
    return {spec.name: line for spec, line in zip(kpi.CATALOGUE, lines[1:], strict=False)}



# --------------------------------------------------------------------------
# What the screen shows is what core computes
# --------------------------------------------------------------------------


def test_kpis_at_risk_due_problems_and_changes_are_core_s(demo_copy) -> None:
    expected = kpi.compute(demo_copy)
    risky = kpi.at_risk(demo_copy)
    due = kpi.sessions_due(demo_copy, within_days=7)
    report = validate.validate(demo_copy)
    subjects = commits(demo_copy.root)

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            lines = kpi_lines(app)
            assert set(lines) == set(expected)
            for name, v in expected.items():
                line = lines[name]
                assert line.startswith(v.label), line
                words = line[len(v.label):].split()
                assert v.shown in words, (name, line)
                if v.shown_target:
                    assert line.split(v.shown, 1)[1].lstrip().startswith(v.shown_target), line
                assert v.status in line, (name, line)
                if v.value is not None:
                    assert f"n={v.n:,}" in line, (name, line)
            # the values behind the lines are core's own
            table = app.screen.query_one(KpiTable)
            assert {k: v.to_json() for k, v in table.values.items()} == \
                {k: v.to_json() for k, v in expected.items()}
            assert table.as_of == dt.date(2027, 3, 1)

            title = str(app.screen.query_one("#at-risk-title").render())
            assert title == (f"At risk: {len(risky)} pair{'s' if len(risky) != 1 else ''}"
                             if risky else "At risk: none")
            at_risk = app.screen.query_one("#at-risk", PairList)
            assert at_risk.total == len(risky)
            assert [at_risk.row(i) for i in range(at_risk.row_count)] == \
                [(r.pair, r.days) for r in risky]
            assert str(app.screen.query_one("#due-title").render()) == \
                f"Due in 7 days: {len(due)} pairs"
            assert [app.screen.query_one("#due", PairList).row(i)[0]
                    for i in range(len(due))] == [d.pair for d in due]

            problems = str(app.screen.query_one("#problems").render())
            assert (report.errors, report.warnings) == (0, 0)
            assert problems.startswith("No problems found.")
            assert "press 7 for Problems" in problems
            changes = str(app.screen.query_one("#changes").render())
            assert changes.splitlines() == [f"2027-03-01  {s}" for s in subjects[:8]]

    run(go())


def test_the_trend_is_kpi_trend_from_the_files_dates(demo_copy) -> None:
    snap = kpi.snapshot(demo_copy)
    points = kpi.trend_points(snap, "month", until=dt.date(2027, 3, 1),
                              since=dt.date(2026, 8, 1))
    assert [p.date.isoformat() for p in points][0] == "2026-08-31"
    assert len(points) == jobs.TREND_POINTS
    expected = {name: kpi.sparkline(p.kpis[name].value for p in points) for name in kpi.NAMES}

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert app.screen.query_one(KpiTable).sparks == expected
            lines = kpi_lines(app)
            for name, spark in expected.items():
                assert spark in lines[name]

    run(go())


def test_problems_are_counted_and_named(demo_copy) -> None:
    person = sorted((demo_copy.root / "participants").iterdir())[0]
    person.write_text(person.read_text(encoding="utf-8").replace("status:", "status: [", 1),
                      encoding="utf-8")
    report = validate.validate(demo_copy, use_cache=False)
    assert report.errors >= 1

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            problems = str(app.screen.query_one("#problems").render())
            errors = f"{report.errors} error{'s' if report.errors != 1 else ''}"
            assert problems.startswith(errors), problems
            assert "press 7 for Problems" in problems
            # the file left out of the KPIs is said under them
            assert "left out" in app.screen.query_one(KpiTable).render().plain
            await pilot.press("7")
            assert app.current_mode == "problems"

    run(go())


# --------------------------------------------------------------------------
# Opening a pair
# --------------------------------------------------------------------------


def _spy_pairs(monkeypatch) -> list[tuple[str, str]]:
    from rmtui.tui.screens import pairs

    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(pairs.PairsScreen, "open_entity",
                        lambda self, kind, eid: opened.append((kind, eid)))
    return opened


def test_enter_on_an_at_risk_pair_opens_it_in_pairs(demo_copy, monkeypatch) -> None:
    opened = _spy_pairs(monkeypatch)
    first = kpi.at_risk(demo_copy)[0].pair

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.screen.query_one("#at-risk", PairList)
            assert table.has_focus
            assert table.cursor_key == first
            await press(pilot, "enter")
            assert app.current_mode == "pairs"
            assert opened == [("pair", first)]

    run(go())


def test_a_click_on_a_due_pair_opens_it(demo_copy, monkeypatch) -> None:
    opened = _spy_pairs(monkeypatch)
    second = kpi.sessions_due(demo_copy, within_days=7)[1].pair

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert await pilot.click("#due", offset=(4, 2))  # header, first, second
            await settle(pilot)
            assert app.current_mode == "pairs"
            assert opened == [("pair", second)]

    run(go())


# --------------------------------------------------------------------------
# Changes reach the dashboard
# --------------------------------------------------------------------------


def test_a_logged_session_takes_the_pair_off_the_at_risk_list(demo_copy) -> None:
    pair = kpi.at_risk(demo_copy)[0].pair

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.screen.query_one("#at-risk", PairList)
            before = table.total
            assert pair in [table.row(i)[0] for i in range(table.row_count)]
            app.run_op(ops.log_session, demo_copy, pair, duration=60)
            await settle(pilot, rounds=6)
            assert table.total == before - 1
            assert pair not in [table.row(i)[0] for i in range(table.row_count)]
            changes = str(app.screen.query_one("#changes").render())
            assert changes.splitlines()[0].startswith("2027-03-01  ")
            assert changes.splitlines()[0].endswith(commits(demo_copy.root)[0])

    run(go())
    assert (demo_copy.root / "sessions" / pair).is_dir()


def test_a_program_outside_git_says_so_instead_of_crashing(demo_copy) -> None:
    shutil.rmtree(demo_copy.root / ".git")

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            changes = str(app.screen.query_one("#changes").render())
            assert "not in a git repository" in changes
            assert "hint: run `git init`" in changes
            # the KPIs say what happened too, with no traceback
            text = app.screen.query_one(KpiTable).render().plain
            assert "loading…" not in text

    run(go())


def test_a_new_program_says_n_a_and_why_for_every_kpi(tmp_path) -> None:
    root = tmp_path / "new"
    ops.init_program(root)
    expected = kpi.compute(Program(root))
    assert all(v.value is None for v in expected.values())

    async def go(size) -> None:
        app = make_app(root)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for name, line in kpi_lines(app).items():
                v = expected[name]
                assert line.startswith(v.label[:20]), line
                why = f"n/a: {v.reason}"
                if size == WIDE and len(why) <= 38:
                    assert why in line, line
                else:  # cut to fit, with an ellipsis
                    shown = line.split("n/a: ", 1)[1].rstrip()
                    assert shown.endswith("…") and v.reason.startswith(shown[:-1]), line
            assert str(app.screen.query_one("#at-risk-title").render()) == "At risk: none"
            assert str(app.screen.query_one("#due-title").render()) == "Due in 7 days: none"
            assert not app.screen.query_one("#at-risk").display
            assert app.focused is app.screen.query_one(KpiTable)  # not a hidden list

    run(go(SIZE))
    run(go(WIDE))


def test_enter_on_a_kpi_explains_it(demo_copy) -> None:
    v = kpi.compute(demo_copy)["retention_rate"]

    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("K", "down", "down", "enter")
            note = app._notifications.last if hasattr(app._notifications, "last") else \
                list(app._notifications)[-1]
            assert note.title == "Pairs retained"
            assert note.message.startswith(f"{v.shown}, target {v.shown_target}: {v.status}, "
                                           f"over {v.n}.")
            assert v.definition in note.message
            await pilot.click("#kpis", offset=(2, 1))
            assert list(app._notifications)[-1].title == "Mentees matched"

    run(go())


def test_a_and_d_move_between_the_lists(demo_copy) -> None:
    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("d")
            assert app.focused.id == "due"
            await pilot.press("a")
            assert app.focused.id == "at-risk"

    run(go())


# --------------------------------------------------------------------------
# The child process that computes
# --------------------------------------------------------------------------

KPIS, PROBLEMS = "rmtui.tui.jobs:kpi_job", "rmtui.tui.jobs:problems_job"

JOBS_FOR_TESTS = """
import os, signal, sys, time

def broken(send, root):
    send(("kpis", root))
    raise ValueError("no such thing")

def dying(send, root):
    os._exit(3)

def slow(send, root):
    send(("kpis", 1))
    time.sleep(30)

def chatty(send, root):
    print("a stray print")
    send(("group", os.getpgid(0) == os.getpid(), os.getsid(0) == os.getsid(os.getppid()),
          os.getpriority(os.PRIO_PROCESS, 0), "textual" in sys.modules))
"""


@pytest.fixture
def test_jobs(tmp_path, monkeypatch):
    (tmp_path / "dash_test_jobs.py").write_text(JOBS_FOR_TESTS, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "dash_test_jobs"


def test_the_child_process_sends_what_the_job_computes_in_place(demo_copy) -> None:
    root = str(demo_copy.root)
    here = jobs.collect(KPIS, root)
    there = list(jobs.run(KPIS, root))
    assert [m[0] for m in there] == ["kpis", "pairs", "sparks"]
    assert there == here
    assert list(jobs.run(PROBLEMS, root)) == [("problems", "No problems found.\npress 7 for Problems")]


def test_a_child_that_fails_or_dies_says_so(test_jobs, tmp_path) -> None:
    assert list(jobs.run(f"{test_jobs}:broken", "x")) == \
        [("kpis", "x"), ("error", "ValueError: no such thing")]
    assert list(jobs.run(f"{test_jobs}:dying", "x")) == \
        [("error", "the computation stopped unexpectedly (exit code 3)")]
    missing = list(jobs.run(KPIS, str(tmp_path / "nowhere")))
    assert len(missing) == 1 and missing[0][0] == "error"


def test_the_child_has_its_own_group_a_lower_priority_a_clean_stdout_and_no_textual(
        test_jobs) -> None:
    # its own process group (no terminal signals) in the app's session: Linux shares the
    # CPU between sessions first, so a child in a session of its own would not yield
    # to the app however low its priority
    lower = min(os.getpriority(os.PRIO_PROCESS, 0) + jobs.CHILD_NICENESS, 19)
    assert list(jobs.run(f"{test_jobs}:chatty", "x")) == [("group", True, True, lower, False)]


def test_a_cancelled_load_stops_its_child(test_jobs) -> None:
    import time

    stop = []
    started = time.perf_counter()
    got = []
    for message in jobs.run(f"{test_jobs}:slow", "x", cancelled=lambda: bool(stop)):
        got.append(message)
        stop.append(True)
    assert got == [("kpis", 1)]
    assert time.perf_counter() - started < 5


def test_the_watch_job_reports_changed_files_from_its_child(tmp_path) -> None:
    import threading
    import time

    (tmp_path / "participants").mkdir()
    stop = threading.Event()
    got: list = []

    def touch() -> None:  # until heard: the child may take a while to start watching
        (tmp_path / ".rmtui").mkdir()
        n = 0
        while not stop.wait(0.3):
            n += 1
            (tmp_path / ".rmtui" / "cache").write_text(f"{n}", encoding="utf-8")
            (tmp_path / "participants" / "ana.yaml").write_text(f"id: ana\n# {n}\n",
                                                                 encoding="utf-8")

    threading.Thread(target=touch, daemon=True).start()
    deadline = time.monotonic() + 20
    for message in jobs.run("rmtui.tui.jobs:watch_job", str(tmp_path),
                            cancelled=lambda: stop.is_set() or time.monotonic() > deadline):
        got.append(message)
        stop.set()
    assert got == [("changed", ["participants/ana.yaml"])]


PARENT = """
import sys, time
from rmtui.tui import jobs
for message in jobs.run("dash_test_jobs:slow", "x"):
    print(message, flush=True)
"""


def test_a_child_leaves_when_its_app_is_killed(test_jobs, tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE,
                              text=True, env={**os.environ,
                                              "PYTHONPATH": os.pathsep.join(
                                                  [str(tmp_path), *sys.path])})
    assert parent.stdout.readline().strip() == "('kpis', 1)"  # the child runs
    children = subprocess.run(["pgrep", "-f", "dash_test_jobs:slow"], capture_output=True,
                              text=True).stdout.split()
    assert children
    parent.send_signal(signal.SIGKILL)  # no chance to clean up
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{c}") and
                                              "Z" not in _state(c) for c in children):
        time.sleep(0.05)
    assert not [c for c in children if os.path.exists(f"/proc/{c}") and "Z" not in _state(c)]


def _state(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_the_jobs_module_imports_no_textual() -> None:
    import subprocess
    import sys

    code = "import sys, rmtui.tui.jobs; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


# --------------------------------------------------------------------------
# Small pieces
# --------------------------------------------------------------------------


def test_trend_since_gives_that_many_points() -> None:
    assert jobs.trend_since(dt.date(2027, 3, 1)) == dt.date(2026, 8, 1)
    assert jobs.trend_since(dt.date(2027, 12, 31), 12) == dt.date(2027, 1, 1)
    assert jobs.trend_since(dt.date(2027, 1, 15), 2) == dt.date(2026, 12, 1)


def test_due_and_problem_texts() -> None:
    assert [jobs.when_due(d) for d in (3, 0, -2)] == ["3d late", "today", "in 2d"]
    assert jobs.problems_text(0, 0).startswith("No problems found.")
    assert jobs.problems_text(1, 2).startswith("1 error, 2 warnings")


# --------------------------------------------------------------------------
# How it looks
# --------------------------------------------------------------------------


async def _loaded(pilot) -> None:
    await settle(pilot)


def test_snapshot_80x24(snap_compare, demo_copy) -> None:
    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=_loaded)


def test_snapshot_120x35(snap_compare, demo_copy) -> None:
    assert snap_compare(make_app(demo_copy.root), terminal_size=WIDE, run_before=_loaded)


def test_snapshot_new_program_80x24(snap_compare, tmp_path) -> None:
    ops.init_program(tmp_path / "new")
    assert snap_compare(make_app(tmp_path / "new"), terminal_size=SIZE, run_before=_loaded)


def test_a_job_that_cannot_do_its_work_sends_what_and_what_to_do(tmp_path) -> None:
    """An RmtuiError in a job's child comes back as one ("error", text) with the hint."""
    from rmtui.tui import jobs

    (tmp_path / "program.toml").write_text("schema_version = 1\n[program\n", encoding="utf-8")
    got = list(jobs.run("rmtui.tui.jobs:kpi_job", str(tmp_path)))
    assert len(got) == 1 and got[0][0] == "error", got
    assert "program.toml" in got[0][1] and "hint: " in got[0][1]
