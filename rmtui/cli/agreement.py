"""``rmtui agreement``: learning agreements."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import make_group

group = make_group(
    "agreement",
    "Add, list, show, edit and remove learning agreements; fill one from the template "
    "and sign it.\n\nOne per pair, in agreements/<pair>.yaml. `new` starts from the "
    "program's templates/agreement.yaml.",
)


@group.command("new")
@click.argument("pair_id", metavar="PAIR")
@click.option("--frequency", type=click.Choice(["weekly", "biweekly", "monthly"]),
              help="How often the pair meets [default: the template's].")
@click.option("--duration", "duration_minutes", type=click.IntRange(1, 1440), metavar="MINUTES",
              help="How long a session lasts [default: the template's].")
@click.option("--channel", metavar="TEXT", help="Where the pair meets.")
@click.option("--goals", metavar="ID,ID", help="Ids of the goals the pair agreed on.")
@click.option("--review-date", metavar="DATE",
              help="When the pair reviews the agreement [default: three months after the "
                   "pair started].")
@click.option("--no-commit", is_flag=True, help="Write the file but do not commit it.")
def new(pair_id: str, frequency: str | None, duration_minutes: int | None, channel: str | None,
        goals: str | None, review_date: str | None, no_commit: bool) -> None:
    """Create PAIR's learning agreement from the program's template, and commit it."""
    from rmtui.core import values
    from rmtui.core.ops import pairs

    fields = {"frequency": frequency, "duration_minutes": duration_minutes, "channel": channel,
              "goals": [g.strip() for g in goals.split(",") if g.strip()] if goals else None,
              "review_date": values.parse_date(review_date) if review_date else None}
    report(pairs.new_agreement(program(), pair_id, fields, commit=not no_commit))


@group.command("sign")
@click.argument("pair_id", metavar="PAIR")
@click.option("--by", type=click.Choice(["mentor", "mentee"]), required=True, help="Which side signs.")
@click.option("--date", "on", metavar="DATE", default="today", show_default=True,
              help="The day of signing (YYYY-MM-DD, today or yesterday).")
@click.option("--no-commit", is_flag=True, help="Write the file but do not commit it.")
def sign(pair_id: str, by: str, on: str, no_commit: bool) -> None:
    """Record that one side signed PAIR's learning agreement, and commit it."""
    from rmtui.core import values
    from rmtui.core.ops import pairs

    report(pairs.sign_agreement(program(), pair_id, by, on=values.parse_date(on),
                                commit=not no_commit), quiet_id=True)
