"""Shared fixtures: hermetic environment, scratch programs, the CLI runner.

Every test runs in its own temporary folder with a pinned date, a fixed git
identity and commit time, and no RMTUI_PROGRAM from the outside world.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import TODAY, Run, add_people
from hypothesis import HealthCheck, settings

from rmtui.cli import cli
from rmtui.core import ops
from rmtui.core.store import Program

# Property tests and fuzzing: a fixed, small budget in CI; a long run on demand
# (HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py).
settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment: pinned date, fixed git identity, no outside program."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("RMTUI_TODAY", TODAY)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Pat Owner")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "pat@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2027-03-01T09:00:00+00:00")
    monkeypatch.delenv("RMTUI_PROGRAM", raising=False)
    monkeypatch.delenv("RMTUI_DEBUG", raising=False)
    monkeypatch.setenv("RMTUI_LOCK_TIMEOUT", "1")
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def program(tmp_path: Path) -> Program:
    """A new, empty program made by `init`, with its first commit."""
    ops.init_program(tmp_path / "prog", "Test program")
    return Program(tmp_path / "prog")


@pytest.fixture
def people_program(program: Program) -> Program:
    """A program with two mentors and two mentees, and one active pair with a session."""
    add_people(program)
    pair = ops.add(program, "pair", {"mentor": "asa-oberg", "mentee": "nguyen-van-duc",
                                     "proposed": "2027-01-10"}).entity_id
    ops.edit(program, "pair", pair, [ops.Assignment("status", "set", "active"),
                                     ops.Assignment("started", "set", "2027-01-20")])
    ops.log_session(program, pair, date="2027-02-03", duration=60, rating_mentor=4,
                    rating_mentee=5, summary="Set up a Teams channel for the leadership team.")
    return program


@pytest.fixture
def rmtui() -> Callable[..., Run]:
    """Run the CLI in-process: ``rmtui("-C", path, "validate")``."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Run:
        result = runner.invoke(cli, [str(a) for a in args], input=input, env=env,
                               catch_exceptions=True)
        run_ = Run(result)
        if run_.traceback:
            import traceback

            raise AssertionError(
                "rmtui raised instead of reporting:\n"
                + "".join(traceback.format_exception(*result.exc_info)))
        return run_

    return run


_TEMPLATE: dict[str, Path] = {}


@pytest.fixture
def people_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Program:
    """`people_program`, built once per run and copied (git history and all) for each test."""
    if "root" not in _TEMPLATE:
        prog = request.getfixturevalue("people_program")
        template = request.getfixturevalue("tmp_path_factory").mktemp("people") / "prog"
        shutil.copytree(prog.root, template, symlinks=True)
        _TEMPLATE["root"] = template
        return prog
    shutil.copytree(_TEMPLATE["root"], tmp_path / "prog", symlinks=True)
    return Program(tmp_path / "prog")


_DEMO: dict[str, Path] = {}


@pytest.fixture
def demo_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Program:
    """The 60-person demo (seed 1, as of the pinned day), built once per run and
    copied, git history and all, for each test."""
    if "root" not in _DEMO:
        import datetime as dt

        from rmtui.core.demo import build_demo

        template = request.getfixturevalue("tmp_path_factory").mktemp("demo") / "prog"
        build_demo(template, 60, seed=1, as_of=dt.date.fromisoformat(TODAY))
        _DEMO["root"] = template
    shutil.copytree(_DEMO["root"], tmp_path / "demo", symlinks=True)
    return Program(tmp_path / "demo")
