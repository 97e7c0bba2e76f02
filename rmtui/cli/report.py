"""``rmtui report``: the one-page program report for leadership."""

from __future__ import annotations

import click

from rmtui.cli.kpi import reads_whole_program


@click.command("report")
@click.option("--as-of", "as_of", metavar="DATE", help="Report as of this day [default: today].")
@click.option("-f", "--format", "fmt", type=click.Choice(["markdown", "html"]),
              help="Markdown or self-contained HTML [default: from -o's extension, else "
                   "markdown].")
@click.option("-o", "--output", "output_file", metavar="FILE",
              help="Write to FILE instead of standard output.")
@reads_whole_program
def report(as_of: str | None, fmt: str | None, output_file: str | None) -> None:
    """Write a one-page program report for leadership (Markdown or HTML).

    The KPIs against their targets, the confidence delta with its n, engagement over
    time (a chart in HTML), the number of pairs at risk and the program's goals. It
    names no one and holds no session summaries, survey comments, reasons or
    sensitive fields; HTML is one self-contained file with every text escaped.
    """
    from rmtui.cli.context import program
    from rmtui.cli.kpi import _parse_day, _warn_skipped
    from rmtui.cli.output import OutputSpec, write
    from rmtui.core import kpi
    from rmtui.core import report as report_mod

    if fmt is None:
        ext = (output_file or "").lower().rsplit(".", 1)[-1]
        fmt = "html" if ext in ("html", "htm") else "markdown"
    snap = kpi.snapshot(program())
    _warn_skipped(snap)
    write(report_mod.render(snap, fmt, _parse_day(as_of)), OutputSpec(fmt, None, output_file))
