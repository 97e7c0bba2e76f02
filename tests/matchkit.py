"""Small hand-built programs for the matching tests.

Every test person has a department of their own (so the department rule only
bites where a test says so), English, Stockholm's time zone, an active status
and training done; scores are made with the ``skills`` criterion alone unless
a test sets other weights: a mentee has ten learning topics t0..t9 and a
mentor with k of them scores k/10.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w
from helpers import git

from rmtui.core import ops, yamlio
from rmtui.core.store import Program

TOPICS = [f"t{i}" for i in range(10)]
SKILLS_ONLY = {"skills": 1.0, "interests": 0.0, "preferences": 0.0, "location": 0.0,
               "timezone": 0.0, "availability": 0.0, "diversity": 0.0}


def mentor(pid: str, k: int = 0, **extra) -> dict:
    """A mentor whose skills are t0..t(k-1)."""
    return {"id": pid, "name": pid.title(), "role": "mentor", "grade": 2,
            "department": f"dept-{pid}", "skills": TOPICS[:k], **extra}


def mentee(pid: str, **extra) -> dict:
    return {"id": pid, "name": pid.title(), "role": "mentee", "grade": 7,
            "department": f"dept-{pid}", "learning_topics": TOPICS, **extra}


def skills(k: int) -> list[str]:
    return TOPICS[:k]


def make_program(root: Path, people: list[dict], *, pairs: list[dict] = (),
                 weights: dict | None = None, settings: dict | None = None,
                 files: dict[str, str] | None = None) -> Program:
    ops.init_program(root, "Matching test")
    toml = root / "program.toml"
    values = tomllib.loads(toml.read_text(encoding="utf-8"))
    values["weights"] = {**SKILLS_ONLY, **(weights or {})}
    for table, entries in (settings or {}).items():
        node = values
        for part in table.split("."):
            node = node.setdefault(part, {})
        node.update(entries)
    toml.write_text(tomli_w.dumps(values), encoding="utf-8")
    (root / "participants").mkdir(exist_ok=True)
    for p in people:
        data = {"status": "active", "languages": ["en"], "timezone": "Europe/Stockholm",
                "training_completed": "2027-01-05", **p}
        (root / "participants" / f"{p['id']}.yaml").write_text(yamlio.dump(data), "utf-8")
    if pairs:
        (root / "pairs").mkdir(exist_ok=True)
    for p in pairs:
        pid = p.get("id") or f"{p['mentor']}--{p['mentee']}"
        data = {"id": pid, "proposed": "2027-01-10", **p}
        (root / "pairs" / f"{pid}.yaml").write_text(yamlio.dump(data), "utf-8")
    for rel, text in (files or {}).items():
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "people")
    return Program(root)
