"""The progress bar: on a terminal, and only for work that lasts over a second."""

from __future__ import annotations

import io

from rmtui.cli.progress import ProgressBar, progress_bar
from rmtui.core.kinds import KINDS
from rmtui.core.store import Program, check_paths


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_in_the_first_second() -> None:
    clock, out = Clock(), io.StringIO()
    bar = ProgressBar(out, clock=clock)
    for done in range(0, 1000, 100):
        clock.now += 0.09
        bar("reading files", done, 1000)
    bar.close()
    assert out.getvalue() == ""


def test_a_long_job_draws_one_line_then_wipes_it() -> None:
    clock, out = Clock(), io.StringIO()
    bar = ProgressBar(out, clock=clock, width=10)
    clock.now += 1.5
    bar("reading files", 500, 1000)
    clock.now += 0.01
    bar("reading files", 510, 1000)  # too soon to draw again
    clock.now += 0.5
    bar("checking", 1000, 1000)
    text = out.getvalue()
    assert text == ("\rreading files  [#####-----]     500/1,000"
                    "\rchecking       [##########]   1,000/1,000")
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_only_a_terminal_gets_a_bar() -> None:
    assert progress_bar(io.StringIO()) is None
    assert isinstance(progress_bar(Terminal()), ProgressBar)


def test_validate_on_a_pipe_prints_no_bar(people_program, rmtui) -> None:
    run = rmtui("-C", people_program.root, "validate")
    assert run.code == 0 and run.err == "" and run.out == ""


def _jobs(prog: Program) -> list[tuple[str, str, str, str]]:
    return [(kind.name, entity_id, rel, str(prog.root / rel))
            for kind in KINDS.values() for rel, entity_id in sorted(prog.files(kind))]


def test_core_reports_progress_through_its_callback(people_program) -> None:
    seen: list[tuple[str, int, int]] = []
    jobs = _jobs(Program(people_program.root))
    check_paths(jobs, lambda *a: seen.append(a))
    assert seen[-1] == ("reading files", len(jobs), len(jobs))


def test_a_pool_of_processes_reads_the_same_as_one(people_program, monkeypatch) -> None:
    from rmtui.core import store

    jobs = _jobs(Program(people_program.root)) * 3
    alone = check_paths(jobs, workers=1)
    monkeypatch.setattr(store, "PARALLEL_MIN", 2)
    seen: list[tuple[str, int, int]] = []
    pooled = check_paths(jobs, lambda *a: seen.append(a), workers=2)
    assert pooled == alone and len(pooled) == len(jobs)
    assert seen[-1] == ("reading files", len(jobs), len(jobs))
