"""The one-page program report for leadership, in Markdown or self-contained HTML.

What it holds: the headline KPIs against their targets, the confidence delta with
its n, engagement over time (an inline SVG chart in HTML), how many pairs are at
risk (a count, never names), and the program's goals (titles, status, due date,
latest value against target). What it never holds: session summaries or next
steps, survey text answers, pause or end reasons, goal progress notes, names of
people, or any sensitive field. Every text that comes from a file is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from dataclasses import dataclass

from rmtui.core import kpi
from rmtui.core.kpi import Confidence, KpiValue, Snapshot
from rmtui.core.store import Program

MAX_GOALS = 12


@dataclass(frozen=True)
class GoalLine:
    title: str
    status: str
    due: str | None
    latest: str | None      # the last progress value (never the note)
    target: str | None


@dataclass(frozen=True)
class Report:
    name: str
    description: str | None
    as_of: dt.date
    kpis: dict[str, KpiValue]
    confidence: Confidence
    engagement: list[tuple[dt.date, float | None, int]]   # period end, rate, sessions held
    engagement_target: float | None
    at_risk: int
    active_pairs: int
    at_risk_days: int
    people: Counter            # participants in the program by role
    pairs: Counter             # pairs by status on as_of
    goal_counts: Counter       # goals by status
    goals_due: int
    goals: list[GoalLine]
    more_goals: int


def _text(value) -> str | None:
    return None if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


def build(program: Program | Snapshot, as_of: dt.date | None = None) -> Report:
    """Everything the report shows, computed once from the program."""
    snap = program if isinstance(program, Snapshot) else kpi.snapshot(program)
    day = kpi.resolve_as_of(snap, as_of)
    values = kpi.compute(snap, day)
    f = snap.facts
    people: Counter = Counter(p.get("role") for p in f.people.values()
                              if p.get("status", "applied") in kpi.ACCEPTED_IN_PROGRAM)
    pairs: Counter = Counter(s for p in f.pairs if (s := p.status_on(day)) is not None)
    rank = {"open": 0, "done": 1, "dropped": 2}
    goals = sorted(f.goals.values(), key=lambda g: (rank.get(g.get("status", "open"), 3),
                                                    g.get("due") or "9999", g.get("title", "")))
    lines = []
    for g in goals:
        progress = [p for p in g.get("progress") or [] if "value" in p
                    and (kpi.day_of(p.get("date")) or dt.date.min) <= day]
        lines.append(GoalLine(str(g.get("title", "")), str(g.get("status", "open")),
                              g.get("due"), _text(progress[-1]["value"]) if progress else None,
                              _text(g.get("target"))))
    due = sum(1 for g in goals if (d := kpi.day_of(g.get("due"))) is not None and d <= day)
    risk = values["at_risk_pairs"]
    return Report(
        name=snap.settings.name, description=snap.settings.get("program.description"),
        as_of=day, kpis=values, confidence=kpi.confidence(snap, day),
        engagement=kpi.engagement_series(snap, day),
        engagement_target=values["engagement_rate"].target,
        at_risk=int(risk.value or 0), active_pairs=risk.n,
        at_risk_days=f.setting("at_risk_days", 30), people=people, pairs=pairs,
        goal_counts=Counter(g.get("status", "open") for g in goals), goals_due=due,
        goals=lines[:MAX_GOALS], more_goals=max(0, len(lines) - MAX_GOALS))


# --------------------------------------------------------------------------
# Sentences both formats share
# --------------------------------------------------------------------------


def _people_line(r: Report) -> str:
    mentors, mentees = r.people.get("mentor", 0), r.people.get("mentee", 0)
    order = ("active", "paused", "accepted", "proposed", "completed", "ended")
    pairs = ", ".join(f"{r.pairs[s]} {s}" for s in order if r.pairs.get(s))
    return (f"{mentors + mentees} people in the program ({mentees} leaders learning, "
            f"{mentors} mentors teaching); pairs: {pairs or 'none yet'}.")


def _confidence_line(c: Confidence) -> str:
    if c.delta is None:
        return f"Not available: {c.reason}."
    return (f"Mentees rated their digital confidence {kpi.rounded(c.baseline, 2)} before the "
            f"program and {kpi.rounded(c.final, 2)} after (scale 1-5): a change of "
            f"{kpi.rounded(c.delta, 2, sign=True)} "
            f"(n = {c.n} mentee{'s' if c.n != 1 else ''} with both surveys).")


def _risk_line(r: Report) -> str:
    if r.active_pairs == 0:
        return "There are no active pairs."
    verb = "has" if r.at_risk == 1 else "have"
    return (f"{r.at_risk} of {r.active_pairs} active pairs {verb} had no session for more "
            f"than {r.at_risk_days} days.")


def _goals_line(r: Report) -> str:
    total = sum(r.goal_counts.values())
    if not total:
        return "No goals have been set yet."
    parts = ", ".join(f"{r.goal_counts[s]} {s}" for s in ("open", "done", "dropped")
                      if r.goal_counts.get(s))
    return f"{total} goals set ({parts}); {r.goals_due} due by {r.as_of.isoformat()}."


def _month(day: dt.date) -> str:
    return day.strftime("%b %Y")


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_BLOCK = re.compile(r"^(\s*)(?:([#+>-])|(\d+)([.)]))")


def md(text: object, *, block: bool = False) -> str:
    """Text safe in Markdown: HTML escaped, emphasis, code, links and table bars
    backslashed, on one line; with ``block``, nothing that starts a heading or a list."""
    s = html.escape(str(text), quote=False).replace("\r", " ").replace("\n", " ")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    if block:
        s = _MD_BLOCK.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2)
                                                  else m.group(3) + "\\" + m.group(4)), s)
    return s


def markdown(r: Report) -> str:
    out = [f"# {md(r.name)}", "", f"Program report as of {r.as_of.isoformat()}.", ""]
    if r.description:
        out += [md(r.description, block=True), ""]
    out += [md(_people_line(r), block=True), "", "## KPIs against targets", "",
            "| KPI | value | target | status | n |", "|---|---:|---:|---|---:|"]
    for v in r.kpis.values():
        status = v.status if v.value is not None else f"n/a: {v.reason}"
        out.append(f"| {md(v.label)} | {md(v.shown)} | {md(v.shown_target)} | {md(status)} | "
                   f"{v.n} |")
    out += ["", "## Digital confidence", "", md(_confidence_line(r.confidence), block=True), "",
            "## Engagement over time", ""]
    if r.engagement:
        spark = kpi.sparkline(rate for _, rate, _ in r.engagement)
        out += [f"Pairs engaged, month by month: `{spark}`", "",
                "| month | pairs engaged | sessions held |", "|---|---:|---:|"]
        for end, rate, held in r.engagement:
            out.append(f"| {_month(end)} | {kpi.display(rate, 'ratio')} | {held} |")
    else:
        out.append("No sessions yet.")
    out += ["", "## Pairs at risk", "", md(_risk_line(r), block=True), "", "## Goals", "",
            md(_goals_line(r), block=True), ""]
    if r.goals:
        out += ["| goal | status | due | latest | target |", "|---|---|---|---:|---:|"]
        for g in r.goals:
            out.append(f"| {md(g.title)} | {md(g.status)} | {md(g.due or '')} | "
                       f"{md(g.latest or '')} | {md(g.target or '')} |")
        if r.more_goals:
            out += ["", f"… and {r.more_goals} more."]
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def h(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;max-width:60rem;
margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #dde}
.sub{color:#5a6275;margin:.2rem 0 1rem}table{border-collapse:collapse;width:100%}
th,td{padding:.25rem .5rem;border-bottom:1px solid #eceef3;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0}figcaption{color:#5a6275;font-size:.85rem}svg{max-width:100%;height:auto}
.met{color:#1d7a3e}.notmet{color:#b3261e}.na{color:#7a7f8c}
@media print{body{margin:0}}
"""


def _status_class(v: KpiValue) -> str:
    return {"met": "met", "not met": "notmet"}.get(v.status, "na")


def engagement_svg(r: Report, width: int = 640, height: int = 220) -> str:
    """Engagement over time: the share of active pairs engaged (line, with the target
    dashed) and the sessions held each month (bars), as an inline SVG."""
    left, right, top, bottom = 44, 74, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    points = r.engagement
    n = max(1, len(points))
    step = plot_w / n
    top_sessions = max((held for _, _, held in points), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" '
             f'aria-label="{h("Engagement over time")}">',
             f"<title>{h('Pairs engaged and sessions held, month by month')}</title>",
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafbfd" '
             'stroke="#dde"/>']
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e6e8ef"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5a6275">{h(f"{frac * 100:.0f}%")}</text>')
    parts.append(f'<text x="{left + plot_w + 6}" y="{top + 4}" font-size="11" '
                 f'fill="#8a93a6">{h(f"{top_sessions} sessions")}</text>')
    parts.append(f'<text x="{left + plot_w + 6}" y="{top + plot_h + 4}" font-size="11" '
                 'fill="#8a93a6">0</text>')
    for i, (end, _, held) in enumerate(points):
        bar_h = plot_h * held / top_sessions
        x = left + i * step + step * 0.2
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
                     f'width="{step * 0.6:.1f}" height="{bar_h:.1f}" fill="#c9d6f2">'
                     f"<title>{h(f'{_month(end)}: {held} sessions held')}</title></rect>")
        if len(points) <= 18 or i % max(1, len(points) // 12) == 0:
            parts.append(f'<text x="{left + (i + 0.5) * step:.1f}" y="{height - 14}" '
                         f'text-anchor="middle" font-size="11" fill="#5a6275">'
                         f"{h(end.strftime('%b'))}</text>")
    if points:
        parts.append(f'<text x="{left}" y="{height - 2}" font-size="10" fill="#8a93a6">'
                     f"{h(_month(points[0][0]))} – {h(_month(points[-1][0]))}</text>")
    if r.engagement_target is not None:
        y = top + plot_h * (1 - max(0.0, min(1.0, r.engagement_target)))
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#b3261e" stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{left + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#b3261e">'
                     f"{h('target ' + kpi.display(r.engagement_target, 'ratio'))}</text>")
    line = []
    for i, (end, rate, _) in enumerate(points):
        if rate is None:
            continue
        x, y = left + (i + 0.5) * step, top + plot_h * (1 - rate)
        line.append(f"{x:.1f},{y:.1f}")
        tip = f"{_month(end)}: {kpi.display(rate, 'ratio')} of active pairs engaged"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f4fb4">'
                     f"<title>{h(tip)}</title></circle>")
    if len(line) > 1:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f4fb4" '
                     'stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: Report) -> str:
    rows = []
    for v in r.kpis.values():
        status = v.status if v.value is not None else f"n/a: {v.reason}"
        rows.append(f'<tr><td title="{h(v.definition)}">{h(v.label)}</td>'
                    f'<td class="num">{h(v.shown)}</td><td class="num">{h(v.shown_target)}</td>'
                    f'<td class="{_status_class(v)}">{h(status)}</td>'
                    f'<td class="num">{v.n}</td></tr>')
    goals = ""
    if r.goals:
        goal_rows = "".join(
            f"<tr><td>{h(g.title)}</td><td>{h(g.status)}</td><td>{h(g.due or '')}</td>"
            f'<td class="num">{h(g.latest or "")}</td><td class="num">{h(g.target or "")}</td>'
            "</tr>" for g in r.goals)
        more = f"<p>… and {r.more_goals} more.</p>" if r.more_goals else ""
        goals = ('<table><thead><tr><th>goal</th><th>status</th><th>due</th>'
                 '<th class="num">latest</th><th class="num">target</th></tr></thead>'
                 f"<tbody>{goal_rows}</tbody></table>{more}")
    chart = ("<figure>" + engagement_svg(r) + "<figcaption>Line: share of active pairs with a "
             "session in the engagement window, at each month's end (dashed: the target). "
             "Bars: sessions held in the month.</figcaption></figure>"
             if r.engagement else "<p>No sessions yet.</p>")
    description = f"<p>{h(r.description)}</p>" if r.description else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(r.name)}: program report {h(r.as_of.isoformat())}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{h(r.name)}</h1>"
        f'<p class="sub">Program report as of {h(r.as_of.isoformat())}</p>'
        f"{description}<p>{h(_people_line(r))}</p>"
        "<h2>KPIs against targets</h2>"
        '<table><thead><tr><th>KPI</th><th class="num">value</th><th class="num">target</th>'
        f'<th>status</th><th class="num">n</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
        f"<h2>Digital confidence</h2><p>{h(_confidence_line(r.confidence))}</p>"
        f"<h2>Engagement over time</h2>{chart}"
        f"<h2>Pairs at risk</h2><p>{h(_risk_line(r))}</p>"
        f"<h2>Goals</h2><p>{h(_goals_line(r))}</p>{goals}"
        "</body></html>\n")


def render(program: Program | Snapshot, fmt: str, as_of: dt.date | None = None) -> str:
    r = build(program, as_of)
    if fmt == "markdown":
        return markdown(r)
    if fmt == "html":
        return to_html(r)
    raise ValueError(f"unknown report format {fmt!r}")
