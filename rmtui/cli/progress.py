"""A progress bar on stderr for long work, and only for long work.

Core reports progress through a plain callback ``(stage, done, total)``; this
is the CLI's way of showing it. Nothing is drawn unless stderr is a terminal
and the work has already lasted ``delay`` seconds, so quick commands, pipes
and CI logs stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

DELAY = 1.0


class ProgressBar:
    """A callable for core's ``progress`` argument that draws one line on stderr."""

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY, width: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.width = width
        self.clock = clock
        self.started = clock()
        self.last_draw = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.shown and now - self.last_draw < 0.1 and done < total:
            return  # at most ten redraws a second
        self.last_draw = now
        self.shown = True
        share = done / total if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{stage:<14} [{bar}] {done:>7,}/{total:,}")
        self.stream.flush()

    def close(self) -> None:
        """Wipe the bar (the command's own output follows on a clean line)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def progress_bar(stream: TextIO | None = None) -> ProgressBar | None:
    """A bar when stderr is a terminal, else None (core then reports nothing)."""
    stream = stream if stream is not None else sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return ProgressBar(stream) if tty else None
