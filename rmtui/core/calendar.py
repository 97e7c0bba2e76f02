"""Sessions as an iCalendar file (RFC 5545) for Outlook, Google Calendar and Thunderbird.

Planned and held sessions become events; cancelled ones are left out. A
session with a start ``time`` is an event at that time in the mentee's time
zone (the mentor's when the mentee has none; floating local time when
neither has one), lasting the session's ``duration_minutes``, else its
agreement's, else the program's ``session_minutes``; a session without a
time is an all-day event. Each event's UID is made from the session id, so
importing a newer export updates events instead of doubling them. Every
time zone used is described by a VTIMEZONE worked out from the IANA
database for the years the sessions span.

The file is written by hand, to the letter of the RFC: CRLF line ends,
lines folded at 75 octets without splitting a UTF-8 character, TEXT values
escaped, parameter values quoted where they must be. The pair's private
notes (summaries, next steps) never go into it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache

from rmtui import __version__
from rmtui.core import clock
from rmtui.core.errors import UsageError
from rmtui.core.rules import known_timezone
from rmtui.core.store import Program

PRODID = f"-//rmtui//rmtui {__version__}//EN"
CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


# --------------------------------------------------------------------------
# Content lines
# --------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return _CONTROL.sub("", value)


def param_value(value: str) -> str:
    """A parameter value (3.2): quoted when it holds : ; or , and never a double quote."""
    value = _CONTROL.sub("", value.replace("\n", " ")).replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Fold a content line at 75 octets (3.1), never inside a UTF-8 character."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # a continuation line starts with a space
        current.append(ch)
        size += n
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def content_line(name: str, value: str, params: Iterable[tuple[str, str]] = ()) -> str:
    head = name + "".join(f";{k}={v}" for k, v in params)
    return fold(f"{head}:{value}")


# --------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------


@cache
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _offset(zone, seconds: int) -> tuple[int, bool, str]:
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(zone)
    off, dst = moment.utcoffset(), moment.dst()
    return (int(off.total_seconds()) if off is not None else 0,
            bool(dst and dst.total_seconds()), moment.tzname() or "")


def _utc_offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}{m:02d}" + (f"{s:02d}" if s else "")


def _local(seconds: int, offset: int) -> str:
    return dt.datetime.fromtimestamp(seconds + offset, dt.UTC).strftime("%Y%m%dT%H%M%S")


def vtimezone(name: str, first: dt.date, last: dt.date) -> list[str]:
    """A VTIMEZONE for ``name`` that is right from ``first`` to ``last`` (3.6.5).

    One observance for the offset in force at the start, then one for each
    change of offset in between, found day by day and narrowed to the second.
    """
    zone = _zone(name)
    # two days early, so that the first observance is in force on ``first`` in every zone
    start = int(dt.datetime(first.year, first.month, first.day, tzinfo=dt.UTC).timestamp()) \
        - 2 * 86400
    end = int(dt.datetime(last.year, last.month, last.day, tzinfo=dt.UTC).timestamp()) + 86400
    off, dst, abbr = _offset(zone, start)
    observances = [(start, off, off, dst, abbr)]
    day = 86400
    t = start
    while t < end:
        nxt = min(t + day, end)
        new_off = _offset(zone, nxt)[0]
        if new_off != off:
            lo, hi = t, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid)[0] == off:
                    lo = mid
                else:
                    hi = mid
            after, dst, abbr = _offset(zone, hi)
            observances.append((hi, off, after, dst, abbr))
            off = after
        t = nxt
    lines = ["BEGIN:VTIMEZONE", content_line("TZID", name)]
    for at, before, after, is_dst, abbr in observances:
        part = "DAYLIGHT" if is_dst else "STANDARD"
        lines += [f"BEGIN:{part}",
                  # the wall-clock time at the change, in the offset it changes from
                  f"DTSTART:{_local(at, before)}",
                  f"TZOFFSETFROM:{_utc_offset(before)}",
                  f"TZOFFSETTO:{_utc_offset(after)}"]
        if abbr:
            lines.append(content_line("TZNAME", escape_text(abbr)))
        lines.append(f"END:{part}")
    lines.append("END:VTIMEZONE")
    return lines


# --------------------------------------------------------------------------
# Sessions as events
# --------------------------------------------------------------------------


def _name(people: dict[str, dict], pid: str | None) -> str:
    person = people.get(pid or "")
    return str(person.get("name")) if person and person.get("name") else (pid or "?")


def _zone_of(people: dict[str, dict], pair: dict) -> str | None:
    for side in ("mentee", "mentor"):
        tz = (people.get(pair.get(side) or "") or {}).get("timezone")
        if isinstance(tz, str) and known_timezone(tz):
            return tz
    return None


def sessions_calendar(program: Program, pairs: Iterable[str] = ()) -> tuple[str, list[str]]:
    """The program's planned and held sessions as iCalendar text, and warnings.

    ``pairs`` limits the calendar to those pairs' sessions.
    """
    settings = program.settings_unchecked
    wanted = list(pairs)
    known_pairs = program.data("pair")
    for pid in wanted:
        if pid not in known_pairs:
            raise UsageError(f"no pair {pid!r}", hint="`rmtui pair list` shows the pairs")
    people = program.data("participant")
    agreements = program.data("agreement")
    default_minutes = settings.get("program.session_minutes", 60) or 60
    warnings: list[str] = []
    events: list[tuple[tuple, list[str]]] = []
    zones: dict[str, list[dt.date]] = {}
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    skipped = 0
    for sid, rec in program.load("session").items():
        data = rec.data
        if data is None or not rec.ok:
            skipped += 1
            continue
        status = data.get("status", "held")
        if status == "cancelled" or (wanted and data.get("pair") not in wanted):
            continue
        pair = known_pairs.get(data["pair"], {})
        day = dt.date.fromisoformat(data["date"])
        minutes = data.get("duration_minutes") \
            or (agreements.get(data["pair"]) or {}).get("duration_minutes") or default_minutes
        lines = ["BEGIN:VEVENT", content_line("UID", escape_text(f"{sid}@rmtui")),
                 f"DTSTAMP:{stamp}"]
        time = data.get("time")
        if time:
            hh, mm = (int(x) for x in time.split(":"))
            start = dt.datetime(day.year, day.month, day.day, hh, mm)
            end = start + dt.timedelta(minutes=int(minutes))
            tz = _zone_of(people, pair)
            params = [("TZID", param_value(tz))] if tz else []
            if tz:
                zones.setdefault(tz, []).extend([day, end.date()])
            lines += [content_line("DTSTART", start.strftime("%Y%m%dT%H%M%S"), params),
                      content_line("DTEND", end.strftime("%Y%m%dT%H%M%S"), params)]
        else:
            lines += [content_line("DTSTART", day.strftime("%Y%m%d"), [("VALUE", "DATE")]),
                      content_line("DTEND", (day + dt.timedelta(days=1)).strftime("%Y%m%d"),
                                   [("VALUE", "DATE")])]
        mentor, mentee = _name(people, pair.get("mentor")), _name(people, pair.get("mentee"))
        lines.append(content_line("SUMMARY",
                                  escape_text(f"Reverse mentoring: {mentor} and {mentee}")))
        about = [f"Pair: {data['pair']}", f"Mentor: {mentor}", f"Mentee: {mentee}",
                 f"Status: {status}"]
        if data.get("mode"):
            about.append(f"Mode: {data['mode']}")
        if data.get("topics"):
            about.append("Topics: " + ", ".join(data["topics"]))
        lines.append(content_line("DESCRIPTION", escape_text("\n".join(about))))
        lines.append(content_line("CATEGORIES", escape_text("Reverse mentoring")))
        lines.append(f"STATUS:{'TENTATIVE' if status == 'planned' else 'CONFIRMED'}")
        lines.append(f"TRANSP:{'OPAQUE' if time else 'TRANSPARENT'}")
        for side, name in (("mentor", mentor), ("mentee", mentee)):
            email = (people.get(pair.get(side) or "") or {}).get("email")
            if isinstance(email, str) and email:
                lines.append(content_line("ATTENDEE", f"mailto:{email}",
                                          [("CN", param_value(name)),
                                           ("ROLE", "REQ-PARTICIPANT")]))
        lines.append("END:VEVENT")
        events.append(((data["date"], time or "", sid), lines))
    if skipped:
        warnings.append(f"{skipped} session file(s) are not valid and were left out; "
                        "`rmtui validate` says why")
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", content_line("PRODID", PRODID),
           "CALSCALE:GREGORIAN",
           content_line("X-WR-CALNAME", escape_text(settings.name or "rmtui sessions"))]
    for tz in sorted(zones):
        days = zones[tz]
        out += vtimezone(tz, dt.date(min(days).year, 1, 1), dt.date(max(days).year, 12, 31))
    for _, lines in sorted(events):
        out += lines
    out.append("END:VCALENDAR")
    return CRLF.join(out) + CRLF, warnings
