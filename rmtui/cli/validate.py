"""``rmtui validate`` (alias ``check``): every problem, located, in one run."""

from __future__ import annotations

import json

import click

from rmtui.cli.context import program
from rmtui.cli.errors import format_diagnostic
from rmtui.cli.output import OutputSpec, emit, output_options, write

FIELDS = ("path", "line", "col", "severity", "rule", "message", "hint")


@click.command()
@output_options(extra_formats=("text",))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--summary", is_flag=True, help="End with a count of problems by rule (text format).")
def validate(out: OutputSpec, strict: bool, summary: bool) -> None:
    """Check every file against its JSON Schema and every cross-file rule.

    Prints each problem as `path:line:col: error[rule]: message` with the line and a
    hint, all in one run. Prints nothing and exits 0 when all is well; exits 1 when
    there is an error (or, with --strict, a warning).
    """
    from rmtui.cli.progress import progress_bar
    from rmtui.core.ops.change import recover
    from rmtui.core.validate import validate as run

    prog = program(any_version=True)
    note = recover(prog)  # a change a killed rmtui left half done
    if note:
        click.echo(f"note: {note}", err=True)
    bar = progress_bar()
    try:
        rep = run(prog, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    fmt = out.resolve_format(default="text")
    if fmt == "text":
        text = "".join(format_diagnostic(d, prog.root) + "\n" for d in rep.diagnostics)
        if summary and rep.diagnostics:
            counts = rep.counts()
            text += "\n" + "".join(f"{n:6d}  {rule}\n" for rule, n in sorted(counts.items()))
        if rep.diagnostics:
            text += (f"{rep.errors} error(s), {rep.warnings} warning(s) in {rep.files} file(s)\n")
        if text:
            if out.output:
                write(text, out)
            else:
                click.echo(text, nl=False, err=False)
    elif fmt == "json" and not out.fields:
        write(json.dumps({"ok": rep.ok, "errors": rep.errors, "warnings": rep.warnings,
                          "files": rep.files,
                          "diagnostics": [d.to_dict() for d in rep.diagnostics]},
                         ensure_ascii=False, indent=2) + "\n", out)
    else:
        emit([d.to_dict() for d in rep.diagnostics], out, FIELDS, known=FIELDS, whole=False)
    if rep.errors or (strict and rep.warnings):
        raise SystemExit(1)
