"""Creating a program from the template."""

from __future__ import annotations

from pathlib import Path

from rmtui.core import gitrepo, settings
from rmtui.core.errors import UsageError
from rmtui.core.ops.change import Outcome, change, outcome_of
from rmtui.core.resources import template_dir
from rmtui.core.store import Program

# files kept without their dot in the template (so that packaging tools keep them)
_DOT = {"gitignore": ".gitignore", "gitattributes": ".gitattributes"}


def template_files() -> list[tuple[str, Path]]:
    """``(relpath in a program, source)`` for every template file."""
    base = template_dir()
    out = []
    for src in sorted(base.rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts:
            rel = src.relative_to(base).as_posix()
            out.append((_DOT.get(rel, rel), src))
    return out


def _render_settings(text: str, name: str) -> str:
    import tomli_w

    line = tomli_w.dumps({"name": name}).strip()
    out, done = [], False
    for row in text.splitlines(keepends=True):
        if not done and row.startswith("name = "):
            row, done = line + "\n", True
        out.append(row)
    return "".join(out)


def init_program(path: Path, name: str | None = None, *, commit: bool = True) -> Outcome:
    """Create a program from the template, with its own git repository if needed."""
    path = Path(path)
    if (path / settings.FILENAME).exists():
        raise UsageError(f"{path} already holds a program", hint="choose another folder")
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} exists and is not a folder")
    files = template_files()
    clashes = [rel for rel, _ in files if (path / rel).exists()]
    if clashes:
        raise UsageError(f"{path} already has files rmtui would overwrite: {', '.join(clashes)}",
                         hint="choose an empty folder")
    name = name or path.resolve().name
    path.mkdir(parents=True, exist_ok=True)
    program = Program(path)
    top = gitrepo.toplevel(program.root)
    if top is None or gitrepo.is_ignored(top, program.root):
        gitrepo.init(program.root)
    with change(program, f"program: create {name}", "program.init", commit=commit) as ch:
        for rel, src in files:
            text = src.read_text(encoding="utf-8")
            if rel == settings.FILENAME:
                text = _render_settings(text, name)
            ch.create(rel, text)
    repo = gitrepo.Repo.of(program.root)
    if repo is not None:
        from rmtui.core import merge

        merge.register_driver(repo)
    return outcome_of(ch, f"created program {name!r} in {path}")
