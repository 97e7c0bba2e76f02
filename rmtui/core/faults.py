"""Crash points for the fault-injection tests.

Writes and commits call :func:`point` between their steps. Normally it does
nothing. With ``RMTUI_CRASH_AT=N`` in the environment the process ends on
the spot (``os._exit``, no clean-up, as a ``kill -9`` would) at the N-th
point it reaches, so a test can stop a writer at every step of a change and
check that the program and the repository survive. ``RMTUI_CRASH_TRACE=1``
lists the points reached on stderr.
"""

from __future__ import annotations

import os
import sys

EXIT_CODE = 86  # what a crashed test writer exits with

_target = 0
_reached = 0
_trace = False


def _configure() -> None:
    global _target, _trace
    try:
        _target = int(os.environ.get("RMTUI_CRASH_AT", "0") or 0)
    except ValueError:
        _target = 0
    _trace = bool(os.environ.get("RMTUI_CRASH_TRACE"))


_configure()


def point(name: str) -> None:
    """A step boundary of a write or a commit."""
    global _reached
    if not _target and not _trace:
        return
    _reached += 1
    if _trace:
        sys.stderr.write(f"crash point {_reached}: {name}\n")
        sys.stderr.flush()
    if _reached == _target:
        os._exit(EXIT_CODE)
