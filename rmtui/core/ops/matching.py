"""Matching's mutations: write proposals, publish accepted ones, re-match ended pairs.

- :func:`write_proposals` writes a suggestion's new pairs as ``proposed`` pair
  files (with the score, its breakdown, the algorithm, the objective and the
  run) in one commit, so the owner reviews them as a diff or pull request.
  Earlier proposals that nobody has accepted yet and that the new
  suggestion does not repeat are withdrawn (their files removed) in the same
  commit; proposals one side already accepted were kept by the matcher.
- :func:`publish` starts every proposal both sides accepted, in one commit,
  and lists the ones that cannot start yet with what is missing.
- :func:`rematch` suggests new partners only for people whose pair ended.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from rmtui.core import clock, ids, schemas, yamlio
from rmtui.core.errors import DataError, UsageError
from rmtui.core.kinds import KINDS
from rmtui.core.model import Pair, Participant, from_dict
from rmtui.core.ops.change import Outcome, change, ordered, outcome_of
from rmtui.core.store import Program

PAIR = KINDS["pair"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def write_proposals(program: Program, suggestion, *, commit: bool = True) -> Outcome:
    """The suggestion's new pairs as ``proposed`` pair files, in one commit."""
    from rmtui.core.ruledata import pair_rules

    s = program.settings
    people = {i: from_dict(Participant, d) for i, d in program.data("participant").items()}
    current = {i: d for i, d in program.data("pair").items()}
    pairs = [from_dict(Pair, d) for d in current.values()]
    run = suggestion.run
    day = run if yamlio.is_iso_date(run) else clock.today().isoformat()
    rules = pair_rules(program.root, s, people, pairs, dt.date.fromisoformat(day))
    proposed_open = {(p.mentor, p.mentee): p for p in pairs
                     if p.status == "proposed" and not any(p.accepted.get(x) for x in
                                                           ("mentor", "mentee"))}
    held = defaultdict(int)
    for p in pairs:
        if p.status in Pair.COMMITTED or (p.status == "proposed" and any(
                p.accepted.get(x) for x in ("mentor", "mentee"))):
            held[p.mentor] += 1
    problems, files, same = [], [], []
    taken = set(current)
    wanted = set()
    for sp in suggestion.to_write:
        key = (sp.mentor, sp.mentee)
        wanted.add(key)
        if key in proposed_open:
            same.append(proposed_open[key].id)
            continue
        mentor, mentee = people.get(sp.mentor), people.get(sp.mentee)
        if mentor is None or mentee is None:
            problems.append(f"{sp.mentor} -> {sp.mentee}: no such participant any more")
            continue
        for v in rules.check(mentor, mentee):
            problems.append(f"{sp.mentor} -> {sp.mentee}: [{v.rule}] {v.message}")
        held[sp.mentor] += 1
        if rules.enabled("capacity") and held[sp.mentor] > mentor.capacity:
            problems.append(f"{sp.mentor} -> {sp.mentee}: [capacity] {sp.mentor} would have "
                            f"{held[sp.mentor]} pairs, capacity {mentor.capacity}")
        half = (ids.MAX_LEN - 2) // 2
        base = f"{sp.mentor[:half].rstrip('-')}--{sp.mentee[:half].rstrip('-')}"
        pair_id = ids.unique_id(base, lambda c: c in taken or program.exists(PAIR, c))
        taken.add(pair_id)
        data = ordered(PAIR, {
            "id": pair_id, "mentor": sp.mentor, "mentee": sp.mentee, "status": "proposed",
            "proposed": day,
            "match": {"score": sp.score, "breakdown": dict(sp.breakdown),
                      "algorithm": suggestion.algorithm, "objective": suggestion.objective,
                      "run": run},
        })
        for issue in schemas.get("pair").check(data):
            problems.append(f"{pair_id}: {issue.message}")
        files.append((PAIR.path(pair_id), data))
    if problems:
        raise DataError("the suggestion no longer fits the program, so nothing was written:\n  "
                        + "\n  ".join(problems[:20])
                        + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""),
                        hint="the program changed since the suggestion was made: run "
                             "`rmtui match suggest` again")
    withdrawn = sorted(p.id for key, p in proposed_open.items() if key not in wanted)
    if not files and not withdrawn:
        return Outcome("no new pairs to propose" + (f" ({_plural(len(same), 'proposal')} "
                                                    "already written)" if same else ""),
                       changed=False)
    subject = f"pair: propose {_plural(len(files), 'pair')} (run {run})"
    if withdrawn:
        subject += f"; withdraw {_plural(len(withdrawn), 'earlier proposal')}"
    body = [f"{suggestion.algorithm} matching, objective {suggestion.objective}; "
            f"total score {suggestion.total_score:g}."]
    body += [f"  {d['mentor']} -> {d['mentee']}  score {d['match']['score']:g}"
             for _, d in files]
    if withdrawn:
        body += ["", "Withdrawn (not accepted by anyone yet):"] + [f"  {w}" for w in withdrawn]
    message = subject + "\n\n" + "\n".join(body)
    with change(program, message, "match.propose", commit=commit) as ch:
        for rel, data in files:
            ch.create(rel, yamlio.dump(data))
        for pid in withdrawn:
            raw = program.path_of(PAIR, pid).read_bytes()
            ch.delete(PAIR.path(pid), yamlio.digest(raw))
    done = f"proposed {_plural(len(files), 'pair')} (run {run})"
    if withdrawn:
        done += f"; withdrew {_plural(len(withdrawn), 'earlier proposal')}"
    return outcome_of(ch, done)


def publish(program: Program, *, on: str | None = None, commit: bool = True) -> Outcome:
    """Start every pair both sides accepted (one commit); list what keeps the others."""
    from rmtui.core.ops.pairs import missing_to_start, transition
    from rmtui.core.validate import Index

    day = on or clock.today().isoformat()
    if not yamlio.is_iso_date(day):
        raise UsageError(f"{day!r} is not a date", hint="write dates as YYYY-MM-DD")
    index = Index(program)
    ready, waiting = [], []
    for pid, data in sorted(index.all("pair").items()):
        status = data.get("status")
        if status not in ("proposed", "accepted"):
            continue
        missing = missing_to_start(program, index, pid, data, day)
        if status == "accepted" and not missing:
            ready.append(pid)
        elif status == "accepted" or any((data.get("accepted") or {}).values()):
            waiting.append(f"{pid}: " + "; ".join(missing))
    if not ready:
        out = Outcome("no accepted pair is ready to start", changed=False)
    else:
        out = transition(program, ready, "start", on=day, commit=commit)
        out.message = f"published {_plural(len(ready), 'pair')}: now active"
        out.entity_id = None
    out.warnings.extend(f"cannot start yet: {w}" for w in waiting)
    return out


def rematch_exclusions(program: Program) -> list[str]:
    """Mentees the matcher should leave alone in a re-match: all but those whose pair ended."""
    pairs = [from_dict(Pair, d) for d in program.data("pair").values()]
    people = program.data("participant")
    open_mentees = {p.mentee for p in pairs if p.is_open}
    ended = {p.mentee for p in pairs if p.status == "ended"} - open_mentees
    return sorted(pid for pid, d in people.items()
                  if d.get("role") == "mentee" and pid not in ended and pid not in open_mentees)


def rematch(program: Program, *, commit: bool = True, as_of: dt.date | None = None) -> Outcome:
    """Propose new partners for people whose pair ended, keeping every healthy pair."""
    from rmtui.core.matching import suggest

    suggestion = suggest(program, exclude=rematch_exclusions(program), as_of=as_of)
    return write_proposals(program, suggestion, commit=commit)
