"""``rmtui pair``: mentor-mentee pairs and the steps of their life."""

from __future__ import annotations

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import make_group
from rmtui.cli.output import OutputSpec, emit, output_options

group = make_group(
    "pair",
    "Add, list, show, edit and remove pairs; accept, start, pause, resume, complete or end "
    "them.\n\nA pair is one mentor and one mentee, checked against the program's hard rules "
    "(program.toml [rules]) before it is saved. Its life: proposed -> accepted (by both "
    "sides) -> active <-> paused -> completed, or ended (declined, or ended early) at any "
    "point. Every step is dated and committed. `pair show` tells a pair's story; `pair "
    "at-risk` lists the active pairs that have gone quiet.",
)

_HELP = {
    "accept": "Record that one side accepts the proposed PAIR; with both, it is accepted.",
    "decline": "Record that one side declines PAIR: it ends and is never proposed again.",
    "start": "Start PAIR (active): both must have accepted, signed the agreement and trained.",
    "pause": "Pause an active PAIR (a dated pause, with an optional reason).",
    "resume": "Resume a paused PAIR.",
    "complete": "Complete PAIR: it ran its course.",
    "end": "End PAIR early, with the reason.",
}


def _step_command(step: str) -> click.Command:
    from rmtui.core.ops.pairs import STEPS

    spec = STEPS[step]
    params: list[click.Parameter] = [click.Argument(["pair_id"], metavar="PAIR")]
    if spec.needs_side:
        params.append(click.Option(["--by"], type=click.Choice(["mentor", "mentee"]),
                                   required=True, help="Which side."))
    if spec.needs_reason or step == "pause":
        params.append(click.Option(
            ["--reason"], metavar="TEXT", required=spec.needs_reason,
            help="Why (kept in the pair file)." + (" Required." if spec.needs_reason else "")))
    params += [
        click.Option(["--date", "on"], metavar="DATE", default="today", show_default=True,
                     help="The day it happened (YYYY-MM-DD, today or yesterday)."),
        click.Option(["--no-commit"], is_flag=True, help="Write the file but do not commit it."),
    ]

    def callback(pair_id: str, on: str, no_commit: bool, by: str | None = None,
                 reason: str | None = None) -> None:
        from rmtui.core import values
        from rmtui.core.ops import pairs

        report(pairs.transition(program(), pair_id, step, by=by, on=values.parse_date(on),
                                reason=reason, commit=not no_commit), quiet_id=True)

    return click.Command(step, callback=callback, params=params, help=_HELP[step],
                         short_help=_HELP[step].split(":")[0].rstrip("."))


for _step in _HELP:
    group.add_command(_step_command(_step))


@group.command("at-risk")
@click.option("--as-of", "as_of", metavar="DATE", help="As of this day [default: today].")
@output_options()
def at_risk(as_of: str | None, out: OutputSpec) -> None:
    """List active pairs with no session for more than kpi.at_risk_days (default 30).

    `days` counts from the last held session, or from the start for a pair that has
    not met yet; the longest first.
    """
    from rmtui.cli.kpi import _parse_day
    from rmtui.core import kpi

    rows = [{"pair": r.pair, "mentor": r.mentor, "mentee": r.mentee,
             "started": r.started.isoformat(),
             "last_session": r.last_session.isoformat() if r.last_session else None,
             "days": r.days}
            for r in kpi.at_risk(program(), _parse_day(as_of))]
    emit(rows, out, ("pair", "last_session", "days"),
         known=("pair", "mentor", "mentee", "started", "last_session", "days"),
         empty="no pairs at risk")


def _story_show(generic: click.Command) -> click.Command:
    """`pair show`: the story for a person, the record for scripts."""

    def callback(story: bool | None, **kwargs) -> None:
        import sys

        fmt, fields, output = kwargs.get("fmt"), kwargs.get("fields"), kwargs.get("output_file")
        if story is None:
            story = not (fmt or fields or output) and sys.stdout.isatty()
        if not story:
            generic.callback(**kwargs)
            return
        _show_story(kwargs["entity_id"], fmt, output)

    return click.Command(
        "show", callback=callback,
        params=[*generic.params,
                click.Option(["--story/--record"], default=None,
                             help="The pair's story (its steps in time order, from its files "
                                  "and git history) or its record (the file's fields) [default: "
                                  "the story on a terminal, the record in a pipe or with "
                                  "--format/--fields]. --story --format json gives the story "
                                  "as data.")],
        help="Show one pair: its story on a terminal, its record for scripts.\n\n"
             "The story is proposed, accepted by each side, agreement signed, started, "
             "sessions month by month, paused and resumed, goals, completed or ended, in time "
             "order, with who recorded each step (from git). Session summaries never appear.",
        short_help="Show one pair: its story on a terminal, its record for scripts.")


def _show_story(pair_id: str, fmt: str | None, output: str | None) -> None:
    import json

    from rmtui.cli.output import OutputSpec, write
    from rmtui.core import yamlio
    from rmtui.core.story import story

    told = story(program(), pair_id)
    out = OutputSpec(fmt, None, output)
    chosen = out.resolve_format(default="table")
    if chosen == "json":
        write(json.dumps(told.to_json(), ensure_ascii=False, indent=2) + "\n", out)
    elif chosen == "yaml":
        write(yamlio.dump(told.to_json()), out)
    elif chosen == "table":
        write(told.text(), out)
    else:
        rows = [e.to_json() for e in told.events]
        emit(rows, out, ("date", "event", "text", "by"), known=("date", "event", "text", "by",
                                                                  "commit"))


group.add_command(_story_show(group.commands["show"]))
