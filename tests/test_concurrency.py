"""Two rmtui processes changing one program at once: no update is lost, no file is torn.

Writers take the program lock (waiting for it a while), and an edit is
refused (exit 3) rather than written over a file that changed since it was
read. These tests run real processes side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import git

PAIR = "asa-oberg--nguyen-van-duc"


def start(root: Path, script: str) -> subprocess.Popen:
    """A shell loop of rmtui commands, each line `<exit code> <command>`."""
    env = {**os.environ, "RMTUI_LOCK_TIMEOUT": "20"}
    return subprocess.Popen(["sh", "-c", script, "sh", sys.executable, str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def results(proc: subprocess.Popen) -> tuple[list[tuple[int, str]], str]:
    out, err = proc.communicate(timeout=300)
    rows = [line.split(" ", 1) for line in out.splitlines() if line.strip()]
    return [(int(code), what) for code, what in rows], err


LOOP = 'for i in $(seq 1 {n}); do "$1" -m rmtui -C "$2" {cmd} >/dev/null 2>>"$2/../err-{tag}"; echo "$? $i"; done'


def test_two_writers_on_different_entities_both_get_through(people_program, rmtui) -> None:
    root = people_program.root
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    a = start(root, LOOP.format(n=8, tag="a", cmd=f"session log {PAIR} --date 2027-02-1$i "
                                                    "--duration 30"))
    b = start(root, LOOP.format(n=8, tag="b",
                                cmd="participant edit joost-van-der-meer --set title=T$i"))
    ra, _ = results(a)
    rb, _ = results(b)
    assert [code for code, _ in ra + rb] == [0] * 16
    assert int(git(root, "rev-list", "--count", "HEAD")) == commits + 16
    logged = sorted(p.name for p in (root / "sessions" / PAIR).iterdir())
    assert logged == ["2027-02-03.yaml"] + [f"2027-02-1{i}.yaml" for i in range(1, 9)]
    assert "title: T8" in (root / "participants" / "joost-van-der-meer.yaml").read_text()
    assert git(root, "status", "--porcelain") == ""
    assert rmtui("-C", root, "validate").code == 0
    fsck = subprocess.run(["git", "fsck", "--no-dangling"], cwd=root, capture_output=True)
    assert fsck.returncode == 0


def test_two_writers_on_one_file_never_lose_an_update(people_program, rmtui) -> None:
    """Both append to one participant's skills: every edit that reports success is in the
    file; an edit that lost the race says so (exit 3) and changed nothing."""
    root = people_program.root
    a = start(root, LOOP.format(n=10, tag="a",
                                cmd="participant edit asa-oberg --set skills+=a$i"))
    b = start(root, LOOP.format(n=10, tag="b",
                                cmd="participant edit asa-oberg --set skills+=b$i"))
    ra, _ = results(a)
    rb, _ = results(b)
    assert {code for code, _ in ra + rb} <= {0, 3}
    skills = rmtui("-C", root, "participant", "show", "asa-oberg", "--format", "json").out
    import json

    have = set(json.loads(skills)["skills"])
    won = {f"a{i}" for code, i in ra if code == 0} | {f"b{i}" for code, i in rb if code == 0}
    lost = {f"a{i}" for code, i in ra if code != 0} | {f"b{i}" for code, i in rb if code != 0}
    assert won <= have and not (lost & have)
    errors = (root.parent / "err-a").read_text() + (root.parent / "err-b").read_text()
    for line in errors.splitlines():
        if line.startswith("error:"):
            assert "changed on disk since" in line or "another rmtui" in line, line
    assert git(root, "status", "--porcelain") == ""
    assert int(git(root, "rev-list", "--count", "HEAD")) >= len(won)
    assert rmtui("-C", root, "validate").code == 0


def test_two_owners_log_the_same_day_at_once(people_program, rmtui) -> None:
    """Two sessions of one pair on one day, logged at the same moment, get two files."""
    root = people_program.root
    script = f'"$1" -m rmtui -C "$2" session log {PAIR} --date 2027-02-20 >/dev/null; echo "$? 1"'
    procs = [start(root, script) for _ in range(3)]
    codes = [results(p)[0][0][0] for p in procs]
    assert codes == [0, 0, 0]
    assert sorted(p.name for p in (root / "sessions" / PAIR).glob("2027-02-20*")) == \
        ["2027-02-20-2.yaml", "2027-02-20-3.yaml", "2027-02-20.yaml"]
    assert git(root, "status", "--porcelain") == ""
