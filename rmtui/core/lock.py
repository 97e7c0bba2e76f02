"""One writer at a time per program: a lock file under ``.rmtui/``.

A second rmtui process (CLI or TUI) that wants to change the same program
waits briefly, then refuses with a clear message rather than interleave its
writes and commits with the first one's.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from rmtui.core.errors import RepoError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_TIMEOUT = 10.0


def _env_timeout() -> float:
    """RMTUI_LOCK_TIMEOUT in seconds; a value that is not a number is ignored."""
    try:
        value = float(os.environ.get("RMTUI_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT  # nan fails this too


_shared: dict[Path, int] = {}  # programs whose lock this process holds for nested steps


@contextmanager
def program_lock(root: Path, timeout: float | None = None, *, nested: bool = False):
    """Hold the program's lock. With ``nested=True`` the holder's own steps (changes
    made inside it, in this process) pass through; otherwise a second taker waits."""
    key = Path(root).resolve()
    if _shared.get(key):
        _shared[key] += 1  # a step of the larger change that holds the lock
        try:
            yield
        finally:
            _shared[key] -= 1
        return
    with _exclusive(key, timeout):
        if nested:
            _shared[key] = 1
        try:
            yield
        finally:
            _shared.pop(key, None)


@contextmanager
def _exclusive(root: Path, timeout: float | None):
    if timeout is None:
        timeout = _env_timeout()
    folder = root / ".rmtui"
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # a read-only program cannot be changed anyway; the write will say so
        return
    try:
        if fcntl is not None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise RepoError(
                            "another rmtui is changing this program right now",
                            hint=f"wait for it to finish and try again (waited {timeout:g} s)",
                        ) from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock
