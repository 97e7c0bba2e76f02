"""``rmtui session``: mentoring sessions, one file each."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import make_group
from rmtui.cli.output import OutputSpec, emit, output_options

group = make_group(
    "session",
    "Log, list, show, edit and remove mentoring sessions.\n\nOne file each, in "
    "sessions/<pair>/<date>.yaml. Summaries are private to the pair and never listed "
    "unless asked for by name. `session due` lists the pairs whose next session is due "
    "by their agreement's cadence.",
)


@group.command("log")
@click.argument("pair_id", metavar="PAIR")
@click.option("--date", "date", metavar="DATE", default="today", show_default=True,
              help="The day of the session (YYYY-MM-DD, today or yesterday).")
@click.option("--time", "time_", metavar="HH:MM",
              help="The start time, in the mentee's time zone (calendars need it).")
@click.option("--duration", type=click.IntRange(1, 1440), metavar="MINUTES",
              help="How long the session lasted, in minutes.")
@click.option("--rating-mentor", type=click.IntRange(1, 5), metavar="1-5",
              help="The mentor's rating of the session.")
@click.option("--rating-mentee", type=click.IntRange(1, 5), metavar="1-5",
              help="The mentee's rating of the session.")
@click.option("--mode", type=click.Choice(["in-person", "video", "phone", "chat"]),
              help="How the pair met.")
@click.option("--topics", metavar="A,B", help="What the pair talked about (comma-separated).")
@click.option("--goals", metavar="ID,ID", help="Ids of goals the session moved forward.")
@click.option("--summary", metavar="TEXT", help="A short shared summary (private to the pair).")
@click.option("--next-steps", metavar="TEXT", help="What each side does next (private).")
@click.option("--planned", is_flag=True, help="Record a planned session rather than a held one.")
@click.option("--no-commit", is_flag=True, help="Write the file but do not commit it.")
def log(pair_id: str, date: str, time_: str | None, duration: int | None, rating_mentor: int | None,
        rating_mentee: int | None, mode: str | None, topics: str | None, goals: str | None,
        summary: str | None, next_steps: str | None, planned: bool, no_commit: bool) -> None:
    """Log a session of PAIR in its own file, and commit it.

    Two sessions of one pair on one day get -2, -3 suffixes. Prints the session id.
    """
    from rmtui.core import ops, values

    report(ops.log_session(
        program(), pair_id, date=values.parse_date(date), duration=duration,
        rating_mentor=rating_mentor, rating_mentee=rating_mentee, summary=summary,
        topics=_split(topics), mode=mode, goals=_split(goals), next_steps=next_steps,
        status="planned" if planned else None, time=time_, commit=not no_commit))


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


@group.command("due")
@click.option("--as-of", "as_of", metavar="DATE", help="As of this day [default: today].")
@click.option("--within", "within", type=click.IntRange(0), default=0, metavar="DAYS",
              show_default=True, help="Also list pairs due within this many days.")
@output_options()
def due(as_of: str | None, within: int, out: OutputSpec) -> None:
    """List active pairs whose next session is due or overdue by their agreement's cadence.

    A pair's next session is due one period (weekly 7 days, biweekly 14, monthly one
    month; the program's cadence when the agreement does not say) after its last held
    session, or after its start or its last pause. `overdue` is the days past due
    (negative: due in that many days); `planned` is the next planned session.
    """
    from rmtui.cli.kpi import _parse_day
    from rmtui.core import kpi

    rows = [{"pair": d.pair, "mentor": d.mentor, "mentee": d.mentee, "frequency": d.frequency,
             "frequency_from": d.frequency_from, "last_session": _iso(d.last_session),
             "due": d.due.isoformat(), "overdue": d.overdue_days, "planned": _iso(d.planned)}
            for d in kpi.sessions_due(program(), _parse_day(as_of), within_days=within)]
    fields = ("pair", "frequency", "last_session", "due", "overdue", "planned")
    emit(rows, out, fields, known=("pair", "mentor", "mentee", "frequency", "frequency_from",
                                   "last_session", "due", "overdue", "planned"),
         empty="no sessions due")


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None
