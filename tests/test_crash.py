"""Killing a writer at any point leaves a valid program and a consistent repository.

A writer runs in a subprocess with ``RMTUI_CRASH_AT=N``: it ends on the spot
(``os._exit``, as after ``kill -9``) at the N-th step boundary of its write
and commit (see ``rmtui.core.faults``). For every N until the writer gets
through, the next rmtui (here ``validate``) must find the program valid,
``git fsck`` must be clean, and the program must hold the whole change,
committed, or none of it, with nothing staged or left lying around.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import git, tree_digest

from rmtui.core import faults

PAIR = "asa-oberg--nguyen-van-duc"

SCENARIOS = {
    "session log": ["session", "log", PAIR, "--date", "2027-02-10", "--duration", "30"],
    "participant edit": ["participant", "edit", "asa-oberg", "--set", "title=Lead",
                         "--set", "skills+=Python"],
    "session remove": ["session", "remove", f"{PAIR}/2027-02-03"],
    "undo": ["undo"],
}


def writer(root: Path, args: list[str], crash_at: int = 0, trace: bool = False
           ) -> subprocess.CompletedProcess:
    env = {**os.environ, "RMTUI_CRASH_AT": str(crash_at)}
    if trace:
        env["RMTUI_CRASH_TRACE"] = "1"
    return subprocess.run([sys.executable, "-m", "rmtui", "-C", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def state(root: Path) -> tuple[dict, str, str]:
    return tree_digest(root), git(root, "rev-parse", "HEAD").strip(), \
        git(root, "status", "--porcelain", "--untracked-files=all")


def leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(".*.tmp")
                  if ".git" not in p.parts)


def check_recovered(root: Path, rmtui, before: tuple, after: tuple, base_head: str,
                    where: str) -> str:
    run = rmtui("-C", root, "validate")
    assert run.code == 0, f"{where}: {run.out}{run.err}"
    fsck = subprocess.run(["git", "fsck", "--no-dangling", "--no-progress"], cwd=root,
                          capture_output=True, text=True)
    assert fsck.returncode == 0 and "error" not in fsck.stdout + fsck.stderr, \
        f"{where}: {fsck.stdout}{fsck.stderr}"
    assert not (root / ".rmtui" / "journal").exists(), where
    assert leftovers(root) == [], where
    now = state(root)
    if now == before:
        return "nothing"
    assert now[0] == after[0] and now[2] == after[2] == "", f"{where}: a half change {now[2]}"
    assert git(root, "rev-parse", "HEAD^").strip() == base_head, where
    assert git(root, "rev-parse", "HEAD^{tree}") == git(root, "rev-parse", f"{after[1]}^{{tree}}")
    return "whole"


# each scenario through rmtui's own commit, and (with a commit hook installed) through
# `git commit`; undo always commits through git
CASES = [(name, False) for name in SCENARIOS] + [("session log", True),
                                                 ("participant edit", True)]


@pytest.mark.parametrize(("name", "hook"), CASES,
                         ids=[f"{n}-{'git-commit' if h else 'plumbing'}" for n, h in CASES])
def test_a_writer_killed_at_any_step_leaves_all_or_nothing(people_program, rmtui, tmp_path,
                                                           name, hook) -> None:
    base = people_program.root
    if hook:  # a hook that says yes: commits go through `git commit`
        hooks = base / ".git" / "hooks"
        hooks.mkdir(exist_ok=True)
        (hooks / "pre-commit").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        (hooks / "pre-commit").chmod(0o755)
    args = SCENARIOS[name]
    before = state(base)
    assert before[2] == ""
    reference = tmp_path / "reference"
    shutil.copytree(base, reference, symlinks=True)
    done = writer(reference, args, trace=True)
    assert done.returncode == 0, done.stderr
    points = [line for line in done.stderr.splitlines() if line.startswith("crash point")]
    assert len(points) >= 3, done.stderr  # the journal, the writes and the commit all have steps
    after = state(reference)
    seen = set()
    for n in range(1, len(points) + 1):
        root = tmp_path / f"crash-{n}"
        shutil.copytree(base, root, symlinks=True)
        run = writer(root, args, crash_at=n)
        assert run.returncode == faults.EXIT_CODE, f"step {n}: {run.stderr}"
        seen.add(check_recovered(root, rmtui, before, after, before[1], f"{name}, {points[n - 1]}"))
        if n % 4 == 1:  # and the next change goes through
            again = rmtui("-C", root, "participant", "edit", "joost-van-der-meer",
                          "--set", "title=X")
            assert again.code == 0, again.err
        shutil.rmtree(root)
    assert seen == {"nothing", "whole"}  # crashes before and after the commit landed


def test_a_writer_killed_by_a_signal_at_random_moments(people_program, rmtui, tmp_path) -> None:
    """A real SIGKILL, at a few moments spread over a write and its commit."""
    base = people_program.root
    before = state(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference, symlinks=True)
    args = SCENARIOS["participant edit"]
    started = time.monotonic()
    assert writer(reference, args).returncode == 0
    took = time.monotonic() - started
    after = state(reference)
    for i, share in enumerate((0.5, 0.7, 0.8, 0.9, 0.95)):
        root = tmp_path / f"kill-{i}"
        shutil.copytree(base, root, symlinks=True)
        proc = subprocess.Popen([sys.executable, "-m", "rmtui", "-C", str(root), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * share)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # a git command the writer had started finishes on its own: wait for its lock
        for _ in range(100):
            if not list((root / ".git").rglob("*.lock")):
                break
            time.sleep(0.05)
        time.sleep(0.1)  # (a git child may be between its steps)
        check_recovered(root, rmtui, before, after, before[1], f"killed at {share:.0%}")
