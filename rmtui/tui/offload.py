"""Run a long read of the program in a child process, so the app stays responsive.

A thread worker keeps the event loop free only while it releases the GIL. Reading
a 10,000-person program does not: unpickling a cache, or freeing a validation's
millions of objects, holds the GIL for 0.2 to 1.2 s, and the app freezes that long.
In a child process none of that touches the app; the thread worker only waits.

Call :func:`run_in_process` from a thread worker. ``fn`` must be a module-level
function (the child imports it); it gets ``report`` as a keyword argument when
``progress`` is given, to send ``(stage, done, total)`` back.
"""

from __future__ import annotations

import importlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from rmtui.core.diagnostics import Diagnostic
from rmtui.core.errors import RmtuiError

POLL = 0.1  # seconds between looks at whether the worker was cancelled


class Cancelled(Exception):
    """The worker was cancelled (the screen reloaded or closed): the child was stopped."""


def run_in_process(fn: Callable[..., Any], *args: Any,
                   progress: Callable[[str, int, int], None] | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> Any:
    """``fn(*args)`` in a fresh Python process: its result, or its RmtuiError raised here.

    Raises :class:`Cancelled` (after stopping the child) once ``cancelled()`` says so.
    The child is a plain ``python -m rmtui.tui.offload`` (not multiprocessing: it
    needs a real stderr, which the app has replaced, and must never fork a process
    that has threads); the job goes in on stdin and tagged results come back as
    pickles on stdout.
    """
    package_home = str(Path(__file__).resolve().parents[2])
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([package_home, *filter(None, [
               os.environ.get("PYTHONPATH")])])}
    job = pickle.dumps((fn.__module__, fn.__qualname__, args, progress is not None))
    proc = subprocess.Popen([sys.executable, "-m", "rmtui.tui.offload"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    inbox: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read, args=(proc.stdout, inbox), daemon=True)
    reader.start()
    try:
        try:
            proc.stdin.write(job)
            proc.stdin.close()
        except OSError:
            pass  # the child died at once; said below
        while True:
            if cancelled():
                raise Cancelled
            try:
                tag, value = inbox.get(timeout=POLL)
            except queue.Empty:
                continue
            if tag == "progress":
                if progress is not None:
                    progress(*value)
            elif tag == "ok":
                return value
            elif tag == "error":
                message, hint, diagnostics = value
                raise RmtuiError(message, hint=hint,
                                 diagnostics=[d for d in diagnostics
                                              if isinstance(d, Diagnostic)])
            else:  # the pipe closed with no answer
                proc.wait()
                raise RmtuiError(f"the check stopped before it finished (exit status "
                                 f"{proc.returncode})",
                                 hint="run `rmtui validate` in a terminal to see why")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def _read(stream: BinaryIO, inbox: queue.Queue) -> None:
    while True:
        try:
            inbox.put(pickle.load(stream))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            inbox.put(("closed", None))
            return


def _serve() -> None:
    """The child: run one job from stdin, answer on the real stdout."""
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # stray prints must not corrupt the answer
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the child's whole life

    def send(tag: str, value: Any) -> None:
        pickle.dump((tag, value), out)
        out.flush()

    try:
        module, name, args, with_progress = pickle.load(sys.stdin.buffer)
        fn = getattr(importlib.import_module(module), name)
        if with_progress:
            value = fn(*args, report=lambda *p: send("progress", p))
        else:
            value = fn(*args)
        send("ok", value)
    except RmtuiError as e:
        send("error", (e.message, e.hint, list(e.diagnostics)))
    except OSError as e:
        send("error", (str(e), None, []))
    except Exception as e:  # a bug: say what it was, without a traceback on screen
        send("error", (f"{type(e).__name__}: {e}", "this is a bug in rmtui; the same "
                       "command in a terminal (`rmtui validate`, `rmtui report`) shows more",
                       []))


# --------------------------------------------------------------------------
# Jobs for the child (module-level, textual-free: the child imports only these)
# --------------------------------------------------------------------------


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


if __name__ == "__main__":
    _serve()
