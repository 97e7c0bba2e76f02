"""The Textual app: a program owner's cockpit on the same ``core.ops`` as the CLI.

Layout follows Frogmouth: ``app.py`` (the app and its modes), ``screens/``
(one per part of the program), ``dialogs/`` (modal forms), ``widgets/``
(reusable pieces). Workers load and change data; they never touch widgets
but post messages or return results that handlers on the event loop apply.
"""

from __future__ import annotations

from pathlib import Path


def run(root: Path | None) -> None:
    """Open the app on the program at ``root`` (None: offer to create one)."""
    from rmtui.tui.app import RmtuiApp

    RmtuiApp(root).run()
