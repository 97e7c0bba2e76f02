"""What the pairing rules look at beyond the current files.

- The **org chart file** (``[rules.reporting_line] org_chart = "org.csv"``):
  managers who are not participants, one ``employee_id,manager_id`` row
  each, so that reporting lines run through them.
- **Removed pairs**: pair files deleted from the program are still past
  pairs. They are read from git history once (``git log --diff-filter=D``,
  then one ``git cat-file --batch``) and cached by the commit they were read
  at, so the repeat rule holds even after someone deletes a file.

:func:`pair_rules` builds the :class:`~rmtui.core.rules.PairRules` that both
``validate`` and the matcher use, from the same settings and the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pickle
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rmtui.core import diagnostics as diag
from rmtui.core import gitrepo, settings, yamlio
from rmtui.core.diagnostics import Diagnostic
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.rules import PairRules
from rmtui.core.settings import Settings

_HISTORY_CACHE = "removed-pairs.pickle"
_HISTORY_FORMAT = 1


# --------------------------------------------------------------------------
# The org chart file
# --------------------------------------------------------------------------


@dataclass
class OrgFile:
    """Managers from the org chart file: ``{employee_id: manager_id}``."""

    path: str | None = None
    manager: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _field_col(line: str, index: int) -> int:
    """1-based character column of the ``index``-th field of a simple CSV line."""
    if '"' in line:
        return 1
    parts = line.split(",")
    return sum(len(p) + 1 for p in parts[:index]) + 1


def read_org_chart(root: Path, s: Settings) -> OrgFile:
    """The org chart file the settings name (none: an empty chart), checked row by row."""
    rel = s.get("rules.reporting_line.org_chart")
    if not rel:
        return OrgFile()
    out = OrgFile(path=rel)
    toml_pos = None
    try:
        text = (root / settings.FILENAME).read_text(encoding="utf-8")
        toml_pos = settings.locate_toml(text, ("rules", "reporting_line", "org_chart"))
    except (OSError, UnicodeDecodeError):
        pass
    line, col = toml_pos or (None, None)
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        out.diagnostics.append(diag.error(
            settings.FILENAME, "org-chart", f"the org chart {rel!r} is outside the program folder",
            "keep the file in the program, e.g. org_chart = \"org.csv\"", line, col))
        return out
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        out.diagnostics.append(diag.error(
            settings.FILENAME, "org-chart", f"the org chart file {rel} does not exist",
            "create it (a header line employee_id,manager_id, then one row per person), "
            "or remove org_chart from [rules.reporting_line]", line, col))
        return out
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.diagnostics.append(diag.error(rel, "encoding", f"{rel} is not valid UTF-8",
                                          "save it as UTF-8", 1, 1))
        return out
    lines = content.splitlines()
    reader = csv.reader(io.StringIO(content))
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except (StopIteration, csv.Error):
        header = []
    missing = [c for c in ("employee_id", "manager_id") if c not in header]
    if missing:
        out.diagnostics.append(diag.error(
            rel, "org-chart", "the first line must name the columns; missing: " + ", ".join(missing),
            "start the file with the line: employee_id,manager_id", 1, 1))
        return out
    emp_col, mgr_col = header.index("employee_id"), header.index("manager_id")
    where: dict[str, int] = {}
    try:
        for row in reader:
            n = reader.line_num
            text = lines[n - 1] if n - 1 < len(lines) else ""
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                out.diagnostics.append(diag.error(
                    rel, "org-chart", f"row has {len(row)} column(s); the header has {len(header)}",
                    "one value per column, separated by commas", n, 1))
                continue
            emp, mgr = row[emp_col].strip(), row[mgr_col].strip()
            if not emp:
                out.diagnostics.append(diag.error(
                    rel, "org-chart", "employee_id is empty", "give the person's employee_id",
                    n, _field_col(text, emp_col)))
                continue
            if not mgr:
                continue  # the top of the chart
            if emp == mgr:
                out.diagnostics.append(diag.error(
                    rel, "org-chart", f"{emp} is listed as their own manager",
                    "leave manager_id empty for the top of the chart", n, _field_col(text, mgr_col)))
                continue
            if emp in out.manager and out.manager[emp] != mgr:
                out.diagnostics.append(diag.error(
                    rel, "org-chart", f"{emp} reports to {out.manager[emp]} on line {where[emp]} "
                    f"and to {mgr} here", "keep one manager per person", n,
                    _field_col(text, mgr_col)))
                continue
            out.manager[emp] = mgr
            where.setdefault(emp, n)
    except csv.Error as exc:
        out.diagnostics.append(diag.error(rel, "org-chart", f"the CSV cannot be read: {exc}",
                                          "check the quoting on that line", reader.line_num, 1))
    return out


# --------------------------------------------------------------------------
# Pairs removed from the program, from git history
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedPair:
    pair: Pair
    commit: str  # the commit that removed the file


def removed_pairs(root: Path) -> list[RemovedPair]:
    """Every pair file ever deleted from ``pairs/``, as it was just before, newest first.

    Cached under ``.rmtui/cache/`` by the commit it was read at: the history
    below a commit never changes.
    """
    repo = gitrepo.Repo.of(root)
    if repo is None or not repo.has_head():
        return []
    head = repo.git("rev-parse", "HEAD").strip()
    prefix = root.resolve().relative_to(repo.root.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    cache = root / ".rmtui" / "cache" / _HISTORY_CACHE
    try:
        with open(cache, "rb") as fh:
            stamp, found = pickle.load(fh)  # noqa: S301 - our own local cache
        if stamp == (_HISTORY_FORMAT, head, prefix):
            return found
    except Exception:  # missing or damaged: read the history again
        pass
    found = _read_removed(repo, prefix)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(((_HISTORY_FORMAT, head, prefix), found), fh)
        tmp.replace(cache)
    except OSError:
        pass
    return found


def _read_removed(repo: gitrepo.Repo, prefix: str) -> list[RemovedPair]:
    log = repo.git("log", "--diff-filter=D", "--name-only", "-z", "--format=%x1e%H", "--",
                   f"{prefix}pairs/")
    wanted: list[tuple[str, str]] = []
    for chunk in log.split("\x1e"):
        parts = [p.strip("\n") for p in chunk.split("\0")]
        if not parts or not parts[0]:
            continue
        sha = parts[0]
        for name in parts[1:]:
            if name.startswith(f"{prefix}pairs/") and name.endswith(".yaml") \
                    and "/" not in name[len(prefix) + 6:]:
                wanted.append((sha, name))
    if not wanted:
        return []
    batch = "".join(f"{sha}^:{name}\n" for sha, name in wanted).encode()
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=repo.root, input=batch,
                          capture_output=True, check=False)
    data, pos, out = proc.stdout, 0, []
    for sha, name in wanted:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        head = data[pos:end].split()
        pos = end + 1
        if len(head) < 3 or head[1] != b"blob":
            continue
        size = int(head[2])
        blob, pos = data[pos:pos + size], pos + size + 1
        parsed = yamlio.parse(blob, name)
        if not isinstance(parsed.data, dict):
            continue
        record = parsed.data
        pair_id = name[len(prefix) + 6:-5]
        try:
            pair = from_dict(Pair, {**record, "id": pair_id})
        except (TypeError, ValueError):
            continue
        if isinstance(pair.mentor, str) and isinstance(pair.mentee, str):
            out.append(RemovedPair(pair, sha))
    return out


# --------------------------------------------------------------------------
# The rules, built once from all of it
# --------------------------------------------------------------------------


def pair_rules(root: Path, s: Settings, people: dict[str, Participant], pairs: Iterable[Pair],
               as_of: dt.date | None = None, *, org: OrgFile | None = None,
               history: Iterable[RemovedPair] | None = None) -> PairRules:
    """The program's hard rules over these people and pairs, plus the org file and history."""
    pairs = list(pairs)
    org = org if org is not None else read_org_chart(root, s)
    current = {p.id for p in pairs}
    if history is None:
        history = removed_pairs(root) if s.rule("repeat").get("enabled", True) else []
    past = [r for r in history if r.pair.id not in current and r.pair.status != "proposed"]
    return PairRules(s, people, pairs, as_of=as_of, org_extra=org.manager,
                     removed={r.pair.id: r.commit for r in past},
                     extra_pairs=[r.pair for r in past])
