"""``rmtui match``: suggest pairs, explain them, publish them, check them."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from rmtui.cli.context import program, report
from rmtui.cli.output import OutputSpec, emit, output_options, write

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group("match", context_settings=CONTEXT)
def group() -> None:
    """Suggest optimal mentor-mentee pairs, explain them, publish them, check them.

    The hard rules and the weights of the soft criteria are in program.toml
    ([rules.*], [weights], [matching]). `suggest` finds the best assignment for the
    program's objective and says why anyone is left unmatched; `--write` proposes the
    pairs as one commit to review; once both sides accept, `publish` starts them.
    """


def _run_options(func: Callable) -> Callable:
    func = click.option("--date", "as_of", metavar="DATE", default="today", show_default=True,
                        help="The day the rules are checked on (time zones, YYYY-MM-DD).")(func)
    func = click.option("--algorithm", type=click.Choice(["optimal", "stable"]),
                        help="optimal assignment, or stable deferred acceptance "
                             "[default: from program.toml].")(func)
    func = click.option("--objective", type=click.Choice(["participation", "score"]),
                        help="participation: as many mentees matched as possible, then the "
                             "highest total score; score: the highest total score "
                             "[default: from program.toml].")(func)
    func = click.option("--exclude", "exclude", multiple=True, metavar="ID[,ID...]",
                        help="Leave these people out of the run (repeatable).")(func)
    func = click.option("--pin", "pins", multiple=True, metavar="MENTOR:MENTEE",
                        help="Keep this pair in the suggestion as it is (repeatable).")(func)
    return func


def _ids(values: tuple[str, ...]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _progress() -> Callable[[str, float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(stage: str, fraction: float) -> None:
        click.echo(f"\r{stage} {fraction:4.0%}   ", err=True, nl=fraction >= 1.0 and
                   stage == "solving")
    return show


def _suggest(pins, exclude, objective, algorithm, as_of: str, exclude_more=()):
    import datetime as dt

    from rmtui.core import values
    from rmtui.core.matching import suggest

    day = dt.date.fromisoformat(values.parse_date(as_of))
    return suggest(program(), pins=list(pins), exclude=_ids(exclude) + list(exclude_more),
                   objective=objective, algorithm=algorithm, as_of=day, progress=_progress())


PAIR_FIELDS = ("mentor", "mentee", "score", "kept", "reasons")


def _show_suggestion(sug, out: OutputSpec) -> None:
    from rmtui.core.matching import top_reasons

    fmt = out.resolve_format()
    if fmt in ("json", "yaml") and not out.fields:
        data = sug.to_json()
        if fmt == "json":
            write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", out)
        else:
            from rmtui.core import yamlio

            write(yamlio.dump(data), out)
    else:
        rows = [{"mentor": p.mentor, "mentee": p.mentee, "score": p.score,
                 "kept": p.why if p.kept else "", "reasons": top_reasons(p.breakdown),
                 "breakdown": p.breakdown} for p in sug.pairs]
        emit(rows, out, PAIR_FIELDS, known=(*PAIR_FIELDS, "breakdown"), whole=False)
        if sug.unmatched and fmt in ("table", "markdown") and not out.output:
            click.echo("")
            emit([dataclasses.asdict(u) for u in sug.unmatched], out, ("id", "role", "reason"))
    new = len(sug.new_pairs)
    proof = ("proven optimal over every allowed pair" if sug.algorithm == "optimal" and sug.proven
             else "no blocking pair" if sug.algorithm == "stable" and sug.proven
             else f"{sug.blocking_pairs} blocking pair(s)" if sug.algorithm == "stable"
             else "not proven optimal")
    click.echo(f"{len(sug.pairs)} pair(s): {new} new, {len(sug.pairs) - new} kept; "
               f"{len(sug.unmatched)} unmatched; total score {sug.total_score:g} "
               f"({sug.algorithm}, objective {sug.objective}; {proof})", err=True)


@group.command("suggest")
@_run_options
@output_options()
@click.option("--write", "write_", is_flag=True,
              help="Write the new pairs as proposed pair files, in one commit.")
@click.option("--no-commit", is_flag=True, help="With --write: write the files but do not commit.")
def suggest_cmd(out: OutputSpec, pins, exclude, objective, algorithm, as_of: str, write_: bool,
                no_commit: bool) -> None:
    """Suggest the best pairs: a table with each pair's score and top reasons.

    Existing accepted and active pairs (and proposals one side accepted) are kept,
    pins are kept, and everyone left unmatched is listed with the reason. The
    result is deterministic. --format json gives {pairs, unmatched, objective,
    total_score, ...} where each pair's breakdown adds up to its score.
    """
    sug = _suggest(pins, exclude, objective, algorithm, as_of)
    _show_suggestion(sug, out)
    if write_:
        from rmtui.core.ops.matching import write_proposals

        report(write_proposals(program(), sug, commit=not no_commit))


@group.command("explain")
@click.argument("mentor_id", metavar="MENTOR")
@click.argument("mentee_id", metavar="MENTEE")
@click.option("--date", "as_of", metavar="DATE", default="today", show_default=True,
              help="The day the rules are checked on (YYYY-MM-DD).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def explain_cmd(mentor_id: str, mentee_id: str, as_of: str, fmt: str) -> None:
    """Every hard rule (pass, or why not) and every criterion of MENTOR with MENTEE.

    Each criterion shows its 0-1 value, its weight and its contribution; the
    contributions add up to the score. Exits 1 when a hard rule fails.
    """
    import datetime as dt

    from rmtui.core import values
    from rmtui.core.matching import explain

    e = explain(program(), mentor_id, mentee_id,
                as_of=dt.date.fromisoformat(values.parse_date(as_of)))
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(e), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{e.mentor} (mentor) with {e.mentee} (mentee)\n\nhard rules")
        width = max(len(r.rule) for r in e.rules)
        for r in e.rules:
            click.echo(f"  {'ok  ' if r.ok else 'FAIL'}  {r.rule:<{width}}  {r.message}")
        click.echo(f"\n  {'criterion':<12}  {'value':>6}  {'weight':>6}  {'adds':>6}")
        for c in e.criteria:
            click.echo(f"  {c.name:<12}  {c.raw:>6g}  {c.weight:>6g}  {c.contribution:>6g}  "
                       f"{c.detail}")
        click.echo(f"  {'score':<12}  {'':>6}  {'':>6}  {e.score:>6g}")
        click.echo("\n" + ("eligible: every hard rule passes" if e.eligible else
                           "not eligible: " + ", ".join(r.rule for r in e.rules if not r.ok)))
    if not e.eligible:
        raise SystemExit(1)


@group.command("why-unmatched")
@click.argument("person_id", metavar="ID")
@_run_options
@output_options()
def why_cmd(person_id: str, out: OutputSpec, pins, exclude, objective, algorithm,
            as_of: str) -> None:
    """Why ID has no (other) partner: for each candidate, the rule that excludes them,
    or whom they went to and what changing that would cost.

    The cost is exact: the total score (and, under the participation objective,
    the matches) the best suggestion would lose if ID got that candidate.
    """
    from rmtui.core.matching import why_unmatched

    sug = _suggest(pins, exclude, objective, algorithm, as_of)
    rows = [{"candidate": w.candidate, "outcome": w.outcome,
             "score": w.score, "cost": w.cost, "lost_matches": w.lost_matches or None,
             "went_to": list(w.went_to), "rule": w.rule, "message": w.message}
            for w in why_unmatched(program(), person_id, suggestion=sug)]
    emit(rows, out, ("candidate", "outcome", "score", "cost", "message"),
         known=("candidate", "outcome", "score", "cost", "lost_matches", "went_to", "rule",
                "message"))


@group.command("publish")
@click.option("--date", "on", metavar="DATE", default="today", show_default=True,
              help="The day the pairs start (YYYY-MM-DD).")
@click.option("--no-commit", is_flag=True, help="Write the files but do not commit them.")
def publish_cmd(on: str, no_commit: bool) -> None:
    """Start every proposed pair both sides accepted (one commit).

    Pairs that cannot start yet are listed with what is missing (an acceptance, a
    signed agreement, training).
    """
    from rmtui.core import values
    from rmtui.core.ops.matching import publish

    report(publish(program(), on=values.parse_date(on), commit=not no_commit))


@group.command("rematch")
@click.option("--date", "as_of", metavar="DATE", default="today", show_default=True,
              help="The day the rules are checked on (YYYY-MM-DD).")
@output_options()
@click.option("--write", "write_", is_flag=True,
              help="Write the new pairs as proposed pair files, in one commit.")
@click.option("--no-commit", is_flag=True, help="With --write: write the files but do not commit.")
def rematch_cmd(as_of: str, out: OutputSpec, write_: bool, no_commit: bool) -> None:
    """Suggest new partners only for mentees whose pair ended, keeping every healthy pair."""
    from rmtui.core.ops.matching import rematch_exclusions, write_proposals

    sug = _suggest((), (), None, None, as_of, exclude_more=rematch_exclusions(program()))
    _show_suggestion(sug, out)
    if write_:
        report(write_proposals(program(), sug, commit=not no_commit))


@group.command("report")
@click.option("--suggest", "suggested", is_flag=True,
              help="Report on a fresh suggestion instead of the current pairs.")
@click.option("--date", "as_of", metavar="DATE", default="today", show_default=True,
              help="The day the rules are checked on (YYYY-MM-DD).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def report_cmd(suggested: bool, as_of: str, fmt: str) -> None:
    """The quality of the current pairs (or of a suggestion).

    Score distribution, each mentee's rank of the mentor they got, mentor load,
    cross-department and cross-location shares, and a fairness view by department
    (groups smaller than [kpi] min_group_size hidden).
    """
    import datetime as dt

    from rmtui.core import values
    from rmtui.core.matching.report import report as build

    day = dt.date.fromisoformat(values.parse_date(as_of))
    sug = _suggest((), (), None, None, as_of) if suggested else None
    data = build(program(), suggestion=sug, as_of=day)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(_report_text(data), nl=False)


def _report_text(d: dict[str, Any]) -> str:
    from tabulate import tabulate

    s, r, ml = d["scores"], d["rank"], d["mentor_load"]
    lines = [f"{d['pairs']} pair(s) ({d['source']})", ""]
    if s["n"]:
        lines.append(f"score: mean {s['mean']:g}, min {s['min']:g}, quartiles {s['p25']:g} / "
                     f"{s['median']:g} / {s['p75']:g}, max {s['max']:g}")
        lines.append("  " + "  ".join(f"{k}: {v}" for k, v in s["histogram"].items() if v))
    if r["n"]:
        lines.append(f"mentor's rank for the mentee: first choice {r['first_choice']:.0%}, "
                     f"top 3 {r['top_3']:.0%}, top 10 {r['top_10']:.0%}, median {r['median']:g}, "
                     f"worst {r['worst']}")
    lines.append(f"mentor load: {ml['places_used']} of {ml['places']} place(s) used"
                 + (f" ({ml['utilisation']:.0%})" if ml["utilisation"] is not None else "")
                 + "; mentors by mentees: "
                 + ", ".join(f"{k}: {v}" for k, v in ml["by_mentees"].items()))
    for key, label in (("cross_department", "across departments"),
                       ("cross_location", "across locations")):
        if d[key] is not None:
            lines.append(f"{label}: {d[key]:.0%}")
    lines.append("")
    if d["fairness"]:
        table = [[f["department"], f["mentees"], f"{f['matched']:.0%}",
                  "" if f["mean_score"] is None else f"{f['mean_score']:g}",
                  "" if f["median_rank"] is None else f"{f['median_rank']:g}"]
                 for f in d["fairness"]]
        lines.append(tabulate(table, headers=["department", "mentees", "matched", "mean score",
                                              "median rank"], tablefmt="simple",
                              disable_numparse=True))
    if d["hidden_groups"]:
        lines.append(f"({d['hidden_groups']} department(s) with fewer than "
                     f"{d['min_group_size']} mentees hidden)")
    return "\n".join(lines) + "\n"


@group.command("verify")
def verify_cmd() -> None:
    """Re-check every open pair against the hard rules and capacity (as `validate` does).

    Prints each broken rule as path:line:col: error[rule-...]: message, and exits 1
    if there is one; prints nothing and exits 0 when every pair keeps the rules.
    """
    from rmtui.cli.errors import format_diagnostic
    from rmtui.core.validate import validate as run

    prog = program()
    rep = run(prog)
    found = [d for d in rep.diagnostics if d.rule.startswith("rule-") or d.rule == "org-chart"]
    for d in found:
        click.echo(format_diagnostic(d, prog.root))
    if any(d.is_error for d in found):
        click.echo(f"{sum(d.is_error for d in found)} pair rule(s) broken", err=True)
        raise SystemExit(1)
