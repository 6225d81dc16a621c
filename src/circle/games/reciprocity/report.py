"""The ledger as text for the terminal, Markdown to paste, CSV to process."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import NamedTuple

from circle.core import markdown as md
from circle.core.csv_text import csv_text
from circle.core.localtime import moment
from circle.games.reciprocity.ledger import EXTRA, EXTRA_REASON, SILENT, SILENT_REASON, Ledger, sparkline
from circle.games.reciprocity.scoring import ScoringRules


@dataclass(frozen=True)
class Row:
    name: str
    total: int
    levels: dict[int, int]
    trend: str
    person: str = ""  # the person's id, to open their total into its moments


@dataclass(frozen=True)
class Report:
    title: str
    rows: list[Row]
    months: list[str]
    meetings: list[str]
    streak: int | None
    misses: dict[str, int]
    open_conflicts: list[str]
    monthly_totals: list[int]  # points per month, for the months in ``months``
    rhythm: str | None = None  # a group's: when it last met, this month's meeting, months without one
    unit: str = "month"  # what ``months`` holds: months, or weeks ("YYYY-MM-DD", the Monday) for a short history


TREND_MONTHS = 24  # the sparkline shows the last two years
SHORT_HISTORY = 3  # with fewer months than this, the charts go by week


def report(ledger: Ledger, group: dict | None = None, tz: tzinfo | None = None, now: float | None = None) -> Report:
    """What the ledger says, for everyone or for one group ({"id", "name"}), as of ``now``."""
    group_id = group["id"] if group else None
    totals, per_person = ledger.summary(group_id, tz)  # one pass over the entries serves every view below
    totals_by_month: dict[str, int] = {}
    for months_of_person in per_person.values():
        for month, points in months_of_person.items():
            totals_by_month[month] = totals_by_month.get(month, 0) + points
    months = sorted(totals_by_month)
    unit = "month"
    if len(months) < SHORT_HISTORY:  # a bar or two says nothing: the same points, week by week
        unit, per_person, totals_by_month = "week", *_by_week(ledger, group_id, tz)
        months = sorted(totals_by_month)
    recent = months[-TREND_MONTHS:]
    rows = []
    for person, levels in totals.items():
        monthly = per_person.get(person, {})
        trend = sparkline(monthly.get(m, 0) for m in recent)
        rows.append(Row(ledger.names.get(person, "?"), sum(levels.values()), levels, trend, person))
    rows.sort(key=lambda r: (-r.total, r.name.casefold()))
    meetings, streak, misses, rhythm = [], None, {}, None
    if group_id is not None:
        for m in ledger.meetings.get(group_id, []):
            when = moment(m.at, tz).strftime("%Y-%m-%d")
            if m.status == EXTRA:
                meetings.append(f"{when}  {EXTRA_REASON} ({len(m.present)} came)")
                continue
            if m.status == SILENT:
                meetings.append(f"{when}  {SILENT_REASON}")
                continue
            away = ", ".join(sorted(ledger.names.get(p, "?") for p in m.absent))
            meetings.append(f"{when}  meeting {m.nth}: {len(m.present)} came" + (f"; missed: {away}" if away else ""))
        streak = ledger.streak(group_id, tz)
        rhythm = ledger.rhythm(group_id, time.time() if now is None else now, tz).line(tz)
        misses = {ledger.names.get(p, "?"): n for p, n in ledger.misses(group_id).items()}
    conflicts = [
        f"{' & '.join(ledger.names.get(p, '?') for p in c.between)}: {c.label or 'no label'}"
        for c in ledger.open_conflicts(group_id)
    ]
    title = f"Ledger: {group['name']}" if group else "Ledger: everyone"
    monthly_totals = [totals_by_month[m] for m in months]
    return Report(title, rows, months, meetings, streak, misses, conflicts, monthly_totals, rhythm, unit)


def _by_week(
    ledger: Ledger, group_id: str | None, tz: tzinfo | None
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Points per person per week, and per week (weeks named by their Monday, every week from the first)."""
    per_person: dict[str, dict[str, int]] = {}
    mondays: set[date] = set()
    for person, points, _, _, at, _, _ in ledger.iter_entries(group_id):
        day = moment(at, tz).date()
        monday = day - timedelta(days=day.weekday())
        mondays.add(monday)
        mine = per_person.setdefault(person, {})
        mine[monday.isoformat()] = mine.get(monday.isoformat(), 0) + points
    totals: dict[str, int] = {}
    if mondays:
        week, last = min(mondays), max(mondays)
        while week <= last:  # a quiet week is a zero, so the chart keeps time
            totals[week.isoformat()] = sum(mine.get(week.isoformat(), 0) for mine in per_person.values())
            week += timedelta(days=7)
    return per_person, totals


def as_text(rep: Report, rules: ScoringRules) -> str:
    names = rules.names
    header = ["person", "total", *(f"L{n} {names[n]}" for n in range(1, 6)), f"by {rep.unit}"]
    body = [[r.name, str(r.total), *(str(r.levels[n]) for n in range(1, 6)), r.trend] for r in rep.rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [rep.title, ""]
    if not body:
        return "\n".join([*lines, "no points recorded yet", *_tail(rep)]) + "\n"
    for row in [header, *body]:
        cells = [
            c.rjust(w) if 0 < i < len(header) - 1 else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    if rep.months:
        lines.append(f"{'':{widths[0]}}  {span_of(rep)}")
    lines += _tail(rep)
    return "\n".join(lines) + "\n"


def span_of(rep: Report) -> str:
    """What the trend column covers: "months 2026-01 to 2026-06", or "weeks of 2026-06-01 to 2026-06-22"."""
    first, last = rep.months[0], rep.months[-1]
    if first == last:
        return f"the week of {first}" if rep.unit == "week" else f"the month {first}"
    return f"weeks of {first} to {last}" if rep.unit == "week" else f"months {first} to {last}"


def _tail(rep: Report, bullet: str = "", esc: Callable[[str], str] = str) -> list[str]:
    """Meetings and open conflicts; ``esc`` makes a line of names safe for the format."""
    lines = []
    if rep.streak is not None:
        lines += ["", f"Meetings (streak: {rep.streak} month{'s' if rep.streak != 1 else ''} in a row)"]
        if rep.rhythm:
            lines.append(esc(rep.rhythm))
        lines += [f"{bullet}{esc(m)}" for m in rep.meetings] or [f"{bullet}none yet"]
        if rep.misses:
            lines.append(esc("Misses: " + ", ".join(f"{n} {c}" for n, c in sorted(rep.misses.items()))))
    lines += ["", "Open conflicts"] + ([f"{bullet}{esc(c)}" for c in rep.open_conflicts] or [f"{bullet}none"])
    return lines


def as_markdown(rep: Report, rules: ScoringRules) -> str:
    names = rules.names
    headers = ["Person", "Total", *(f"L{n} {names[n]}" for n in range(1, 6)), f"By {rep.unit}"]
    rows = [[r.name, str(r.total), *(str(r.levels[n]) for n in range(1, 6)), md.code(r.trend)] for r in rep.rows]
    lines = [f"# {md.heading(rep.title)}", "", *md.table(headers, rows, ["---", *["---:"] * 6, "---"])]
    if rep.months:
        span = span_of(rep)
        lines += ["", f"_{span[0].upper()}{span[1:]}._"]
    for line in _tail(rep, "- ", md.inline):
        if line.startswith(("Meetings", "Open conflicts")):
            lines += [f"## {line}", ""]
        elif line and lines[-1].startswith("- ") != line.startswith("- "):
            lines += ["", line]  # a list and a paragraph stand apart, or one runs into the other
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


class Moment(NamedTuple):
    """One line of a traced total: what the CSV gives a row, and the screen a line."""

    date: str
    person: str
    level: int
    points: int
    reason: str
    session: str  # the first 8 characters of its id, as `circle sessions` shows it
    session_id: str  # the whole id, for the CSV: a spreadsheet reads a prefix like "06026364" as a number


def moments(
    ledger: Ledger, group_id: str | None = None, person: str | None = None, tz: tzinfo | None = None
) -> list[Moment]:
    """Every scoring moment, oldest first, for everyone or one ``person`` (an id)."""
    entries = [e for e in ledger.for_group(group_id) if person is None or e.person == person]
    entries.sort(key=lambda e: (e.at, ledger.names.get(e.person, "")))
    return [
        Moment(
            moment(e.at, tz).strftime("%Y-%m-%d"),
            ledger.names.get(e.person, "?"),
            e.level,
            e.points,
            e.reason,
            e.session[:8],
            e.session,
        )
        for e in entries
    ]


def as_csv(ledger: Ledger, group_id: str | None = None, tz: tzinfo | None = None) -> str:
    """Every scoring entry, one row each, so totals can be checked anywhere."""
    rows: list[list[object]] = [["date", "person", "level", "points", "reason", "session"]]
    rows += [[m.date, m.person, m.level, m.points, m.reason, m.session_id] for m in moments(ledger, group_id, tz=tz)]
    return csv_text(rows)
