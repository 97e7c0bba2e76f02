"""Work the TUI runs in a child process, and how it gets the results back.

Reading a large program holds Python's GIL for long stretches (the KPI
snapshot is one ``marshal.loads``; validation is pure Python): in a thread of
the app, that stalls its event loop by hundreds of milliseconds on a
10,000-person program. A child process has its own GIL and its own CPU.

The child is a fresh interpreter (``python -m rmtui.tui.jobs module:function
args...``), not a fork of the app: forking a process that has threads copies
whatever locks they held at that moment, and a child that then imports a
module another thread was importing waits forever. It runs in its own process
group (the terminal's signals, a resize or ctrl+z, are not for it) at a lower
priority, writes each result to its stdout as a length-prefixed pickle
(``("done",)`` ends the stream), and leaves as soon as its stdin, a pipe from
the app, ends: when the app is done with it, or is gone. This module imports no Textual: the child
starts in about 0.15 s.

Jobs stream what they find (``function(send, *args)``: the dashboard shows its
KPIs before the trend is done; the file watcher sends each change), or return
one value through :func:`run_in_process` (Problems' checks, Surveys' tallies).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rmtui.core import kpi
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import RmtuiError

TREND_POINTS = 8      # month ends in the dashboard's trend: the last is today
DUE_WITHIN = 7        # days ahead for "sessions due"
CHANGES = 8           # commits under "Last changes"
CHILD_NICENESS = 10   # the app comes first for the CPU: it draws the screen

Send = Callable[[tuple], None]


# --------------------------------------------------------------------------
# The dashboard's jobs, and the plain results they send (an error becomes
# ("error", text) in main(); every job imports what it needs itself)
# --------------------------------------------------------------------------


def trend_since(day: dt.date, points: int = TREND_POINTS) -> dt.date:
    """The first day of the month ``points - 1`` months before ``day``'s month: a monthly
    trend from there to ``day`` has ``points`` points (``points - 1`` month ends and day)."""
    year, month = day.year, day.month - (points - 1)
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def sparks_of(points: Sequence[kpi.Point]) -> dict[str, str]:
    """One sparkline per KPI over the trend's points, as ``rmtui kpi trend`` draws them."""
    return {name: kpi.sparkline(p.kpis[name].value for p in points) for name in kpi.NAMES}


def at_risk_rows(rows: Sequence[kpi.AtRisk]) -> list[tuple]:
    return [(r.pair, r.days) for r in rows]


def when_due(overdue_days: int) -> str:
    if overdue_days > 0:
        return f"{overdue_days}d late"
    if overdue_days == 0:
        return "today"
    return f"in {-overdue_days}d"


def due_rows(rows: Sequence[kpi.Due]) -> list[tuple]:
    return [(r.pair, when_due(r.overdue_days)) for r in rows]


def problems_text(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return "No problems found.\npress 7 for Problems"
    e = f"{errors} error{'s' if errors != 1 else ''}"
    w = f"{warnings} warning{'s' if warnings != 1 else ''}"
    return f"{e}, {w}\npress 7 for Problems"


def error_text(e: RmtuiError) -> str:
    return e.message + (f"\nhint: {e.hint}" if e.hint else "")


def kpi_job(send: Send, root: str) -> None:
    """The KPIs, then the pairs at risk and due, then the trend: one snapshot for all."""
    from rmtui.core.store import Program

    snap = kpi.snapshot(Program(Path(root)))
    day = kpi.resolve_as_of(snap, None)
    values = kpi.compute(snap, day)
    note = (f"{snap.skipped} file(s) left out (unreadable or invalid): see Problems (7)"
            if snap.skipped else None)
    send(("kpis", day, values, note))
    send(("pairs", at_risk_rows(kpi.at_risk(snap, day)),
          due_rows(kpi.sessions_due(snap, day, within_days=DUE_WITHIN))))
    points = kpi.trend_points(snap, "month", until=day, since=trend_since(day))
    send(("sparks", sparks_of(points)))


def problems_job(send: Send, root: str) -> None:
    """How many errors and warnings `rmtui validate` finds."""
    from rmtui.core import validate
    from rmtui.core.store import Program

    report = validate.validate(Program(Path(root)))
    send(("problems", problems_text(report.errors, report.warnings)))


def changes_text(commits: Sequence[Any]) -> str:
    if not commits:
        return "No commits yet."
    return "\n".join(f"{c.date[:10]}  {c.subject}" for c in commits)


def changes_job(send: Send, root: str) -> None:
    """The newest commits, a line each: their day and subject."""
    from rmtui.core import ops
    from rmtui.core.store import Program

    commits = ops.history(Program(Path(root)), limit=CHANGES)
    send(("changes", changes_text(commits)))


# Problems and Surveys: one value each, through call_job

def check_program(root: str, report: Callable[[str, int, int], None] | None = None
                  ) -> tuple[list[Diagnostic], int]:
    """``rmtui validate``'s diagnostics, and how many files were checked."""
    from pathlib import Path

    from rmtui.core.store import Program
    from rmtui.core.validate import validate

    result = validate(Program(Path(root)), progress=report)
    return result.diagnostics, result.files


def survey_answers(root: str) -> tuple:
    """What the Surveys screen shows: each survey's tally, how many in the program were
    not sent it yet, every participant's name and role, and the confidence delta (or
    why it cannot be computed)."""
    from pathlib import Path

    from rmtui.core import kpi
    from rmtui.core.ops import surveys
    from rmtui.core.store import Program

    program = Program(Path(root))
    tallies = surveys.tally(program)
    people = {pid: (str(v[0] or ""), str(v[1] or "")) if v else ("(file invalid)", "")
              for pid, v in program.columns("participant", ("name", "role")).items()}
    unsent: dict[str, int | None] = {}
    for t in tallies:
        try:
            unsent[t.survey] = len(surveys.recipients(program, t.survey).new)
        except RmtuiError:
            unsent[t.survey] = None  # no survey file, or an invalid one
    confidence, error = None, None
    try:
        confidence = kpi.confidence(program)
    except RmtuiError as e:
        error = e.message
    return tallies, unsent, people, confidence, error


def watch_job(send: Send, root: str) -> None:
    """``("changed", paths)`` each time files of the program change on disk (as the
    app's file watcher does in a thread: building watchfiles' watcher walks the whole
    tree holding the GIL, 0.1 s at 1,000 people and about 1 s at 10,000, and the
    app's event loop waits all that time)."""
    from watchfiles import watch

    def interesting(_change: Any, path: str) -> bool:
        return is_program_file(os.path.relpath(path, root).replace(os.sep, "/"))

    for changes in watch(root, watch_filter=interesting, debounce=300, step=100,
                         rust_timeout=1000, yield_on_timeout=False):
        send(("changed", sorted({os.path.relpath(p, root).replace(os.sep, "/")
                                 for _, p in changes})))


WATCHED = (".yaml", ".yml", ".toml")  # what a program is made of


def is_program_file(rel: str) -> bool:
    """Whether a change to ``rel`` concerns the program: not git's or the cache's
    files, nor an editor's swap, backup or probe files (vim writes ``.a.yaml.swp``,
    ``.swx``, ``4913``, ``a.yaml~``)."""
    top, _, _ = rel.partition("/")
    name = rel.rsplit("/", 1)[-1]
    return top not in (".git", ".rmtui") and not name.startswith(".") and rel.endswith(WATCHED)


def call_job(send: Send, module: str, name: str, with_progress: str, packed: str) -> None:
    """Run ``module.name(*args)`` (``packed``: the arguments, pickled, in hex) and send
    its value as ``("ok", value)``; with ``with_progress`` "1" it also gets ``report``
    (sent as ``("progress", ...)``). An RmtuiError is sent whole:
    ``("failed", (message, hint, diagnostics))``."""
    fn = getattr(importlib.import_module(module), name)
    args = pickle.loads(bytes.fromhex(packed))  # noqa: S301 - from our own parent
    try:
        if with_progress == "1":
            value = fn(*args, report=lambda *p: send(("progress", p)))
        else:
            value = fn(*args)
    except RmtuiError as e:
        send(("failed", (e.message, e.hint, list(e.diagnostics))))
        return
    except OSError as e:
        send(("failed", (str(e), None, [])))
        return
    send(("ok", value))


# --------------------------------------------------------------------------
# Running a job
# --------------------------------------------------------------------------


def _resolve(target: str) -> Callable[..., None]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def collect(target: str, *args: str) -> list[tuple]:
    """Run the job in this process; what it sends."""
    out: list[tuple] = []
    _resolve(target)(out.append, *args)
    return out


def run(target: str, *args: str, cancelled: Callable[[], bool] = lambda: False
        ) -> Iterator[tuple]:
    """Run ``target`` ("module:function", called as ``function(send, *args)``) in a child
    process and yield what it sends, as it comes. The child is killed when
    ``cancelled()`` turns true; one that ends without finishing yields an error."""
    import rmtui

    env = dict(os.environ)
    here = str(Path(rmtui.__file__).resolve().parent.parent)  # this very rmtui
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    # the child's stdin is a pipe only this process writes to: when this process ends,
    # however it ends, the child reads its end and leaves (it is in its own process
    # group, so the terminal's signals do not reach it). Not its own session: Linux
    # shares the CPU between sessions ("autogroups") before it looks at priorities,
    # so four children starting in sessions of their own took 3/5 of the machine
    # from the app, and stalled its event loop, however low their priority.
    group = {"process_group": 0} if os.name == "posix" else {}
    proc = subprocess.Popen([sys.executable, "-m", "rmtui.tui.jobs", target, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, bufsize=0, **group)
    assert proc.stdout is not None and proc.stdin is not None
    with contextlib.suppress(OSError, AttributeError):  # from its start, its imports
        os.setpriority(os.PRIO_PROCESS, proc.pid, CHILD_NICENESS)  # too (POSIX only)
    done = False
    try:
        for message in _frames(proc.stdout, cancelled):
            if message[0] == "done":
                done = True
                break
            yield message
    finally:
        proc.stdin.close()
        if not done:
            proc.kill()
        proc.wait()
        proc.stdout.close()
    if not done and not cancelled():
        yield ("error", f"the computation stopped unexpectedly (exit code {proc.returncode})")


def _frames(stream: Any, cancelled: Callable[[], bool]) -> Iterator[tuple]:
    """Length-prefixed pickles from ``stream`` until it ends or ``cancelled()``."""
    fd = stream.fileno()
    buf = bytearray()
    while not cancelled():
        if os.name == "posix":
            import select

            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return
        buf += chunk
        while len(buf) >= 4:
            size = int.from_bytes(buf[:4], "big")
            if len(buf) < 4 + size:
                break
            message = pickle.loads(bytes(buf[4:4 + size]))  # noqa: S301 - our own child
            del buf[:4 + size]
            yield message


class Cancelled(Exception):
    """The worker was cancelled (the screen reloaded or closed): the child was stopped."""


def run_in_process(fn: Callable[..., Any], *args: Any,
                   progress: Callable[[str, int, int], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> Any:
    """``fn(*args)`` in a child process (:func:`rmtui.tui.jobs.run`): its result, or
    its RmtuiError raised here. Raises :class:`Cancelled` (after stopping the child)
    once ``cancelled()`` says so."""
    flag = "1" if progress is not None else "0"
    packed = pickle.dumps(args).hex()
    for message in run("rmtui.tui.jobs:call_job", fn.__module__, fn.__qualname__, flag,
                       packed, cancelled=cancelled):
        tag, value = message[0], message[1] if len(message) > 1 else None
        if tag == "progress" and progress is not None:
            progress(*value)
        elif tag == "ok":
            return value
        elif tag == "failed":
            text, hint, diagnostics = value
            raise RmtuiError(text, hint=hint,
                             diagnostics=[d for d in diagnostics if isinstance(d, Diagnostic)])
        elif tag == "error":  # a bug in the job, or the child died
            raise RmtuiError(value, hint="this is a bug in rmtui; the same command in a "
                             "terminal (`rmtui validate`, `rmtui report`) shows more")
    if cancelled():
        raise Cancelled
    raise RmtuiError("the computation stopped before it finished",
                     hint="the same command in a terminal (`rmtui validate`) shows more")


def main(argv: list[str] | None = None) -> None:
    """The child: run one job, its results on stdout, nothing else anywhere."""
    target, *args = sys.argv[1:] if argv is None else argv
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the stream

    def leave_with_the_app() -> None:  # stdin ends when the app closes it or is gone
        with contextlib.suppress(OSError, ValueError):
            sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=leave_with_the_app, daemon=True).start()

    def send(message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(4, "big") + data)
        out.flush()

    code = 0
    try:
        try:
            _resolve(target)(send, *args)
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except RmtuiError as e:  # what the job could not do, and what to do about it
            send(("error", error_text(e)))
        except OSError as e:
            send(("error", str(e)))
        except Exception as e:  # a bug: say it in one line rather than lose it
            send(("error", f"{type(e).__name__}: {e}"))
        send(("done",))
    except (BrokenPipeError, KeyboardInterrupt):  # the app is gone: nobody to tell
        code = 1
    # leave at once: freeing a large program's objects one by one only costs time
    os._exit(code)


if __name__ == "__main__":
    main()
