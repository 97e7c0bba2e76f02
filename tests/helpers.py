"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result

from rmtui.core import ops
from rmtui.core.store import Program

TODAY = "2027-03-01"
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Run:
    """A finished CLI run, with stdout and stderr kept apart."""

    result: Result

    @property
    def code(self) -> int:
        return self.result.exit_code

    @property
    def out(self) -> str:
        return self.result.stdout

    @property
    def err(self) -> str:
        return self.result.stderr

    @property
    def traceback(self) -> bool:
        exc = self.result.exception
        return exc is not None and not isinstance(exc, SystemExit)


PEOPLE = [
    # id-making name, role, grade, department, employee_id, manager_id, extra
    ("Åsa Öberg", "mentor", 2, "IT", "E100", "E900", {"skills": ["generative AI", "Teams"]}),
    ("Nguyễn Văn Đức", "mentee", 7, "Sales", "E200", "E999", {"learning_topics": ["generative AI"]}),
    ("Joost van der Meer", "mentor", 3, "Marketing", "E101", "E901", {"capacity": 2}),
    ("Lucia D'Angelo", "mentee", 8, "Finance", "E201", "E999", {}),
]


def add_people(prog: Program) -> list[str]:
    out = []
    for name, role, grade, dept, emp, mgr, extra in PEOPLE:
        data = {"name": name, "role": role, "grade": grade, "department": dept,
                "employee_id": emp, "manager_id": mgr, "status": "active",
                "training_completed": "2027-01-05", "languages": ["en"],
                "timezone": "Europe/Stockholm", **extra}
        out.append(ops.add(prog, "participant", data).entity_id)
    return out


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` (outside .git and .rmtui) with its hash."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".git/", ".rmtui/")) or rel in (".git", ".rmtui") or path.is_dir():
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD").strip())


def head_files(root: Path) -> list[str]:
    return git(root, "show", "--name-only", "--format=", "HEAD").split()


def head_subject(root: Path) -> str:
    return git(root, "log", "-1", "--format=%s").strip()


def porcelain(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")
