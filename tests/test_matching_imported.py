"""The matcher on programs imported from the two real HR exports.

Both files are imported with the mappings in examples/ (the HR v14 file with
its real reporting lines: ManagerName resolved to employee numbers, up to the
CEO), everyone still employed is accepted into the program, and the matcher
runs with every rule on. Its suggestion must keep every rule (reporting lines
included, which do block real combinations here), hold capacity, match as
many mentees as can be matched, and be proven optimal.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import FIXTURES, git
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from rmtui.core.matching import explain, suggest
from rmtui.core.store import Program

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SOURCES = {"hr": ("hr_dataset_v14.csv", "hr_dataset_v14.toml"),
           "ibm": ("ibm_hr_attrition.csv", "ibm_hr_attrition.toml")}
_BUILT: dict[str, Path] = {}


@pytest.fixture
def imported(request, tmp_path_factory, tmp_path, rmtui) -> Program:
    name = request.param
    if name not in _BUILT:
        root = tmp_path_factory.mktemp(f"import-{name}") / name
        assert rmtui("init", root).code == 0
        data, mapping = SOURCES[name]
        run = rmtui("-C", root, "import", "participants", FIXTURES / "hr" / data,
                    "--mapping", EXAMPLES / mapping)
        assert run.code == 0, run.err
        for path in (root / "participants").glob("*.yaml"):  # everyone still here takes part
            text = path.read_text(encoding="utf-8")
            if not re.search(r"^status:", text, flags=re.M):  # applied, by default
                path.write_text(text + "status: accepted\n", encoding="utf-8")
        git(root, "commit", "-qam", "accept everyone still employed")
        _BUILT[name] = root
    shutil.copytree(_BUILT[name], tmp_path / name, symlinks=True)
    return Program(tmp_path / name)


@pytest.mark.parametrize("imported", ["hr", "ibm"], indirect=True)
def test_the_matcher_keeps_every_rule_on_real_exports(imported) -> None:
    sug = suggest(imported)
    prob, st = sug._state
    assert sug.proven and sug.algorithm == "optimal"
    assert len(sug.new_pairs) > 20
    people = prob.people
    for p in sug.pairs:
        assert prob.rules.check(people[p.mentor], people[p.mentee]) == []
    load: dict[str, int] = {}
    for p in sug.pairs:
        load[p.mentor] = load.get(p.mentor, 0) + 1
    assert all(n <= people[m].capacity for m, n in load.items())
    # as many mentees matched as the allowed pairs permit
    n, m = st.scores.shape
    col_of = np.repeat(np.arange(m), np.minimum(st.cap, n))
    graph = csr_matrix((st.score_block(0, n) >= 0)[:, col_of].astype(np.int8))
    best = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
    assert len(sug.new_pairs) == best


@pytest.mark.parametrize("imported", ["hr"], indirect=True)
def test_real_reporting_lines_block_pairs(imported) -> None:
    """Simon Roup (an IT manager, a mentee) reports to the CIO Jennifer Zamora; the IT
    staff under him must never be suggested as his mentors, nor anyone he manages."""
    sug = suggest(imported)
    prob, _ = sug._state
    blocked = prob.masks.block(rules=("reporting_line",))["reporting_line"]
    assert blocked.sum() > 50  # real lines cut real combinations
    by_emp = {p.employee_id: p for p in prob.people.values()}
    roup = next(p for p in prob.people.values() if p.name.startswith("Simon Roup"))
    reports = [p for p in prob.mentors if p.manager_id == roup.employee_id]
    assert reports, "Simon Roup manages mentors in this file"
    e = explain(imported, reports[0].id, roup.id)
    line = next(r for r in e.rules if r.rule == "reporting_line")
    assert not line.ok and "the mentee is the mentor's manager" in line.message
    assert (reports[0].id, roup.id) not in {(p.mentor, p.mentee) for p in sug.pairs}
    assert by_emp[roup.manager_id].name.startswith("Jennifer Zamora")
