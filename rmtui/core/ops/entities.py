"""Entities: add, edit (by field or whole text), remove with the reference check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rmtui.core import clock, ids, kinds, schemas, yamlio
from rmtui.core.errors import DataError, RepoError, UsageError
from rmtui.core.kinds import KINDS, Kind
from rmtui.core.ops.change import Outcome, change, ordered, outcome_of, refuse, warnings_of
from rmtui.core.store import Program
from rmtui.core.validate import Finding, Index, check_entity


def new_id(program: Program, kind: Kind, data: dict) -> str:
    """The id a new entity gets: from its key fields, or made from its name."""
    if kind.key != ("id",):
        values = [data.get(k) for k in kind.key]
        if not all(isinstance(v, str) and v for v in values):
            missing = [k for k, v in zip(kind.key, values, strict=True) if not v]
            raise UsageError(f"a {kind.name} needs {', '.join(missing)}")
        if kind.name == "session":
            base = f"{values[0]}/{values[1]}"
            kind.check_id(base)
            n = 1
            candidate = base
            while program.exists(kind, candidate):
                n += 1
                candidate = f"{base}-{n}"
            return candidate
        return kind.check_id("/".join(values))
    if data.get("id"):
        return ids.check_id(str(data["id"]), f"{kind.name} id")
    if kind.name == "pair":
        mentor, mentee = str(data.get("mentor", "")), str(data.get("mentee", ""))
        if not (ids.is_id(mentor) and ids.is_id(mentee)):
            raise UsageError("a pair needs a mentor and a mentee (participant ids)")
        half = (ids.MAX_LEN - 2) // 2
        base = f"{mentor[:half].rstrip('-')}--{mentee[:half].rstrip('-')}"
    else:
        title = data.get(kind.title or "")
        if not isinstance(title, str) or not title.strip():
            raise UsageError(f"a {kind.name} needs a {kind.title}",
                             hint=f"give --{kind.title} (its id is made from it)")
        base = ids.slugify(title, fallback=kind.name)
    return ids.unique_id(base, lambda c: program.exists(kind, c))


def _defaults_for_new(kind: Kind, data: dict) -> dict:
    data = dict(data)
    today = clock.today().isoformat()
    if kind.name == "pair":
        data.setdefault("status", "proposed")
        if data["status"] == "proposed":
            data.setdefault("proposed", today)
    elif kind.name == "goal":
        data.setdefault("created", today)
    return data


def prepare_new(program: Program, kind: Kind | str, data: dict) -> tuple[str, dict, list[Finding]]:
    """What :func:`add` would write, and every problem with it, without writing.

    Returns the new id, the data as it would be saved and the findings (a form
    shows them beside its fields before anything is written).
    """
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    data = _defaults_for_new(kind, {k: v for k, v in data.items() if v is not None})
    entity_id = new_id(program, kind, data)
    if program.exists(kind, entity_id):  # an id given, or a pair's agreement, a response
        raise UsageError(f"there is already a {kind.name} {entity_id!r}",
                         hint=f"change it with `rmtui {kind.name} edit {entity_id}`, "
                              "or choose another id")
    if kind.key == ("id",):
        data["id"] = entity_id
    data = ordered(kind, data)
    return entity_id, data, check_entity(program, kind, entity_id, data)


def add(program: Program, kind: Kind | str, data: dict, *, commit: bool = True) -> Outcome:
    """Add one entity; its id is made from its name (or key fields) when not given."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    entity_id, data, findings = prepare_new(program, kind, data)
    refuse(f"{kind.name} {entity_id}", findings)
    rel = kind.path(entity_id)
    label = data.get(kind.title) if kind.title else None
    message = f"{kind.name}: add {entity_id}" + (f" ({label})" if label and label != entity_id else "")
    with change(program, message, f"{kind.name}.add", commit=commit) as ch:
        ch.create(rel, yamlio.dump(data))
    out = outcome_of(ch, f"added {kind.name} {entity_id}", entity_id)
    out.warnings.extend(warnings_of(findings))
    return out


@dataclass(frozen=True)
class Assignment:
    """One change to one field: ``set``, ``unset``, ``append`` or ``remove``."""

    key: str        # dotted: grade, ratings.mentor, attributes.team
    op: str
    value: Any = None


def parse_assignment(kind: Kind | str, text: str) -> Assignment:
    """``key=value``, ``key+=value`` (add to a list), ``key-=value`` or ``key=`` (unset)."""
    from rmtui.core import values

    kind_name = kind if isinstance(kind, str) else kind.name
    if "=" not in text:
        raise UsageError(f"{text!r} is not KEY=VALUE",
                         hint="for example --set grade=5, --set skills+=Python, --set email=")
    key, value = text.split("=", 1)
    op = "set"
    if key.endswith("+"):
        key, op = key[:-1], "append"
    elif key.endswith("-"):
        key, op = key[:-1], "remove"
    key = key.strip()
    if op == "set" and value == "":
        values.check_field(kind_name, key)
        return Assignment(key, "unset")
    parsed = values.parse(kind_name, key, value)
    if op in ("append", "remove"):
        parsed = parsed if isinstance(parsed, list) else [parsed]
    return Assignment(key, op, parsed)


def assign(doc: Any, assignments: list[Assignment], kind: Kind) -> None:
    """Apply field changes to a round-trip document, keeping its comments and key order."""
    for a in assignments:
        _apply(doc, a, kind)


def _apply(doc: Any, a: Assignment, kind: Kind) -> None:
    from ruamel.yaml.comments import CommentedMap

    parts = a.key.split(".")
    node = doc
    trail: list[tuple[Any, str]] = []  # (parent, key) down to node
    for i, part in enumerate(parts[:-1]):
        if part not in node or not isinstance(node[part], dict):
            if a.op in ("unset", "remove"):
                return
            if part in node:
                raise UsageError(f"{part} is not a group of fields",
                                 hint=f"set it whole with --set {part}=VALUE")
            # a new group: build it whole, then put it in its place
            value: Any = _new_value(a)
            for inner in reversed(parts[i + 1:]):
                group = CommentedMap()
                group[inner] = value
                value = group
            _insert(node, part, value, kind if node is doc else None)
            return
        trail.append((node, part))
        node = node[part]
    last = parts[-1]
    scope = kind if node is doc else None
    if a.op == "unset":
        if last in node:
            _unset(node, last, trail)
        return
    if a.op == "set":
        value = yamlio.to_rt(a.value) if isinstance(a.value, list | dict) else a.value
        if last in node:
            _replace(node, last, value)
        else:
            _insert(node, last, value, scope)
        return
    current = node.get(last)
    if current is None:
        if a.op == "append":
            _insert(node, last, _new_value(a), scope)
        return
    if not isinstance(current, list):
        raise UsageError(f"{a.key} is not a list", hint=f"use --set {a.key}=VALUE")
    rest = _detach_tail(node, last)  # comments below the list stay below it
    if a.op == "append":
        for v in a.value:
            if v not in current:
                current.append(yamlio.to_rt(v))
    else:
        for v in a.value:
            while v in current:
                current.remove(v)
    _attach_after(node, last, rest)
    if not current:  # the last item went: no `skills: []` left behind
        _unset(node, last, trail)


def _new_value(a: Assignment) -> Any:
    if a.op == "append":
        out: list = []
        for v in a.value:
            if v not in out:
                out.append(v)
        return yamlio.to_rt(out)
    return yamlio.to_rt(a.value) if isinstance(a.value, list | dict) else a.value


def _unset(node: Any, key: str, trail: list[tuple[Any, str]]) -> None:
    """Remove ``key``, and the groups that leave empty (no ``ratings: {}`` behind)."""
    target, name = node, key
    for parent, pkey in reversed(trail):
        if len(target) > 1:
            break
        target, name = parent, pkey
    _delete(target, name)


def _insert(node: Any, key: str, value: Any, kind: Kind | None) -> None:
    """Add a new key where the schema order puts it among the existing keys.

    Comment lines above the key it goes before stay right above that key.
    """
    keys = list(node)
    pos = len(keys)
    if kind is not None:
        order = schemas.get(kind.name).order
        rank = order.index(key) if key in order else len(order)
        for i, existing in enumerate(keys):
            if (order.index(existing) if existing in order else len(order)) > rank:
                pos = i
                break
    rest = _detach_tail(node, keys[pos - 1]) if pos > 0 else ""
    node.insert(pos, key, value)
    if pos < len(keys):
        _attach_before(node, keys[pos], rest)
    else:
        _attach_after(node, key, rest)


def _replace(node: Any, key: str, value: Any) -> None:
    rest = _detach_tail(node, key)
    node[key] = value
    _attach_after(node, key, rest)


def _delete(node: Any, key: str) -> None:
    """Remove ``key`` but not the comment lines between it and the next key."""
    keys = list(node)
    pos = keys.index(key)
    entry = node.ca.items.get(key)
    above = "".join(t.value for t in entry[1] if t is not None) \
        if entry and isinstance(entry[1], list) else ""
    moved = above + _detach_tail(node, key)
    del node[key]
    node.ca.items.pop(key, None)
    if pos + 1 < len(keys):
        _attach_before(node, keys[pos + 1], moved)
    elif pos > 0:
        _attach_after(node, keys[pos - 1], moved)


# ruamel.yaml keeps the comment lines that follow a value in the comment token of
# the value's last line: a key's end-of-line slot, or the last item of the list or
# mapping under it. Those lines are about the key below them; these helpers move them
# when a key is added, replaced or removed, so every comment stays where it was.


def _tail(container: Any, index: Any) -> tuple[dict, Any, int]:
    """(comment items, index, slot) of the last line of ``container[index]``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    value = container[index]
    if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        return _tail(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        return _tail(value, len(value) - 1)
    return container.ca.items, index, (0 if isinstance(container, CommentedSeq) else 2)


def _detach_tail(container: Any, index: Any) -> str:
    """Take away the full comment lines after ``container[index]``; keep its end-of-line one."""
    items, idx, slot = _tail(container, index)
    entry = items.get(idx)
    token = entry[slot] if entry and len(entry) > slot else None
    value = getattr(token, "value", None)
    if not isinstance(value, str):
        return ""
    eol, _, rest = value.partition("\n")
    if not rest:
        return ""
    if eol.strip():
        token.value = eol + "\n"
    else:
        entry[slot] = None
    return rest


def _attach_after(container: Any, index: Any, text: str) -> None:
    if not text:
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    items, idx, slot = _tail(container, index)
    entry = items.setdefault(idx, [None, None, None, None])
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))
    else:
        token.value = (token.value if token.value.endswith("\n") else token.value + "\n") + text


def _attach_before(node: Any, key: str, text: str) -> None:
    if not text:
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    entry = node.ca.items.setdefault(key, [None, None, None, None])
    entry[1] = [CommentToken(text, CommentMark(0)), *(entry[1] or [])]


def edit(program: Program, kind: Kind | str, entity_id: str, assignments: list[Assignment], *,
         commit: bool = True, expected: str | None = None) -> Outcome:
    """Change fields of one entity, keeping its comments, order and quoting.

    ``expected`` is the digest of the file as the caller showed it; the edit
    is refused if the file has changed since.
    """
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    for a in assignments:
        top = a.key.split(".")[0]
        if top in kind.key:
            raise UsageError(f"'{top}' is part of the {kind.name}'s id and never changes",
                             hint="ids stay stable when names change; add a new one instead")

    fields = sorted({a.key.split(".")[0] for a in assignments})
    draft = draft_edit(program, kind, entity_id, lambda doc: assign(doc, assignments, kind),
                       expected=expected)
    what = f" ({', '.join(fields)})" if fields else ""
    return save_drafts(program, [draft], f"{kind.name}: edit {entity_id}{what}",
                       f"{kind.name}.edit", f"edited {kind.name} {entity_id}{what}", commit=commit)


@dataclass
class Draft:
    """A new text for one existing entity, checked and ready to be written."""

    kind: Kind
    entity_id: str
    raw: bytes           # the file as it was read
    new_raw: bytes
    findings: list[Finding]

    @property
    def rel(self) -> str:
        return self.kind.path(self.entity_id)

    @property
    def changed(self) -> bool:
        return self.new_raw != self.raw


def draft_edit(program: Program, kind: Kind, entity_id: str, mutate: Callable[[Any], None], *,
               expected: str | None = None, index: Index | None = None) -> Draft:
    """Read one entity round-trip, let ``mutate`` change it, and check the result.

    Refuses (raising) when the file changed since the caller's ``expected``
    digest, or when the result breaks a schema or a rule. Pass one ``index``
    for several drafts that are checked together (each sees the ones before).
    """
    draft = try_edit(program, kind, entity_id, mutate, expected=expected, index=index)
    refuse(f"{kind.name} {entity_id}", draft.findings)
    return draft


def try_edit(program: Program, kind: Kind | str, entity_id: str, mutate: Callable[[Any], None], *,
             expected: str | None = None, index: Index | None = None) -> Draft:
    """:func:`draft_edit` that returns the findings instead of refusing on them
    (a form shows them beside its fields before anything is written)."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    rel = kind.path(entity_id)
    raw = _read_existing(program, kind, entity_id)
    if expected is not None:
        _refuse_changed(rel, raw, expected)
    doc = yamlio.load_rt(raw.decode("utf-8", "replace"), rel)
    if not isinstance(doc, dict):
        raise DataError(f"{rel} does not hold a mapping", hint="fix it with --editor")
    mutate(doc)
    data = yamlio.to_plain(doc)
    findings = check_entity(program, kind, entity_id, data, index)
    return Draft(kind, entity_id, raw, yamlio.encode_like(yamlio.dump_rt(doc), raw), findings)


def refuse_if_changed(program: Program, kind: Kind | str, entity_id: str, expected: str) -> None:
    """Refuse (raising) when an entity's file no longer has the digest ``expected``,
    the one it had when the caller showed it."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    _refuse_changed(kind.path(entity_id), _read_existing(program, kind, entity_id), expected)


def _refuse_changed(rel: str, raw: bytes, expected: str) -> None:
    if yamlio.digest(raw) != expected:
        raise RepoError(f"{rel} changed on disk since it was shown; nothing was written",
                        hint="reload it and make the change again")


def _read_existing(program: Program, kind: Kind, entity_id: str) -> bytes:
    path = program.path_of(kind, entity_id)
    if path.is_symlink():
        raise DataError(f"{kind.path(entity_id)} is a symbolic link; rmtui edits only plain files")
    raw = yamlio.read_bytes(path)
    if raw is None:
        raise UsageError(f"no {kind.name} {entity_id!r}",
                         hint=f"`rmtui {kind.name} list` shows the {kind.plural}")
    return raw


def save_drafts(program: Program, drafts: list[Draft], message: str, op: str, done: str, *,
                commit: bool = True) -> Outcome:
    """Write the drafts that change something, as one commit with ``message``.

    ``done`` is what the outcome says happened. When no draft changes
    anything, nothing is written and the outcome says so.
    """
    warnings = [w for d in drafts for w in warnings_of(d.findings)]
    changing = [d for d in drafts if d.changed]
    only = drafts[0] if len(drafts) == 1 else None
    if not changing:
        what = f"{only.kind.name} {only.entity_id} is" if only else "the entities are"
        return Outcome(f"{what} unchanged", [], None, warnings,
                       only.entity_id if only else None, changed=False)
    with change(program, message, op, commit=commit) as ch:
        for d in changing:
            ch.replace(d.rel, d.new_raw, yamlio.digest(d.raw))
    out = outcome_of(ch, done, only.entity_id if only else None)
    out.warnings.extend(warnings)
    return out


def text_of(program: Program, kind: Kind | str, entity_id: str) -> tuple[str, str]:
    """The file's text and its digest, for editing it whole (``$EDITOR``)."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    raw = _read_existing(program, kind, entity_id)
    return raw.decode("utf-8", "replace"), yamlio.digest(raw)


def check_text(program: Program, kind: Kind | str, entity_id: str, text: str) -> list[str]:
    """Problems with ``text`` as the new content of an entity, as printable lines."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    rel = kind.path(entity_id)
    parsed = yamlio.parse(text.encode("utf-8"), rel)
    problems = [d.headline() + (f"\n  hint: {d.hint}" if d.hint else "")
                for d in parsed.diagnostics if d.is_error]
    if problems:
        return problems
    if not isinstance(parsed.data, dict):
        return [f"{rel}: the file must hold a mapping of fields"]
    nodes = yamlio.compose(text)
    out = []
    for f in check_entity(program, kind, entity_id, parsed.data):
        if f.severity != "error":
            continue
        line, col = yamlio.locate(nodes, list(f.path), key=f.message.startswith("unknown field")) \
            or (None, None)
        where = rel + (f":{line}:{col}" if line else "")
        out.append(f"{where}: error[{f.rule}]: {f.message}" + (f"\n  hint: {f.hint}" if f.hint else ""))
    return out


def replace_text(program: Program, kind: Kind | str, entity_id: str, text: str, expected: str, *,
                 commit: bool = True) -> Outcome:
    """Save a whole new text for an entity (after ``$EDITOR``), if it is valid."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    problems = check_text(program, kind, entity_id, text)
    if problems:
        raise DataError(f"{kind.name} {entity_id} was not saved:\n  " + "\n  ".join(problems),
                        hint="edit it again and fix these")
    rel = kind.path(entity_id)
    raw = _read_existing(program, kind, entity_id)
    if yamlio.digest(raw) != expected:
        raise RepoError(f"{rel} changed on disk since it was read; nothing was written",
                        hint="look at the change (git diff), then edit it again")
    new_raw = yamlio.encode_like(text, raw) if b"\r\n" not in raw else text.encode("utf-8")
    old = yamlio.parse(raw, rel).data or {}
    new = yamlio.parse(new_raw, rel).data or {}
    fields = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    what = f" ({', '.join(fields)})" if fields else ""
    return save_drafts(program, [Draft(kind, entity_id, raw, new_raw, [])],
                       f"{kind.name}: edit {entity_id}{what}", f"{kind.name}.edit",
                       f"edited {kind.name} {entity_id}{what}", commit=commit)


@dataclass(frozen=True)
class Reference:
    path: str      # the file that refers
    field: str     # where in it
    kind: str
    id: str


def references_to(program: Program, kind: Kind, entity_id: str,
                  index: Index | None = None) -> list[Reference]:
    """Everything that points at an entity: references and files that belong to it."""
    index = index or Index(program)
    out: list[Reference] = []
    for other in KINDS.values():
        for path, target in schemas.get(other.name).ref_paths():
            if target != kind.name:
                continue
            for oid, data in sorted(index.all(other.name).items()):
                if other.name == kind.name and oid == entity_id:
                    continue
                for where, value in _walk(data, path):
                    if value == entity_id:
                        out.append(Reference(other.path(oid), where, other.name, oid))
    return sorted(set(out), key=lambda r: (r.path, r.field))


def _walk(data: Any, path: tuple) -> Iterator[tuple[str, Any]]:
    from rmtui.core.validate import _values_at

    for where, value in _values_at(data, path):
        yield ".".join(str(p) for p in where), value


def remove(program: Program, kind: Kind | str, entity_id: str, *, force: bool = False,
           commit: bool = True, expected: str | None = None) -> Outcome:
    """Remove one entity; refused while anything refers to it, unless ``force``,
    and refused when the file changed since the caller's ``expected`` digest."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    rel = kind.path(entity_id)
    raw = _read_existing(program, kind, entity_id)
    if expected is not None:
        _refuse_changed(rel, raw, expected)
    refs = references_to(program, kind, entity_id)
    shown = [f"{r.path} ({r.field})" for r in refs]
    if refs and not force:
        more = f"\n  ... and {len(shown) - 20} more" if len(shown) > 20 else ""
        hint = "remove or change those first, or pass --force to remove it anyway"
        if kind.name == "participant":
            hint = ("to keep the history, set a status instead (--set status=withdrawn or "
                    "left_company); or pass --force to remove it anyway")
        elif kind.name == "pair":
            hint = ("to keep the history, end the pair instead (--set status=ended); "
                    "or pass --force to remove it anyway")
        raise DataError(f"{kind.name} {entity_id} is still referred to by {len(refs)} "
                        "file(s):\n  " + "\n  ".join(shown[:20]) + more, hint=hint)
    with change(program, f"{kind.name}: remove {entity_id}", f"{kind.name}.remove",
                commit=commit) as ch:
        ch.delete(rel, yamlio.digest(raw))
    out = outcome_of(ch, f"removed {kind.name} {entity_id}", entity_id)
    if refs:
        out.warnings.append(f"{len(refs)} reference(s) to {entity_id} now point nowhere; "
                            "`rmtui validate` lists them")
    return out
