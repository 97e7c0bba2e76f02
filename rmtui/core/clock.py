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


def now() -> dt.datetime:
    """The current time in UTC; midnight UTC of the pinned day when ``RMTUI_TODAY`` is set."""
    if os.environ.get("RMTUI_TODAY"):
        day = today()
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
