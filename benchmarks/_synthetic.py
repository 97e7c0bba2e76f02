"""Synthetic programs with N mentors and N mentees, for matching at scale.

``rmtui demo`` builds at most a realistic 10,000-person program (5,000 per
side); the matching goal is 10,000 mentees x 10,000 mentors. This writes such
a program as real files (participants with the demo's vocabulary of topics,
interests, slots, cities and departments, an org chart of managers, grades,
languages, capacities 1-3, a few preferences and exclusions), so the
benchmark reads it the way `rmtui match suggest` does.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

from rmtui.core import yamlio
from rmtui.core.demo import CITIES, DEPARTMENTS, INTERESTS, SLOTS, TOPICS
from rmtui.core.ops.program import init_program


def synthetic_program(path: Path, per_side: int, seed: int = 1) -> Path:
    if (path / "program.toml").is_file():
        return path
    if path.exists():
        shutil.rmtree(path)
    rng = random.Random(seed)
    init_program(path, f"Synthetic {per_side} x {per_side}")
    depts = sorted(DEPARTMENTS)
    folder = path / "participants"
    folder.mkdir(exist_ok=True)
    mentor_ids = [f"mentor-{k:05d}" for k in range(per_side)]
    mentee_ids = [f"mentee-{k:05d}" for k in range(per_side)]
    managers = [f"M{k:05d}" for k in range(max(1, per_side // 8))]
    for role, ids in (("mentor", mentor_ids), ("mentee", mentee_ids)):
        for k, pid in enumerate(ids):
            city = rng.choice(CITIES)
            langs = ["en"] + ([city.locale] if city.locale != "en" else [])
            data = {
                "id": pid, "name": pid.replace("-", " ").title(), "role": role,
                "employee_id": f"{role[:2].upper()}{k:05d}",
                "department": rng.choice(depts), "location": city.name,
                "timezone": city.timezone, "languages": langs,
                "grade": rng.randint(1, 4) if role == "mentor" else rng.randint(6, 9),
                "interests": sorted(rng.sample(INTERESTS, rng.randint(2, 4))),
                "availability": sorted(rng.sample(SLOTS, rng.randint(2, 5))),
                "status": "active", "training_completed": "2027-01-05",
            }
            if role == "mentor":
                data["skills"] = sorted(rng.sample(TOPICS, rng.randint(3, 6)))
                data["capacity"] = rng.choice((1, 1, 1, 2, 2, 3))
                data["manager_id"] = rng.choice(managers)
            else:
                data["learning_topics"] = sorted(rng.sample(TOPICS, rng.randint(2, 4)))
                # senior mentees manage the managers of some mentors
                if k < len(managers):
                    data["employee_id"] = managers[k]
                else:
                    data["manager_id"] = rng.choice(managers)
            if rng.random() < 0.05:
                others = mentee_ids if role == "mentor" else mentor_ids
                data["preferences"] = rng.sample(others, 3)
            if rng.random() < 0.01:
                others = mentee_ids if role == "mentor" else mentor_ids
                data["exclusions"] = [rng.choice(others)]
            (folder / f"{pid}.yaml").write_text(yamlio.dump(data), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    subprocess.run(["git", "commit", "-qm", "synthetic participants"], cwd=path, check=True)
    return path
