"""The KPI test program: a small cohort whose every KPI was worked out by hand.

`tests/fixtures/kpi-program/` holds the program as it stood on 2027-02-28; it
is committed on that day, and March to May then happen through rmtui's own
operations, each committed on its day, so the program has a history to walk.

People (grade 2 mentors, grade 7 mentees; the training rule is off, so a pair
may start before a person is trained):

    IT        ada-ahlberg, bo-berg, cleo-castro, dev-dhar (mentors), lars-lund (mentee)
    Sales     greta-gran, hugo-holm, ines-isaksson, jonas-jung, karin-kask (mentees)
    Finance   eva-ek (mentor, left the company), finn-falk (mentor),
              maja-mott (mentee, accepted, never paired), nils-nord (mentee, applied)

Pairs:

    P1 ada--greta     weekly    started 01-11, active; sessions 01-18 .. 02-22 weekly (6),
                                03-15, 04-12, 05-10, 05-24: 10 sessions, 60 min, rated 4/5
    P2 bo--hugo       biweekly  started 01-11, active; one session 01-20 (30 min, 3/3),
                                a planned one on 03-03 that never happened
    P3 cleo--ines     biweekly  started 01-11, paused from 02-15 (never resumed);
                                01-25 (60, 5/5), 02-08 (60, 5/4)
    P4 dev--jonas     monthly   started 01-11, completed 04-30; 90 min each: 01-14 (4/4),
                                02-11 (4/4), 03-11 (3/4), 04-08 (4/5); dev trained 01-20
    P5 eva--karin     (program: biweekly) started 01-18, ended early 02-08 (the mentor
                                left the company); 01-25 (60, 2/3)
    P6 finn--lars     biweekly  proposed 02-15, accepted by both 02-20, started 04-05;
                                04-07 (60, 5/5), 04-21 (60, 5/5), 05-05 (45, 4/5), 05-19 (60)

Goals (due / status): run-a-teams-meeting 02-28 done 02-20; share-a-document 03-31
open; post-on-linkedin 06-30 open (not yet due); build-a-dashboard 04-30 done 04-28;
try-an-ai-assistant 03-15 dropped 02-08; use-a-kanban-board 05-15 done 05-20;
learn-about-tiktok: no measure, target or due date (not SMART).

Surveys (the digital-confidence scale is the mean of four 1-5 answers):
baseline greta 2.5 (01-08), hugo 3.0 (01-09, never a final), jonas 2.0 (01-09),
ada 4.0 (a mentor: not counted), ines sent but never answered; final jonas 3.0
(04-30), greta 3.75 (05-25), ada 5.0 (mentor); exit NPS karin 3 (02-10), jonas 9
(04-30), dev 10 (05-02), greta 7 (05-26); eva's exit survey was sent, never answered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers import FIXTURES

from rmtui.core import ops
from rmtui.core.ops import goals, surveys
from rmtui.core.store import Program

SOURCE = FIXTURES / "kpi-program"
TODAY = "2027-05-31"
FEB_COMMIT_SUBJECT = "the cohort as it stood on 2027-02-28"

P1 = "ada-ahlberg--greta-gran"
P2 = "bo-berg--hugo-holm"
P3 = "cleo-castro--ines-isaksson"
P4 = "dev-dhar--jonas-jung"
P5 = "eva-ek--karin-kask"
P6 = "finn-falk--lars-lund"
CONFIDENCE = ("confidence-tools", "confidence-social", "confidence-data",
              "confidence-ways-of-working")


@contextmanager
def on(day: str) -> Iterator[None]:
    """Run with today pinned to ``day`` and git commits dated that day."""
    keys = ("RMTUI_TODAY", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["RMTUI_TODAY"] = day
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = f"{day}T12:00:00+00:00"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def _confidence(*values: int) -> dict[str, int]:
    return dict(zip(CONFIDENCE, values, strict=True))


def build(root: Path) -> Program:
    with on("2027-01-03"):
        ops.init_program(root, "Acme reverse mentoring 2027")
    toml = root / "program.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("# start = 2027-01-11", "start = 2027-01-04")
    text = text.replace("[rules.training]\nenabled = true", "[rules.training]\nenabled = false")
    toml.write_text(text, encoding="utf-8")
    for folder in SOURCE.iterdir():
        shutil.copytree(folder, root / folder.name)
    with on("2027-02-28"):
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", FEB_COMMIT_SUBJECT)
    prog = Program(root)
    session = ops.log_session
    for day, step in [
        ("2027-03-10", lambda: goals.progress(prog, "share-a-document", value=1,
                                              note="PRIVATE-NOTE-MARKER shared the deck")),
        ("2027-03-11", lambda: session(prog, P4, date="2027-03-11", duration=90,
                                       rating_mentor=3, rating_mentee=4)),
        ("2027-03-15", lambda: session(prog, P1, date="2027-03-15", duration=60,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-03-15", lambda: ops.new_agreement(prog, P6)),
        ("2027-03-20", lambda: ops.sign_agreement(prog, P6, "mentor")),
        ("2027-03-20", lambda: ops.sign_agreement(prog, P6, "mentee")),
        ("2027-04-05", lambda: ops.transition(prog, P6, "start")),
        ("2027-04-05", lambda: ops.edit(prog, "participant", "finn-falk",
                                        [ops.Assignment("status", "set", "active")])),
        ("2027-04-05", lambda: ops.edit(prog, "participant", "lars-lund",
                                        [ops.Assignment("status", "set", "active")])),
        ("2027-04-07", lambda: session(prog, P6, date="2027-04-07", duration=60,
                                       rating_mentor=5, rating_mentee=5)),
        ("2027-04-08", lambda: session(prog, P4, date="2027-04-08", duration=90,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-04-12", lambda: session(prog, P1, date="2027-04-12", duration=60,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-04-21", lambda: session(prog, P6, date="2027-04-21", duration=60,
                                       rating_mentor=5, rating_mentee=5)),
        ("2027-04-28", lambda: goals.close(prog, "build-a-dashboard", "done")),
        ("2027-04-30", lambda: ops.transition(prog, P4, "complete")),
        ("2027-04-30", lambda: surveys.respond(prog, "final", "jonas-jung",
                                               _confidence(3, 3, 3, 3))),
        ("2027-04-30", lambda: surveys.respond(prog, "exit", "jonas-jung",
                                               {"nps": 9, "learned": 5})),
        ("2027-05-02", lambda: surveys.respond(prog, "exit", "dev-dhar",
                                               {"nps": "10", "learned": "4"})),
        ("2027-05-05", lambda: session(prog, P6, date="2027-05-05", duration=45,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-05-10", lambda: session(prog, P1, date="2027-05-10", duration=60,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-05-19", lambda: session(prog, P6, date="2027-05-19", duration=60,
                                       summary="PRIVATE-SUMMARY-MARKER no ratings this time")),
        ("2027-05-20", lambda: goals.close(prog, "use-a-kanban-board", "done")),
        ("2027-05-24", lambda: session(prog, P1, date="2027-05-24", duration=60,
                                       rating_mentor=4, rating_mentee=5)),
        ("2027-05-25", lambda: surveys.respond(prog, "final", "greta-gran",
                                               {**_confidence(4, 4, 4, 3),
                                                "applied": "PRIVATE-ANSWER-MARKER"})),
        ("2027-05-25", lambda: surveys.respond(prog, "final", "ada-ahlberg",
                                               _confidence(5, 5, 5, 5))),
        ("2027-05-26", lambda: surveys.respond(prog, "exit", "greta-gran",
                                               {"nps": 7, "learned": 4})),
    ]:
        with on(day):
            step()
    return prog


def feb_commit(root: Path) -> str:
    return _git(root, "log", "--format=%H", f"--grep={FEB_COMMIT_SUBJECT}").strip()
