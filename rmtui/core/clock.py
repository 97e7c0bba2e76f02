"""Today's date, in one place, so that runs can be made reproducible.

``RMTUI_TODAY=2027-03-01`` pins the date for scripts, demos and tests.
"""

from __future__ import annotations

import datetime as dt
import os

from rmtui.core.errors import UsageError


def today() -> dt.date:
    pinned = os.environ.get("RMTUI_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise UsageError(f"RMTUI_TODAY={pinned!r} is not a date",
                             hint="write it as YYYY-MM-DD, or unset it") from None
    return dt.date.today()
