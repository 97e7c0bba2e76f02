"""What the project ships for program repositories: the pre-commit hook, the CI example."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml

from rmtui.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def test_the_pre_commit_hooks_run_rmtui_validate_on_program_files(people_program, rmtui) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["rmtui-validate", "rmtui-validate-strict"]
    for hook in hooks:
        assert hook["entry"] == "rmtui" and hook["pass_filenames"] is False
        assert hook["language"] == "python"
        files = re.compile(hook["files"])
        for path in ("program.toml", "participants/asa-oberg.yaml", "acme/pairs/a--b.yaml",
                     "sessions/a--b/2027-01-01.yaml", "responses/final/asa.yaml"):
            assert files.search(path), path
        for path in ("README.md", "templates/agreement.yaml", "docs/participants.md"):
            assert not files.search(path), path
        # the hook's command line works in a program (pre-commit runs it at the top)
        run = rmtui("-C", people_program.root, *hook["args"])
        assert run.code == 0, run.out + run.err
        (people_program.root / "participants" / "broken.yaml").write_text("id: [\n")
        assert rmtui("-C", people_program.root, *hook["args"]).code == 1
        (people_program.root / "participants" / "broken.yaml").unlink()


def _steps() -> list[dict]:
    flow = yaml.safe_load((ROOT / "examples" / "github" / "rmtui.yml").read_text())
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_the_ci_example_runs_commands_that_work(people_program, rmtui) -> None:
    used = []
    for step in _steps():
        for line in step.get("run", "").splitlines():
            words = shlex.split(line.replace("|", " ").strip(), comments=True) if "rmtui" in line \
                else []
            if words[:1] == ["rmtui"]:
                rest = [w for w in words[1:] if w != "tee"]
                if rest[:1] == ["-C"]:
                    rest = rest[2:]
                used.append(rest[:rest.index("validate.txt")] if "validate.txt" in rest else rest)
    assert {args[0] for args in used} == {"validate", "match"}
    assert {args[0] for args in used} <= set(COMMANDS)
    for args in used:  # each command line works on a program
        run = rmtui("-C", people_program.root, *args)
        assert run.code == 0, (args, run.out, run.err)


def test_the_ci_example_turns_diagnostics_into_annotations(people_program, rmtui,
                                                           tmp_path) -> None:
    (people_program.root / "participants" / "carl.yaml").write_text(
        "id: carl\nname: Carl\nrole: mentor\ngrade: five\n")
    out = rmtui("-C", people_program.root, "validate", "--summary").out
    (tmp_path / "validate.txt").write_text(out)
    script = next(s["run"] for s in _steps() if s.get("name") == "Annotate the files")
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PROGRAM": ".", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert re.match(r"::error file=.*participants/carl\.yaml,line=4,col=8::error\[schema\]: "
                    r"'grade' must be a whole number", lines[0]), lines[0]


def test_the_readme_first_program_runs_as_written(tmp_path: Path) -> None:
    """Every command of README's "A first program", in order, from an empty folder."""
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A first program", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    script = re.sub(r"#[^\n]*", "", block)
    rmtui_cmd = f"{shlex.quote(sys.executable)} -m rmtui"
    script = re.sub(r"(?m)^rmtui ", rmtui_cmd + " ", script)
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert "undid 'session: log asa-oberg--nguyen-van-duc" in proc.stderr
    pair = yaml.safe_load((tmp_path / "acme-2027" / "pairs" / "asa-oberg--nguyen-van-duc.yaml")
                          .read_text(encoding="utf-8"))
    assert pair["status"] == "active"
