"""Work over many files at once: a process pool when there is a lot, and no cycle collector.

Parsing YAML is CPU-bound Python, so reading tens of thousands of files uses
one process per core; a few files are done in this process, where starting a
pool would cost more than it saves. Loading builds hundreds of thousands of
small dicts and lists and no cycles: the cycle collector would walk them all
again and again, so it is paused meanwhile.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN = 2000  # fewer items than this are done in this process


_gc_lock = threading.Lock()
_gc_pauses = 0      # how many gc_paused blocks are open, in any thread
_gc_was_on = False  # whether the collector was on when the first one opened


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while many small objects (and no cycles) are made.

    The collector is process-wide: blocks open in several threads (the app's
    workers) count together, and it comes back on only when the last one closes.
    """
    global _gc_pauses, _gc_was_on
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_on = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_on:
                gc.enable()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a stderr it can hand down.

    spawn and forkserver start it on first use and pass it ``sys.stderr``'s file
    descriptor; inside the Textual app ``sys.stderr`` is the app's capture, with no
    usable descriptor, and starting a pool fails with "bad value(s) in fds_to_keep".
    The tracker then writes (rare warnings) to nowhere rather than over the app.
    """
    import sys
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except Exception:
        usable = False
    if usable:
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def map_chunks(work: Callable[[list[T]], list[R]], items: Sequence[T], *,
               workers: int | None = None, min_items: int = PARALLEL_MIN,
               chunk_size: tuple[int, int] = (200, 2000),
               done: Callable[[int, int], None] | None = None) -> list[R]:
    """``work`` over ``items`` in chunks, results in order.

    ``work`` takes a list of items and returns one result per item; it must be
    a module-level function (it may run in another process). ``done(n, total)``
    is called as chunks finish, for a progress bar.
    """
    total = len(items)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    lo, hi = chunk_size
    if total < min_items or workers < 2:
        out: list[R] = []
        for start in range(0, total, 500):
            out.extend(work(list(items[start:start + 500])))
            if done is not None:
                done(len(out), total)
        if done is not None and not total:
            done(0, 0)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(lo, min(hi, total // (workers * 8) or 1))
    chunks = [list(items[i:i + size]) for i in range(0, total, size)]
    methods = multiprocessing.get_all_start_methods()
    # fork is fastest, but forking while other threads run (the app's workers) can
    # copy a lock another thread holds into the child, where no one releases it
    alone = threading.active_count() == 1
    method = "fork" if alone and "fork" in methods else (
        "forkserver" if "forkserver" in methods else None)
    ctx = multiprocessing.get_context(method)
    if method != "fork":
        _start_resource_tracker()
    results: list[R] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for chunk_out in pool.map(work, chunks):
            results.extend(chunk_out)
            if done is not None:
                done(len(results), total)
    return results
