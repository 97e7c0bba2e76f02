"""``rmtui response``: survey responses, answered one by one or imported."""

from __future__ import annotations

from typing import Any

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import _collect, _put, make_group
from rmtui.core.kinds import KINDS

group = make_group(
    "response",
    "Add, list, show, edit and remove survey responses.\n\nOne per person and survey, in "
    "responses/<survey>/<participant>.yaml; `rmtui survey send` writes a stub (status "
    "sent) that `response add` fills.",
)


def _add_command(generic: click.Command) -> click.Command:
    """The generic `add`, plus typed --answer options and filling a sent stub."""

    def callback(assignments: tuple[str, ...], no_commit: bool, answers: tuple[str, ...],
                 **given: Any) -> None:
        from rmtui.core.ops import surveys

        data: dict[str, Any] = {}
        for a in _collect(KINDS["response"], given, assignments):
            _put(data, a)
        typed = {}
        for text in answers:
            if "=" not in text:
                raise click.UsageError(f"--answer {text!r} is not QUESTION=VALUE")
            qid, value = text.split("=", 1)
            typed[qid.strip()] = value
        survey, participant = data.pop("survey", None), data.pop("participant", None)
        report(surveys.respond(program(), survey, participant, typed, fields=data,
                               commit=not no_commit))

    return click.Command(
        "add", callback=callback,
        params=[*generic.params,
                click.Option(["--answer", "answers"], multiple=True, metavar="QUESTION=VALUE",
                             help="One answer by question id: a whole number for likert (1-5) "
                                  "and nps (0-10) questions, text otherwise. Repeatable.")],
        help="Record a participant's answers to a survey, in one commit.\n\n"
             "Fills the participant's stub from `rmtui survey send` (status sent -> "
             "submitted), or adds a new response; answers are checked against the survey's "
             "questions, and a response with answers is submitted today unless --submitted "
             "says when. Prints the response id.",
        short_help="Record a participant's answers to a survey, in one commit.")


group.add_command(_add_command(group.commands["add"]))
