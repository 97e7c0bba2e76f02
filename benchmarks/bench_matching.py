"""Matching speed, memory and optimality.

    .venv/bin/python benchmarks/bench_matching.py [--quick]

Programs: synthetic programs of N mentors and N mentees written as real files
(benchmarks/_synthetic.py: the demo's vocabulary, an org chart, capacities 1-3,
preferences and exclusions), every hard rule on. Steps:

1. ``rmtui match suggest`` as a whole command (load, score, solve, prove,
   print JSON) at 1,000 x 1,000 and 10,000 x 10,000: median wall time and
   peak memory of the process;
2. ``suggest()`` in-process at 1,000 x 1,000 (the program's read cache warm);
3. optimality: at 1,000 and 2,000 per side the sparse, certified result is
   compared with scipy's dense ``linear_sum_assignment`` on the full score
   matrix with every mentor's capacity as that many columns; at 10,000 (too
   big for the dense solver) with two upper bounds: each mentee's best allowed
   score summed, and the LP-duality certificate the solver itself checks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BUILD, RMTUI, bench_call, bench_command, machine, table  # noqa: E402
from _synthetic import synthetic_program  # noqa: E402

from rmtui.core.matching import problem, solver, suggest  # noqa: E402
from rmtui.core.store import Program  # noqa: E402


def program_of(n: int) -> Path:
    return synthetic_program(BUILD / f"synthetic-{n}", n)


def optimality(n: int, dense: bool) -> str:
    prog = Program(program_of(n))
    prob = problem.load(prog)
    started = time.perf_counter()
    st = solver.solve(prob)
    sparse_s = time.perf_counter() - started
    matched = int((st.assign >= 0).sum())
    total = st.total_units
    best = st.best[st.best >= 0]
    simple_bound = int(best.sum())
    line = (f"{n} x {n}: sparse+certificate {sparse_s:.2f} s, {matched} matched, total "
            f"{total / 1e4:.4f}, proven optimal: {st.proven} after {st.rounds} round(s) "
            f"({st.edges} candidate pairs of {st.scores.size}); sum of best scores "
            f"{simple_bound / 1e4:.4f} (gap to it {(simple_bound - total) / simple_bound:.3%})")
    if dense:
        started = time.perf_counter()
        ref = solver.dense_reference(st)
        dense_s = time.perf_counter() - started
        ref_total = sum(st.score(r, int(ref[r])) for r in np.flatnonzero(ref >= 0))
        line += (f"; dense linear_sum_assignment {dense_s:.2f} s, "
                 f"{int((ref >= 0).sum())} matched, total {ref_total / 1e4:.4f}, "
                 f"difference {(ref_total - total) / 1e4:+.4f}")
    return line


def main() -> None:
    quick = "--quick" in sys.argv
    print(machine())
    small = program_of(1000)
    results = [bench_command("suggest 1k x 1k (command)",
                             [*RMTUI, "-C", str(small), "match", "suggest", "-f", "json"],
                             runs=5)]
    prog = Program(small)
    suggest(prog)  # warm the read cache
    results.append(bench_call("suggest 1k x 1k (in-process)", lambda: suggest(prog), runs=5))
    goals = {"suggest 1k x 1k (command)": 1.0, "suggest 1k x 1k (in-process)": 1.0}
    if not quick:
        big = program_of(10000)
        results.append(bench_command("suggest 10k x 10k (command)",
                                     [*RMTUI, "-C", str(big), "match", "suggest", "-f", "json"],
                                     runs=3))
        goals["suggest 10k x 10k (command)"] = 15.0
    print(table(results, goals=goals))
    print()
    print(optimality(1000, dense=True))
    print(optimality(2000, dense=True))
    if not quick:
        print(optimality(10000, dense=False))


if __name__ == "__main__":
    main()
