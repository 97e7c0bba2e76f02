"""Scale: the 10,000-participant demo (about 4,700 pairs and 52,000 session files).

    .venv/bin/python benchmarks/bench_scale.py [--runs N]

Measures, each as whole commands (process start included):

* ``rmtui --help``;
* ``rmtui validate`` with a cold cache (no ``.rmtui/cache``), with a warm one,
  and warm right after an edit (the kept report brought up to date);
* edits with their commit: ``session log``, ``participant edit`` of a field no
  rule reads, and of one the pairing rules read; the same edit with a cold cache;
* the naive approach this design avoids, in the same run: reading every
  participant file with ruamel.yaml's round-trip loader on every command,
  against ``rmtui participant list`` with a cold and a warm cache.

Peak memory is the largest resident set of any of these processes. Results
go in docs/benchmarks.md under "Scale".
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from _harness import (
    BUILD,
    RMTUI,
    Result,
    bench_command,
    demo_program,
    drop_cache,
    machine,
    run_command,
    table,
)

NAIVE = """
import sys
from pathlib import Path
from rmtui.core import schemas, yamlio
root = Path(sys.argv[1])
schema = schemas.get("participant")
for path in sorted((root / "participants").glob("*.yaml")):
    data = yamlio.to_plain(yamlio.load_rt(path.read_text(encoding="utf-8"), path.name))
    schema.check(data)
"""


def working_copy(source: Path) -> Path:
    """A copy of the demo to edit, so the demo itself stays as built."""
    target = BUILD / "scale-edits"
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    # git's index of a fresh copy holds stale stat data for every file: refresh it
    # once, as any git command in a real clone would, so the first edit is not
    # charged for it
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=target, check=False)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per step (cold: fewer)")
    args = parser.parse_args()
    runs, cold_runs = args.runs, max(3, args.runs // 2 + 1)

    demo = demo_program(10_000)
    prog = working_copy(demo)
    files = sum(1 for _ in prog.rglob("*.yaml") if ".git" not in _.parts)
    print(f"{machine()}; {dt.date.today()}; {files:,} YAML files in {prog.name}\n", flush=True)
    env = {"RMTUI_LOCK_TIMEOUT": "30"}
    rm = [*RMTUI, "-C", str(prog)]
    pair = sorted(p.name for p in (prog / "sessions").iterdir())[0]
    person = sorted(p.stem for p in (prog / "participants").iterdir())[0]
    started = next(line.split(":", 1)[1].strip() for line in
                   (prog / "pairs" / f"{pair}.yaml").read_text().splitlines()
                   if line.startswith("started:"))
    first = dt.date.fromisoformat(started)
    day = iter(first + dt.timedelta(days=i) for i in range(10_000))
    flip = iter(range(10_000))

    def log_session() -> list[str]:
        return [*rm, "session", "log", pair, "--date", next(day).isoformat(), "--duration", "30"]

    results: dict[str, Result] = {}

    def step(label: str, argv, n: int, **kw) -> None:
        print(f"  {label} ...", file=sys.stderr, flush=True)
        results[label] = bench_command(label, argv, runs=n, env=env, **kw)

    step("rmtui --help", [*RMTUI, "--help"], runs * 2)
    step("validate, cold cache", [*rm, "validate"], cold_runs, before=lambda: drop_cache(prog))
    run_command([*rm, "validate"], env=env)
    step("validate, warm cache", [*rm, "validate"], runs)
    step("validate, warm, after a session log", [*rm, "validate"], runs,
         before=lambda: run_command(log_session(), env=env))
    step("validate, warm, after a participant edit (title)", [*rm, "validate"], runs,
         before=lambda: run_command([*rm, "participant", "edit", person, "--set",
                                     f"title=Lead {next(flip)}"], env=env))
    step("validate, warm, after a participant edit (a rule field)", [*rm, "validate"], runs,
         before=lambda: run_command([*rm, "participant", "edit", person, "--set",
                                     f"languages+=l{next(flip)}"], env=env))
    run_command([*rm, "participant", "list"], env=env)  # the kind caches, warm
    run_command([*rm, "pair", "list"], env=env)

    class Argv:
        """A command line made afresh for each run (a new date, another value)."""

        def __init__(self, make) -> None:
            self.make = make

        def __iter__(self):
            return iter(self.make())

    step("session log + commit", Argv(log_session), runs)
    step("participant edit (title) + commit", Argv(lambda: [
        *rm, "participant", "edit", person, "--set", f"title=Lead {next(flip)}"]), runs)
    step("participant edit (languages, a rule field) + commit", Argv(lambda: [
        *rm, "participant", "edit", person, "--set", f"languages+=l{next(flip)}"]), runs)
    step("participant edit (languages), cold cache + commit", Argv(lambda: [
        *rm, "participant", "edit", person, "--set", f"languages+=l{next(flip)}"]), cold_runs,
        before=lambda: drop_cache(prog))

    print("  naive round-trip reads ...", file=sys.stderr, flush=True)
    naive = bench_command("naive: round-trip read of 10,000 participant files",
                          [sys.executable, "-c", NAIVE, str(prog)], runs=cold_runs)
    list_cold = bench_command("rmtui participant list, cold cache",
                              [*rm, "participant", "list"], runs=cold_runs, env=env,
                              before=lambda: drop_cache(prog))
    run_command([*rm, "participant", "list"], env=env)
    list_warm = bench_command("rmtui participant list, warm cache",
                              [*rm, "participant", "list"], runs=runs, env=env)

    goals = {"rmtui --help": 0.3, "validate, cold cache": 20, "validate, warm cache": 1,
             "session log + commit": 0.5, "participant edit (title) + commit": 0.5,
             "participant edit (languages, a rule field) + commit": 0.5}
    print(table(list(results.values()), goals=goals))
    print()
    print(table([naive, list_cold, list_warm], baseline=naive))
    peak = max(r.peak or 0 for r in [*results.values(), naive, list_cold, list_warm])
    print(f"\npeak memory of any process: {peak:.0f} MB (goal < 1024 MB: "
          f"{'ok' if peak < 1024 else 'MISSED'})")
    shutil.rmtree(prog)


if __name__ == "__main__":
    main()
