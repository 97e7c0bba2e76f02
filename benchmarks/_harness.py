"""What every benchmark shares: timing runs, medians, peak memory, sample programs.

Each benchmark is a script a person runs (``.venv/bin/python benchmarks/bench_x.py``)
that prints, for each measured step, the median of several runs, the spread,
the peak memory of the process that did the work and, where two approaches
are compared in the same run, their ratio. Results are written down in
``docs/benchmarks.md``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
RMTUI = [sys.executable, "-m", "rmtui"]


@dataclass
class Result:
    label: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.seconds), max(self.seconds)

    @property
    def peak(self) -> float | None:
        return max(self.peak_mb) if self.peak_mb else None


def run_command(argv: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
                check: bool = True) -> tuple[float, float]:
    """Run one command; its wall time in seconds and its peak memory in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if check and code not in (0,):
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv)} exited {code}:\n{err}")
    if proc.stderr:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def bench_command(label: str, argv: Sequence[str], *, runs: int = 5, cwd: Path | None = None,
                  env: dict | None = None, before: Callable[[], None] | None = None,
                  check: bool = True) -> Result:
    """Time a whole command ``runs`` times (``before`` runs untimed before each)."""
    out = Result(label)
    for _ in range(runs):
        if before is not None:
            before()
        seconds, peak = run_command(argv, cwd=cwd, env=env, check=check)
        out.seconds.append(seconds)
        out.peak_mb.append(peak)
    return out


def bench_call(label: str, fn: Callable[[], object], *, runs: int = 5,
               before: Callable[[], None] | None = None) -> Result:
    """Time an in-process call ``runs`` times."""
    out = Result(label)
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        out.seconds.append(time.perf_counter() - started)
    return out


def demo_program(participants: int, seed: int = 1) -> Path:
    """A demo program of this size, built once under build/bench/ and reused."""
    path = BUILD / f"demo-{participants}-s{seed}"
    if not (path / "program.toml").is_file():
        if path.exists():
            shutil.rmtree(path)
        BUILD.mkdir(parents=True, exist_ok=True)
        print(f"building {path.relative_to(ROOT)} ({participants} participants)...",
              file=sys.stderr)
        subprocess.run([*RMTUI, "demo", str(path), "--participants", str(participants),
                        "--seed", str(seed)], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def drop_cache(program: Path) -> None:
    shutil.rmtree(program / ".rmtui" / "cache", ignore_errors=True)


def table(results: Sequence[Result], *, baseline: Result | None = None,
          goals: dict[str, float] | None = None) -> str:
    """A plain-text table: median, min-max, peak memory, ratio to a baseline, goal."""
    rows = [("step", "median s", "min-max s", "peak MB", "ratio", "goal")]
    for r in results:
        lo, hi = r.spread
        ratio = f"{baseline.median / r.median:.1f}x faster" if baseline and r is not baseline \
            else ""
        goal = (goals or {}).get(r.label)
        rows.append((r.label, f"{r.median:.3f}", f"{lo:.3f}-{hi:.3f}",
                     f"{r.peak:.0f}" if r.peak is not None else "",
                     ratio, (f"< {goal:g} s " + ("ok" if r.median < goal else "MISSED"))
                     if goal else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> str:
    """One line on where the figures were measured."""
    import platform

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")
