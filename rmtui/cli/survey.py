"""``rmtui survey``: survey instruments, and sending them."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import make_group

group = make_group(
    "survey",
    "Add, list, show, edit and remove surveys; send one to participants.\n\nThe template "
    "brings a baseline and a final self-assessment (the digital-confidence scale behind "
    "the confidence_delta KPI), a pulse after sessions and an exit survey with NPS; add "
    "custom ones (kind custom) in surveys/<id>.yaml.",
)


@group.command("send")
@click.argument("survey_id", metavar="SURVEY")
@click.option("--to", type=click.Choice(["all", "mentors", "mentees"]), default="all",
              show_default=True, help="Who gets it (within the survey's audience).")
@click.option("--cohort", metavar="COHORT", help="Only participants of this cohort.")
@click.option("--participant", "people", multiple=True, metavar="ID",
              help="Send to this participant only (repeatable), whatever their status.")
@click.option("--date", "on", metavar="DATE", default="today", show_default=True,
              help="The day it is sent (YYYY-MM-DD, today or yesterday).")
@click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")
def send(survey_id: str, to: str, cohort: str | None, people: tuple[str, ...], on: str,
         no_commit: bool) -> None:
    """Send SURVEY: a response stub (status sent) per participant, in one commit.

    Goes to participants with status accepted or active whom the survey's audience
    and --to include. Someone who already has a response to SURVEY keeps it as it is.
    People fill their stub by hand, with `rmtui response add`, or in bulk with
    `rmtui response import`.
    """
    from rmtui.core import values
    from rmtui.core.ops import surveys

    report(surveys.send(program(), survey_id, to=to, cohort=cohort, people=people or None,
                        on=values.parse_date(on), commit=not no_commit))
