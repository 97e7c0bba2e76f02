"""``add``, ``list``, ``show``, ``edit`` and ``remove`` for every kind of entity.

The options come from the kind's JSON Schema: each simple field becomes an
option with the schema's description as help (``--learning-topics A,B``),
and ``--set key=value`` reaches every field, nested ones too
(``--set ratings.mentor=5``, ``--set skills+=Python``, ``--set email=``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from rmtui.cli.context import program, report
from rmtui.cli.output import (
    OutputSpec,
    available_fields,
    check_fields,
    emit,
    emit_one,
    get_path,
    output_options,
)
from rmtui.core import records, schemas
from rmtui.core.kinds import KINDS, Kind

_SIMPLE = {"string", "integer", "number", "date", "enum", "array"}


def _field_options(kind: Kind, *, for_add: bool) -> list[click.Option]:
    """One option per simple schema field (lists take comma-separated values)."""
    out = []
    for name, field in schemas.get(kind.name).fields.items():
        if field.type not in _SIMPLE:
            continue
        if field.type == "array" and field.item_type not in ("string", None):
            continue
        if not for_add and name in kind.key:
            continue  # ids never change
        opt = "--" + name.replace("_", "-")
        help_text = field.description
        if field.type == "array":
            help_text += " (comma-separated)"
        if field.choices:
            help_text += " [" + "|".join(str(c) for c in field.choices) + "]"
        if for_add and field.required and name not in ("id",):
            help_text += " (required)"
        metavar = {"date": "DATE", "integer": "N", "number": "N", "array": "A,B",
                   "enum": "VALUE"}.get(field.type, "TEXT")
        out.append(click.Option([opt, name], metavar=metavar, help=help_text.strip()))
    return out


def _set_option() -> click.Option:
    return click.Option(["--set", "assignments"], multiple=True, metavar="KEY=VALUE",
                        help="Set any field, dotted for nested ones: --set ratings.mentor=5; "
                             "KEY+=V adds to a list, KEY-=V removes, KEY= unsets. Repeatable.")


def _no_commit_option() -> click.Option:
    return click.Option(["--no-commit"], is_flag=True,
                        help="Write the file but do not commit it (for batches).")


def _collect(kind: Kind, given: dict[str, Any], assignments: tuple[str, ...]) -> list:
    """Typed field options and --set texts as ops assignments."""
    from rmtui.core import ops, values

    out = []
    for name, text in given.items():
        if text is None:
            continue
        out.append(ops.Assignment(name, "set", values.parse(kind.name, name, text)))
    out.extend(ops.parse_assignment(kind, a) for a in assignments)
    return out


def _command(name: str, callback, params: list[click.Parameter], help_text: str) -> click.Command:
    """A command whose callback may carry decorator-made options (output_options)."""
    made = list(reversed(getattr(callback, "__click_params__", [])))
    return click.Command(name, callback=callback, params=[*params, *made], help=help_text)


def make_group(kind_name: str, help_text: str) -> click.Group:
    kind = KINDS[kind_name]
    group = click.Group(kind.name, help=help_text)
    group.add_command(_add_command(kind))
    group.add_command(_list_command(kind))
    group.add_command(_show_command(kind))
    group.add_command(_edit_command(kind))
    group.add_command(_remove_command(kind))
    return group


# -- add ---------------------------------------------------------------------


def _add_command(kind: Kind) -> click.Command:
    def callback(assignments: tuple[str, ...], no_commit: bool, **given: Any) -> None:
        from rmtui.core import ops

        data: dict[str, Any] = {}
        for a in _collect(kind, given, assignments):
            _put(data, a)
        report(ops.add(program(), kind, data, commit=not no_commit))

    made_from = f" Its id is made from --{kind.title} unless --id is given." if kind.title else ""
    if kind.name == "pair":
        made_from = " Its id is <mentor>--<mentee>; it starts as proposed."
    return click.Command(
        "add", callback=callback,
        params=[*_field_options(kind, for_add=True), _set_option(), _no_commit_option()],
        help=f"Add a {kind.name}, checked against its schema and the program's rules, "
             f"in one commit.{made_from} Prints the new id.",
    )


def _put(data: dict, a) -> None:
    """One assignment on the plain data of a new entity, in the order given."""
    parts = a.key.split(".")
    for p in parts[:-1]:
        if not isinstance(data.get(p), dict):
            data[p] = {}
        data = data[p]
    last = parts[-1]
    if a.op == "set":
        data[last] = a.value
    elif a.op == "unset":
        data.pop(last, None)
    else:
        current = data.get(last)
        current = list(current) if isinstance(current, list) else []
        for v in a.value:
            if a.op == "append" and v not in current:
                current.append(v)
            while a.op == "remove" and v in current:
                current.remove(v)
        if current:
            data[last] = current
        else:
            data.pop(last, None)


# -- list --------------------------------------------------------------------


def _list_command(kind: Kind) -> click.Command:
    @output_options()
    def callback(out: OutputSpec, where: tuple[str, ...], sort: str | None) -> None:
        prog = program()
        loaded = prog.load(kind)
        rows = [records.record(kind, i, r.data) for i, r in loaded.items() if r.data is not None]
        broken = sum(1 for r in loaded.values() if r.data is None)
        available = available_fields(rows, records.known_fields(kind))
        conditions = [_condition(cond) for cond in where]
        check_fields([k for k, _ in conditions], available, "--where field")
        if sort:
            check_fields([sort], available, "--sort field")
        for key, want in conditions:
            rows = [r for r in rows if _matches(r, key, want)]
        if sort:
            rows.sort(key=lambda r: _sort_key(get_path(r, sort)))
        hidden = records.private_fields(kind) + records.sensitive_fields(kind, prog.settings_unchecked)
        emit(rows, out, kind.columns, known=records.known_fields(kind), private=hidden,
             empty=f"no {kind.plural}")
        if broken:
            click.echo(f"warning: {broken} {kind.name} file(s) could not be read; "
                       "`rmtui validate` says why", err=True)

    return _command(
        "list", callback,
        [click.Option(["--where", "-w"], multiple=True, metavar="FIELD=VALUE",
                      help="Only rows whose FIELD equals VALUE (or, for lists, contains it). "
                           "Repeatable."),
         click.Option(["--sort"], metavar="FIELD", help="Sort by FIELD.")],
        f"List the {kind.plural}."
        + (" Private text (session summaries) is shown only when named in --fields."
           if records.private_fields(kind) else ""),
    )


def _condition(cond: str) -> tuple[str, str]:
    if "=" not in cond:
        raise click.UsageError(f"--where {cond!r} is not FIELD=VALUE")
    key, want = cond.split("=", 1)
    return key.strip(), want


def _matches(row: dict, key: str, want: str) -> bool:
    value = get_path(row, key)
    if isinstance(value, list):
        return want in [str(v) for v in value]
    from rmtui.cli.output import cell

    return cell(value) == want


def _sort_key(value: Any) -> tuple:
    if value is None:
        return (2, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value).casefold())


# -- show --------------------------------------------------------------------


def _show_command(kind: Kind) -> click.Command:
    @output_options()
    def callback(out: OutputSpec, entity_id: str) -> None:
        prog = program()
        rec = prog.read(kind, entity_id)
        if rec.data is None:
            from rmtui.core.errors import DataError

            raise DataError(f"{rec.path} cannot be read", diagnostics=rec.diagnostics)
        record = records.record(kind, entity_id, rec.data)
        private = [p for p in records.private_fields(kind) if get_path(record, p) is not None]
        sensitive = [p for p in records.sensitive_fields(kind, prog.settings_unchecked)
                     if get_path(record, p) is not None]
        emit_one(record, out, known=records.known_fields(kind), private=private + sensitive)
        for names, why in ((private, "private to the pair"), (sensitive, "sensitive")):
            hidden = [p for p in names if not (out.fields and p in out.fields)]
            if hidden:
                click.echo(f"({', '.join(hidden)} hidden: {why}; "
                           f"--fields {','.join(hidden)} shows it)", err=True)

    return _command("show", callback, [click.Argument(["entity_id"], metavar="ID")],
                    f"Show one {kind.name}.")


# -- edit --------------------------------------------------------------------


def _edit_command(kind: Kind) -> click.Command:
    def callback(entity_id: str, assignments: tuple[str, ...], editor: bool, no_commit: bool,
                 **given: Any) -> None:
        from rmtui.core import ops

        prog = program()
        changes = _collect(kind, given, assignments)
        if changes and editor:
            raise click.UsageError("use either --set/field options or --editor, not both")
        if changes:
            report(ops.edit(prog, kind, entity_id, changes, commit=not no_commit), quiet_id=True)
            return
        _edit_in_editor(prog, kind, entity_id, not no_commit)

    return click.Command(
        "edit", callback=callback,
        params=[click.Argument(["entity_id"], metavar="ID"),
                *_field_options(kind, for_add=False), _set_option(),
                click.Option(["--editor", "-e"], is_flag=True,
                             help="Open the file in $EDITOR (the default when nothing is set)."),
                _no_commit_option()],
        help=f"Change a {kind.name}: set fields, or edit the whole file in $EDITOR. "
             "Comments and key order in the file are kept; the result is checked before "
             "it is saved and committed.",
    )


def _edit_in_editor(prog, kind: Kind, entity_id: str, commit: bool) -> None:
    from rmtui.core import ops
    from rmtui.core.errors import DataError, RmtuiError

    text, digest = ops.text_of(prog, kind, entity_id)
    current = text
    while True:
        edited = click.edit(current, extension=".yaml", require_save=True)
        if edited is None or edited == text:
            click.echo(f"{kind.name} {entity_id} is unchanged", err=True)
            return
        problems = ops.check_text(prog, kind, entity_id, edited)
        if not problems:
            try:
                outcome = ops.replace_text(prog, kind, entity_id, edited, digest, commit=commit)
            except RmtuiError as exc:  # changed on disk meanwhile, git busy: keep the work
                kept = _keep_rejected(prog.root, kind, entity_id, edited)
                exc.hint = ((exc.hint + "\n") if exc.hint else "") + f"your text is kept in {kept}"
                raise
            report(outcome, quiet_id=True)
            return
        for p in problems:
            click.echo(p, err=True)
        if sys.stdin.isatty() and click.confirm("Edit again?", default=True, err=True):
            current = edited
            continue
        kept = _keep_rejected(prog.root, kind, entity_id, edited)
        raise DataError(f"{kind.name} {entity_id} was not saved",
                        hint=f"your text is kept in {kept}; fix it and copy it over the file, "
                             f"or run `rmtui {kind.name} edit {entity_id}` again")


def _keep_rejected(root: Path, kind: Kind, entity_id: str, text: str) -> str:
    folder = root / ".rmtui" / "rejected"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix=f"{kind.name}-{entity_id.replace('/', '_')}-",
                                    suffix=".yaml", dir=folder)
    except OSError:
        fd, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return os.path.relpath(path)


# -- remove ------------------------------------------------------------------


def _remove_command(kind: Kind) -> click.Command:
    def callback(entity_id: str, force: bool, no_commit: bool) -> None:
        from rmtui.core import ops

        report(ops.remove(program(), kind, entity_id, force=force, commit=not no_commit),
               quiet_id=True)

    return click.Command(
        "remove", callback=callback,
        params=[click.Argument(["entity_id"], metavar="ID"),
                click.Option(["--force"], is_flag=True,
                             help="Remove it even though other files refer to it."),
                _no_commit_option()],
        help=f"Remove a {kind.name}. Refused, with the list of references, while anything "
             "refers to it, unless --force.",
    )
