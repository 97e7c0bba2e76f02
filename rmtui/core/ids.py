"""Ids: stable slugs made from names, and the check that keeps them safe.

An id is ``^[a-z0-9][a-z0-9-]{0,63}$``. It is made once from a name with
accents folded (``Nguyễn Văn Đức`` -> ``nguyen-van-duc``) and a numeric suffix
on collision, and never changes when the name does. Because ids become file
names, nothing reaches the file system without passing :func:`check_id`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from rmtui.core.errors import UsageError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_LEN = 64
ID_RULE_TEXT = (
    "an id is 1 to 64 lowercase letters, digits and hyphens, starting with a letter or digit"
)

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans({
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ı": "i",
    "ħ": "h", "Ħ": "H", "ŋ": "ng", "Ŋ": "NG",
})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Fold accents away: ``Åsa Öberg`` -> ``Asa Oberg``."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, fallback: str = "item") -> str:
    """Make an id from a name; never empty, never longer than 64."""
    slug = _NON_SLUG.sub("-", fold(text).lower()).strip("-")
    slug = slug[:MAX_LEN].rstrip("-")
    return slug or fallback


def with_suffix(base: str, n: int) -> str:
    suffix = f"-{n}"
    return base[: MAX_LEN - len(suffix)].rstrip("-") + suffix


def unique_id(base: str, taken: Callable[[str], bool] | Iterable[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free first."""
    if not callable(taken):
        used = set(taken)
        taken = used.__contains__
    if not taken(base):
        return base
    n = 2
    while taken(with_suffix(base, n)):
        n += 1
    return with_suffix(base, n)


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a valid id, else raise a usage error."""
    if not is_id(value):
        raise UsageError(
            f"{value!r} is not a valid {what}",
            hint=f"{ID_RULE_TEXT}, such as 'asa-oberg'",
        )
    return value
