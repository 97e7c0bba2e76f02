"""Where the shipped schemas and the program template live.

In a wheel they sit inside the package (``rmtui/schemas``); in a source
checkout they are the top-level ``schemas/`` and ``program_template/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rmtui is installed without its {name}/ folder")  # pragma: no cover


@cache
def schemas_dir() -> Path:
    return _find("schemas")


@cache
def template_dir() -> Path:
    return _find("program_template")
