"""The core never imports a UI library; `rmtui --help` imports nothing heavy."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import rmtui.core

UI = ("textual", "click", "rich")


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport sys\nsys.stderr.write('\\n'.join(sys.modules))"
    proc = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True)
    return set(proc.stderr.split())


def test_core_imports_no_ui_library() -> None:
    names = [m.name for m in pkgutil.walk_packages(rmtui.core.__path__, "rmtui.core.")]
    assert "rmtui.core.ops" in names and "rmtui.core.validate" in names
    loaded = _modules_after("\n".join(f"import {n}" for n in names))
    leaked = sorted(m for m in loaded if m.split(".")[0] in UI)
    assert leaked == []


def test_help_imports_nothing_heavy() -> None:
    loaded = _modules_after("from rmtui.cli import cli\n"
                            "try:\n    cli.main(['--help'], standalone_mode=False)\n"
                            "except SystemExit:\n    pass")
    heavy = ("yaml", "ruamel", "jsonschema", "fastjsonschema", "tabulate", "git", "textual",
             "scipy", "numpy")
    assert sorted(m for m in loaded if m.split(".")[0] in heavy) == []
