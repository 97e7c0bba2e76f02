"""`rmtui init`: a new program from the template, in its own repository or in an
enclosing one; and the template, the schema and the model agree on every default."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import git, tree_digest

from rmtui import __version__
from rmtui.core import model, schemas, settings
from rmtui.core.resources import template_dir

TEMPLATE = template_dir()
SURVEYS = ["surveys/baseline.yaml", "surveys/exit.yaml", "surveys/final.yaml",
           "surveys/pulse.yaml"]


def commits(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def test_init_creates_a_program_with_its_own_repository(tmp_path, rmtui) -> None:
    path = tmp_path / "acme-2027"
    run = rmtui("init", path, "--name", "Acme reverse mentoring 2027")
    assert run.code == 0, run.err
    assert run.out == ""
    assert "created program 'Acme reverse mentoring 2027'" in run.err

    toml = (path / "program.toml").read_text(encoding="utf-8")
    template = (TEMPLATE / "program.toml").read_text(encoding="utf-8")
    # only the name line differs: every comment and setting is as the template has it
    assert toml == template.replace('name = "New reverse-mentoring program"',
                                    'name = "Acme reverse mentoring 2027"', 1)
    assert "# Hard rules." in toml
    data = tomllib.loads(toml)
    assert data["schema_version"] == 1
    assert data["program"]["name"] == "Acme reverse mentoring 2027"
    assert settings.parse(toml.encode()).ok

    ignored = (path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".rmtui/" in ignored
    for rel in [*SURVEYS, "templates/agreement.yaml"]:
        assert (path / rel).read_text(encoding="utf-8") == \
            (TEMPLATE / rel).read_text(encoding="utf-8"), rel
    assert not (path / "gitignore").exists()
    # program files merge field by field: the attributes, and the driver in this clone
    from rmtui.core import merge

    assert (path / ".gitattributes").read_text(encoding="utf-8") == merge.ATTRIBUTES
    assert git(path, "check-attr", "merge", "sessions/p/2027-01-01.yaml").strip().endswith(
        "merge: rmtui")
    assert "merge-file -- %O %A %B %P" in git(path, "config", "merge.rmtui.driver")

    assert (path / ".git").is_dir()
    assert git(path, "rev-parse", "--show-toplevel").strip() == str(path.resolve())
    assert commits(path) == ["program: create Acme reverse mentoring 2027"]
    committed = sorted(git(path, "ls-files").split())
    assert committed == sorted([".gitattributes", ".gitignore", "README.md", "program.toml",
                                *SURVEYS,
                                "templates/agreement.yaml"])
    # the local cache and the lock file stay out of git
    assert (path / ".rmtui").is_dir()
    assert git(path, "status", "--porcelain", "--untracked-files=all", "--ignored") == \
        "!! .rmtui/lock\n"

    # and the new program is valid and empty
    check = rmtui("-C", path, "validate")
    assert check.code == 0, check.out + check.err
    assert rmtui("-C", path, "participant", "list").out == "id\tname\trole\tdepartment\tgrade\tstatus\n"


def test_init_without_a_name_uses_the_folder_name(tmp_path, rmtui) -> None:
    run = rmtui("init", tmp_path / "pilot-wave")
    assert run.code == 0, run.err
    data = tomllib.loads((tmp_path / "pilot-wave" / "program.toml").read_text(encoding="utf-8"))
    assert data["program"]["name"] == "pilot-wave"


def test_a_name_with_quotes_and_accents_is_written_as_valid_toml(tmp_path, rmtui) -> None:
    name = 'Åsa\'s "Digital" Ngọc \\ 2027'
    run = rmtui("init", tmp_path / "p", "--name", name)
    assert run.code == 0, run.err
    raw = (tmp_path / "p" / "program.toml").read_bytes()
    assert settings.parse(raw).ok
    assert settings.parse(raw).name == name
    assert commits(tmp_path / "p") == [f"program: create {name}"]


@pytest.mark.parametrize("clash", ["program.toml", "surveys/pulse.yaml", ".gitignore"])
def test_init_refuses_to_overwrite(tmp_path, rmtui, clash) -> None:
    path = tmp_path / "acme"
    assert rmtui("init", path, "--name", "Acme").code == 0
    if clash != "program.toml":
        (path / "program.toml").unlink()
        git(path, "commit", "-q", "-am", "no settings")
    (path / clash).parent.mkdir(parents=True, exist_ok=True)
    (path / clash).write_text("# mine\n", encoding="utf-8")
    before, log = tree_digest(path), commits(path)
    run = rmtui("init", path, "--name", "Other")
    assert run.code == 2
    assert "Traceback" not in run.err
    assert (clash in run.err) or "already holds a program" in run.err
    assert tree_digest(path) == before
    assert commits(path) == log


def test_init_refuses_a_file_in_the_way(tmp_path, rmtui) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    run = rmtui("init", tmp_path / "afile")
    assert run.code == 2
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_init_inside_a_repository_commits_into_it(tmp_path, rmtui) -> None:
    outer = tmp_path / "hr"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "README.md").write_text("HR programs\n", encoding="utf-8")
    git(outer, "add", "README.md")
    git(outer, "commit", "-q", "-m", "start")
    run = rmtui("init", outer / "programs" / "acme", "--name", "Acme")
    assert run.code == 0, run.err
    assert not (outer / "programs" / "acme" / ".git").exists()
    assert commits(outer) == ["program: create Acme", "start"]
    files = git(outer, "show", "--name-only", "--format=", "HEAD").split()
    assert "programs/acme/program.toml" in files
    assert all(f.startswith("programs/acme/") for f in files)
    assert git(outer, "status", "--porcelain") == ""
    # rmtui then works in the enclosing repository
    run = rmtui("-C", outer / "programs" / "acme", "participant", "add", "--name", "Åsa Öberg",
                "--role", "mentor")
    assert run.code == 0, run.err
    assert git(outer, "show", "--name-only", "--format=", "HEAD").split() == \
        ["programs/acme/participants/asa-oberg.yaml"]
    # its history is the program's alone, and undo stays inside it
    run = rmtui("-C", outer / "programs" / "acme", "history", "--fields", "subject")
    assert run.out.splitlines() == ["subject", "participant: add asa-oberg (Åsa Öberg)",
                                    "program: create Acme"]
    (outer / "README.md").write_text("HR programs, 2027\n", encoding="utf-8")
    git(outer, "commit", "-q", "-am", "readme")
    run = rmtui("-C", outer / "programs" / "acme", "undo")
    assert run.code == 0, run.err
    assert not (outer / "programs/acme/participants/asa-oberg.yaml").exists()
    assert (outer / "README.md").read_text(encoding="utf-8") == "HR programs, 2027\n"
    assert rmtui("-C", outer / "programs" / "acme", "undo").code == 0
    assert (outer / "programs/acme/participants/asa-oberg.yaml").exists()


def test_init_in_a_folder_the_enclosing_repository_ignores_makes_its_own(tmp_path,
                                                                        rmtui) -> None:
    outer = tmp_path / "dotfiles"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / ".gitignore").write_text("scratch/\n", encoding="utf-8")
    git(outer, "add", ".gitignore")
    git(outer, "commit", "-q", "-m", "ignore scratch")
    path = outer / "scratch" / "acme"
    run = rmtui("init", path, "--name", "Acme")
    assert run.code == 0, run.err
    assert (path / ".git").is_dir()
    assert commits(path) == ["program: create Acme"]
    assert commits(outer) == ["ignore scratch"]
    assert git(outer, "status", "--porcelain") == ""


def test_python_m_rmtui_version(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "rmtui", "--version"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"rmtui, version {__version__}"
    assert proc.stderr == ""


# --------------------------------------------------------------------------
# One default, written down once
# --------------------------------------------------------------------------


def test_the_template_settings_are_the_schema_defaults() -> None:
    raw = (TEMPLATE / "program.toml").read_bytes()
    parsed = settings.parse(raw)
    assert parsed.ok, parsed.diagnostics
    defaults = schemas.get("program").defaults()
    expected = settings._merge(defaults, {"schema_version": settings.SCHEMA_VERSION,
                                          "program": {"name": "New reverse-mentoring program"}})
    assert parsed.values == expected
    # and the template repeats every default (nothing is left for the schema to fill in)
    written = tomllib.loads(raw.decode("utf-8"))
    assert written == expected
    assert written["schema_version"] == settings.SCHEMA_VERSION == 1


def _field_default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


@pytest.mark.parametrize("kind", sorted(model.MODELS))
def test_model_defaults_are_the_schema_defaults(kind) -> None:
    cls = model.MODELS[kind]
    fields = schemas.get(kind).fields
    for f in dataclasses.fields(cls):
        schema_default = fields[f.name].default if f.name in fields else None
        ours = _field_default(f)
        if schema_default is not None:
            assert ours == schema_default, (kind, f.name)
        elif ours is not dataclasses.MISSING:
            assert ours in (None, (), {}), (kind, f.name, ours)
    names = {f.name for f in dataclasses.fields(cls)}
    assert set(fields) == names, f"{kind}: schema and model name different fields"


def test_schema_defaults_that_matter_are_what_the_design_says() -> None:
    participant = model.Participant(id="a", name="A", role="mentor")
    assert participant.capacity == 1 == schemas.get("participant").fields["capacity"].default
    assert participant.status == "applied" == schemas.get("participant").fields["status"].default
    assert model.Goal(id="g", owner="a", title="t").status == "open"
    assert model.Session(pair="p", date=None).status == "held"  # type: ignore[arg-type]
    assert model.Survey(id="s", title="t", kind="pulse").audience == "all"
    assert model.Response(survey="s", participant="a").status == "submitted"
