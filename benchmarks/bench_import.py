"""How long importing the real HR exports takes, as whole commands.

    .venv/bin/python benchmarks/bench_import.py [--runs N]

Measures, for the 311-row and the 1,470-row export with the mappings in
examples/: the first import into an empty program (311 or 1,470 new files
and one commit), a dry run of the same file against the imported program,
importing the same file again (nothing to change, no commit), and a --sync
of a copy with three rows changed and one removed. It also compares, in
process, checking 1,470 new participants as one batch with checking them
one by one (what a loop over ``check_entity`` would cost).
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

from _harness import BUILD, RMTUI, ROOT, bench_call, bench_command, machine, table

FILES = {
    "hr_dataset_v14": ROOT / "tests" / "fixtures" / "hr" / "hr_dataset_v14.csv",
    "ibm_hr_attrition": ROOT / "tests" / "fixtures" / "hr" / "ibm_hr_attrition.csv",
}
GOALS = {"first import, 1470 rows": 5.0, "import again, 1470 rows": 2.0}


def fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    subprocess.run([*RMTUI, "init", str(path), "--name", "bench"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def synced_copy(source: Path, dest: Path) -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    for number in (5, 50, 100):
        rows[number][-1] = rows[number][-1] + "0" if rows[number][-1].isdigit() else "x"
    key = {"hr_dataset_v14": "Department", "ibm_hr_attrition": "JobRole"}[source.stem]
    col = rows[0].index(key)
    for number in (5, 50, 100):
        rows[number][col] = "Sales" if rows[number][col] != "Sales" else "HR"
    del rows[150]
    with open(dest, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    results = []
    for stem, source in FILES.items():
        mapping = ROOT / "examples" / f"{stem}.toml"
        n = sum(1 for _ in source.open(encoding="utf-8-sig")) - 1
        prog = BUILD / f"import-{stem}"
        cmd = [*RMTUI, "-C", str(prog), "import", "participants", str(source), "-m",
               str(mapping)]
        results.append(bench_command(f"first import, {n} rows", cmd, runs=runs,
                                     before=lambda p=prog: fresh(p)))
        results.append(bench_command(f"dry run, {n} rows", [*cmd, "--dry-run"], runs=runs))
        results.append(bench_command(f"import again, {n} rows", cmd, runs=runs))
        changed = synced_copy(source, BUILD / f"{stem}-sync.csv")
        sync = [*RMTUI, "-C", str(prog), "import", "participants", str(changed), "-m",
                str(mapping), "--sync"]
        snapshot = BUILD / f"import-{stem}-imported"

        def reset(p=prog, s=snapshot) -> None:
            if not s.exists():
                shutil.copytree(p, s, symlinks=True)
            shutil.rmtree(p)
            shutil.copytree(s, p, symlinks=True)

        results.append(bench_command(f"--sync 3 changed 1 removed, {n} rows", sync, runs=runs,
                                     before=reset))
        shutil.rmtree(snapshot, ignore_errors=True)
    batch, single = check_batch_against_one_by_one(runs)
    print(f"import benchmarks ({machine()}, median of {runs} runs)\n")
    print(table(results, goals=GOALS))
    print()
    print(table([single, batch], baseline=single))


def check_batch_against_one_by_one(runs: int):
    sys.path.insert(0, str(ROOT))
    from rmtui.core import importer, validate
    from rmtui.core.kinds import PARTICIPANT
    from rmtui.core.store import Program

    fresh(BUILD / "import-empty")
    empty = Program(BUILD / "import-empty")
    table_ = importer.read_table(FILES["ibm_hr_attrition"])
    plan = importer.make_plan(empty, table_, importer.load_mapping(
        ROOT / "examples" / "ibm_hr_attrition.toml"))
    items = {a.id: a.data for a in plan.added}

    def one_by_one() -> None:
        # each new person checked on their own against the program with the ones
        # before them (one Index for all, as draft_edit(index=...) does): the checks
        # across all participants run once per person
        index = validate.Index(empty)
        for pid, data in items.items():
            validate.check_entity(empty, PARTICIPANT, pid, data, index)

    single = bench_call(f"check {len(items)} one by one", one_by_one, runs=max(1, runs // 2))
    print(f"checked {len(items)} one by one in {single.median:.1f} s", file=sys.stderr)
    batch = bench_call(f"check {len(items)} as one batch",
                       lambda: validate.check_entities(empty, PARTICIPANT, items), runs=runs)
    return batch, single


if __name__ == "__main__":
    main()
