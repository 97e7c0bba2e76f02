"""How long `rmtui kpi` takes on the 10,000-participant demo, warm and cold.

Warm: the load cache under .rmtui/cache/ is current (the usual case); goal under
1 s. Cold: the cache is removed before each run, so every file is parsed and
checked; goal under 20 s. Also measured: the KPIs alone in-process (from an
already loaded snapshot), `kpi --at HEAD` (every file read from git objects,
no cache), a monthly trend from the files' dates, and the report.

    .venv/bin/python benchmarks/bench_kpi.py [--participants N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import (  # noqa: E402
    RMTUI,
    bench_call,
    bench_command,
    demo_program,
    drop_cache,
    machine,
    run_command,
    table,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prog = demo_program(args.participants)
    kpi_cmd = [*RMTUI, "-C", str(prog), "kpi", "--format", "json"]
    run_command(kpi_cmd)  # warm the cache

    results = []
    goals = {"kpi (warm cache)": 1.0, "kpi (cold cache)": 20.0,
             "kpi (warm, one file edited by hand)": 1.0}
    results.append(bench_command("kpi (warm cache)", kpi_cmd, runs=args.runs))
    results.append(bench_command("kpi (cold cache)", kpi_cmd, runs=max(2, args.runs // 2),
                                 before=lambda: drop_cache(prog)))
    run_command(kpi_cmd)  # warm again

    session = sorted((prog / "sessions").iterdir())[0]
    one = sorted(session.iterdir())[0]
    original = one.read_bytes()
    edits = iter(range(1000))

    def edit_one() -> None:
        one.write_bytes(original + f"# edit {next(edits)}\n".encode())

    results.append(bench_command("kpi (warm, one file edited by hand)", kpi_cmd,
                                 runs=args.runs, before=edit_one))
    one.write_bytes(original)
    run_command(kpi_cmd)

    from rmtui.core import kpi
    from rmtui.core.store import Program

    program = Program(prog)
    snap = kpi.snapshot(program)
    results.append(bench_call("KPIs in-process (loaded snapshot)",
                              lambda: kpi._evaluate(kpi.Facts(snap), kpi.resolve_as_of(snap, None)),
                              runs=args.runs))
    results.append(bench_call("snapshot from the warm cache", lambda: kpi.snapshot(program),
                              runs=args.runs))
    results.append(bench_command("kpi --at HEAD (git objects)",
                                 [*kpi_cmd, "--at", "HEAD"], runs=max(2, args.runs // 2)))
    results.append(bench_command("kpi --by department (warm)",
                                 [*kpi_cmd, "--by", "department"], runs=args.runs))
    results.append(bench_command("kpi trend --source dates (warm)",
                                 [*RMTUI, "-C", str(prog), "kpi", "trend", "--source", "dates",
                                  "--format", "json"], runs=args.runs))
    results.append(bench_command("report --format html (warm)",
                                 [*RMTUI, "-C", str(prog), "report", "--format", "html"],
                                 runs=args.runs))
    load = os.getloadavg()[0]
    print(f"rmtui kpi on {prog.name} ({machine()}; load average {load:.1f} at the end)")
    print(table(results, goals=goals))


if __name__ == "__main__":
    main()
