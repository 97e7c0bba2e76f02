"""The kinds of entity a program holds, and where each one's files live.

```
participants/<id>.yaml   goals/<id>.yaml   pairs/<id>.yaml   surveys/<id>.yaml
agreements/<pair>.yaml
sessions/<pair>/<YYYY-MM-DD>[-N].yaml
responses/<survey>/<participant>.yaml
```

An entity's id is its path inside its folder without ``.yaml``: ``asa-oberg``,
``nils-berg--asa-oberg/2027-02-01``. Every part of it is checked to be a slug
before it becomes a path, so no id can reach outside the program folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from rmtui.core.errors import UsageError
from rmtui.core.ids import ID_RULE_TEXT, is_id

_SESSION_NAME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:-([1-9][0-9]{0,3}))?$")


@dataclass(frozen=True)
class Kind:
    name: str            # participant
    plural: str          # participants
    folder: str          # participants
    key: tuple[str, ...]  # the fields that make up the id, in path order
    title: str | None    # the field an id is made from when none is given
    columns: tuple[str, ...]  # what `list` shows by default

    @property
    def nested(self) -> bool:
        return len(self.key) == 2

    def path(self, entity_id: str) -> str:
        """The file of an entity, relative to the program folder."""
        self.check_id(entity_id)
        return f"{self.folder}/{entity_id}.yaml"

    @cached_property
    def valid_id(self) -> Callable[[str], bool]:
        """A fast test of an id, the same as :meth:`check_id` without the message."""
        one = r"[a-z0-9][a-z0-9-]{0,63}"
        last = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[1-9][0-9]{0,3})?" if self.name == "session" else one
        pattern = re.compile(f"{one}/{last}" if self.nested else one)
        return lambda entity_id: pattern.fullmatch(entity_id) is not None

    def check_id(self, entity_id: str) -> str:
        parts = entity_id.split("/")
        shape = "/".join(f"<{k}>" for k in self.key)
        if len(parts) != len(self.key) or not all(is_id(p) for p in parts):
            raise UsageError(f"{entity_id!r} is not a valid {self.name} id",
                             hint=f"a {self.name} id looks like {shape}; {ID_RULE_TEXT}")
        if self.name == "session" and not _SESSION_NAME.match(parts[1]):
            raise UsageError(f"{entity_id!r} is not a valid session id",
                             hint="a session id is <pair>/<YYYY-MM-DD> or <pair>/<YYYY-MM-DD>-N")
        return entity_id

    def id_of(self, relpath: str) -> str | None:
        """The id of the file at ``relpath``, or None if it is not one of ours."""
        if not relpath.startswith(self.folder + "/") or not relpath.endswith(".yaml"):
            return None
        entity_id = relpath[len(self.folder) + 1 : -len(".yaml")]
        parts = entity_id.split("/")
        return entity_id if len(parts) == len(self.key) else None

    def id_for(self, data: dict) -> str | None:
        """The id the file's own key fields give (for sessions, without -N)."""
        values = [data.get(k) for k in self.key]
        if not all(isinstance(v, str) for v in values):
            return None
        return "/".join(values)

    def expected(self, entity_id: str) -> dict[str, str]:
        """The key field values that the file's path implies."""
        parts = entity_id.split("/")
        out = dict(zip(self.key, parts, strict=False))
        if self.name == "session":
            m = _SESSION_NAME.match(parts[1])
            out["date"] = m.group(1) if m else parts[1]
        return out


PARTICIPANT = Kind("participant", "participants", "participants", ("id",), "name",
                   ("id", "name", "role", "department", "grade", "status"))
GOAL = Kind("goal", "goals", "goals", ("id",), "title",
            ("id", "owner", "pair", "title", "due", "status"))
PAIR = Kind("pair", "pairs", "pairs", ("id",), None,
            ("id", "mentor", "mentee", "status", "started"))
AGREEMENT = Kind("agreement", "agreements", "agreements", ("pair",), None,
                 ("pair", "frequency", "duration_minutes", "review_date",
                  "signed.mentor", "signed.mentee"))
SESSION = Kind("session", "sessions", "sessions", ("pair", "date"), None,
               ("id", "pair", "date", "status", "duration_minutes", "mode",
                "ratings.mentor", "ratings.mentee"))
SURVEY = Kind("survey", "surveys", "surveys", ("id",), "title",
              ("id", "title", "kind", "audience"))
RESPONSE = Kind("response", "responses", "responses", ("survey", "participant"), None,
                ("id", "survey", "participant", "status", "submitted"))

KINDS: dict[str, Kind] = {k.name: k for k in
                          (PARTICIPANT, GOAL, PAIR, AGREEMENT, SESSION, SURVEY, RESPONSE)}
_BY_ANY_NAME = {**KINDS, **{k.plural: k for k in KINDS.values()}}


def get(name: str) -> Kind:
    try:
        return _BY_ANY_NAME[name]
    except KeyError:
        raise UsageError(f"unknown kind {name!r}",
                         hint="kinds are: " + ", ".join(KINDS)) from None


def of_path(relpath: str) -> tuple[Kind, str] | None:
    """The kind and id of a program file, or None."""
    folder = relpath.split("/", 1)[0]
    for kind in KINDS.values():
        if kind.folder == folder:
            entity_id = kind.id_of(relpath)
            return (kind, entity_id) if entity_id is not None else None
    return None
