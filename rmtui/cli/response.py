"""``rmtui response``: survey responses, answered one by one or imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rmtui.cli.context import program, report
from rmtui.cli.entity import _collect, _put, make_group
from rmtui.core.kinds import KINDS

group = make_group(
    "response",
    "Add, list, show, edit and remove survey responses; import them from Forms or Qualtrics."
    "\n\nOne per person and survey, in responses/<survey>/<participant>.yaml; `rmtui survey "
    "send` writes a stub (status sent) that `response add` or `response import` fills.",
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


@group.command("import", short_help="Import answers to SURVEY from a Forms or Qualtrics export.")
@click.argument("survey_id", metavar="SURVEY")
@click.argument("file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--mapping", "mapping_file", metavar="MAPPING.toml",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Which columns find the person, give the date and hold each answer. "
                   "Without it, a mapping is proposed from the header and printed (nothing is "
                   "imported).")
@click.option("--save-mapping", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the proposed mapping to FILE (TOML) to edit and pass to --mapping.")
@click.option("--from", "source", type=click.Choice(["csv", "microsoft-forms", "google-forms",
                                                     "qualtrics"]),
              help="The tool that wrote the file [default: the mapping's format, else "
                   "recognised from the header]. Qualtrics' two extra header rows are skipped.")
@click.option("--skip-unknown", is_flag=True,
              help="Leave out rows of people who are not participants (listed as a warning) "
                   "instead of refusing the file.")
@click.option("--dry-run", is_flag=True,
              help="Print what would happen to each row's answers and write nothing.")
@click.option("--encoding", metavar="NAME",
              help="The file's encoding when it is not UTF-8, such as cp1252 (Excel on Windows).")
@click.option("--delimiter", metavar="CHAR",
              help="The column separator (, ; | or tab) [default: sniffed from the file].")
@click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")
def import_(survey_id: str, file: Path, mapping_file: Path | None, save_mapping: Path | None,
            source: str | None, skip_unknown: bool, dry_run: bool, encoding: str | None,
            delimiter: str | None, no_commit: bool) -> None:
    """Import answers to SURVEY from a Microsoft Forms, Google Forms or Qualtrics export.

    Each row becomes its person's response: a new one, or the stub `survey send`
    wrote, filled in. Someone who has already answered keeps their response. The
    whole file is checked first: a person who is not a participant, an answer a
    question does not take (a likert answer that is not 1-5, a choice that is not
    one of the choices, a required question left blank) stops the import, naming
    the row, and nothing is written. A real run is one commit; running it again
    changes nothing.

    \b
    rmtui response import final forms.csv --save-mapping final.toml   # propose, then edit
    rmtui response import final forms.csv -m final.toml --dry-run     # see what would happen
    rmtui response import final forms.csv -m final.toml               # do it

    \b
    A mapping holds [source] key = "email" | "employee_id" | "id" and format, then
      [fields.participant]       column = "Email"
      [fields.submitted]         column = "Completion time"   date = "%m/%d/%y %H:%M:%S"
      [fields.answers.QUESTION]  column = "Q3"   map = { "Agree" = 4, ... }
    with the settings of a participants mapping (map, default, transform, date).
    """
    from rmtui.cli.importer import _save
    from rmtui.core.importer import responses as imp
    from rmtui.core.ops.imports import import_responses
    from rmtui.core.ops.surveys import get_survey

    prog = program()
    survey = get_survey(prog, survey_id)
    if mapping_file is not None and save_mapping is not None:
        raise click.UsageError("--save-mapping writes a proposal for a file with no mapping; "
                               "it cannot be used with --mapping")
    mapping = imp.load_response_mapping(mapping_file, survey) if mapping_file else None
    if delimiter in ("tab", "\\t"):
        delimiter = "\t"
    table, found, texts = imp.read_export(
        file, fmt=source or (mapping.format if mapping and mapping.format != "csv" else None),
        encoding=encoding or (mapping.encoding if mapping else None),
        delimiter=delimiter or (mapping.delimiter if mapping else None))
    click.echo(f"read {table.describe()} ({found} export)", err=True)
    if mapping is None:
        mapping = imp.propose_response_mapping(table, survey, found, texts)
        text = mapping.to_toml(f"rmtui mapping of {table.name} onto survey {survey_id}",
                               about=imp.ABOUT)
        if save_mapping is not None:
            _save(save_mapping, text)
        else:
            click.echo(text, nl=False)
        if not dry_run:
            click.echo("nothing was imported: this is a proposed mapping", err=True)
            click.echo(f"hint: review it{' in ' + str(save_mapping) if save_mapping else ''}, "
                       f"then run `rmtui response import {survey_id} {file} --mapping "
                       f"{save_mapping or 'MAPPING.toml'} --dry-run`", err=True)
            return
    plan = imp.plan_responses(prog, survey, table, mapping, fmt=found,
                              skip_unknown=skip_unknown)
    if dry_run:
        for w in plan.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(_render(plan), nl=False)
        click.echo("dry run: nothing was written", err=True)
        return
    report(import_responses(prog, plan, commit=not no_commit))


def _render(plan) -> str:
    lines = [f"{plan.table.describe()}: {plan.counts()}"]
    marks = {"add": "+", "fill": "~", "unchanged": "=", "kept": "!"}
    for item in plan.items:
        answers = ", ".join(f"{k}={v}" for k, v in item.answers.items())
        lines.append(f"  {marks[item.action]} {item.participant} ({item.row.where()}, "
                     f"{item.action}, submitted {item.submitted}): {answers}")
    return "\n".join(lines) + "\n"
