"""The ledger as text for the terminal, Markdown to paste, CSV to process."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import tzinfo

from circle.ledger import Ledger, sparkline
from circle.localtime import moment
from circle.scoring import ScoringRules


@dataclass(frozen=True)
class Row:
    name: str
    total: int
    levels: dict[int, int]
    trend: str


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


TREND_MONTHS = 24  # the sparkline shows the last two years


def report(ledger: Ledger, group: dict | None = None, tz: tzinfo | None = None) -> Report:
    """What the ledger says, for everyone or for one group ({"id", "name"})."""
    group_id = group["id"] if group else None
    totals, per_person = ledger.summary(group_id, tz)  # one pass over the entries serves every view below
    totals_by_month: dict[str, int] = {}
    for months_of_person in per_person.values():
        for month, points in months_of_person.items():
            totals_by_month[month] = totals_by_month.get(month, 0) + points
    months = sorted(totals_by_month)
    recent = months[-TREND_MONTHS:]
    rows = []
    for person, levels in totals.items():
        monthly = per_person.get(person, {})
        trend = sparkline(monthly.get(m, 0) for m in recent)
        rows.append(Row(ledger.names.get(person, "?"), sum(levels.values()), levels, trend))
    rows.sort(key=lambda r: (-r.total, r.name.casefold()))
    meetings, streak, misses = [], None, {}
    if group_id is not None:
        for m in ledger.meetings.get(group_id, []):
            when = moment(m.at, tz).strftime("%Y-%m-%d")
            away = ", ".join(sorted(ledger.names.get(p, "?") for p in m.absent))
            meetings.append(f"{when}  meeting {m.nth}: {len(m.present)} came" + (f"; missed: {away}" if away else ""))
        streak = ledger.streak(group_id, tz)
        misses = {ledger.names.get(p, "?"): n for p, n in ledger.misses(group_id).items()}
    conflicts = [
        f"{' & '.join(ledger.names.get(p, '?') for p in c.between)}: {c.label or 'no label'}"
        for c in ledger.open_conflicts(group_id)
    ]
    title = f"Ledger: {group['name']}" if group else "Ledger: everyone"
    return Report(title, rows, months, meetings, streak, misses, conflicts, [totals_by_month[m] for m in months])


def as_text(rep: Report, rules: ScoringRules) -> str:
    names = rules.names
    header = ["person", "total", *(f"L{n} {names[n]}" for n in range(1, 6)), "by month"]
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
        lines.append(f"{'':{widths[0]}}  months {rep.months[0]} to {rep.months[-1]}")
    lines += _tail(rep)
    return "\n".join(lines) + "\n"


def _tail(rep: Report, bullet: str = "") -> list[str]:
    lines = []
    if rep.streak is not None:
        lines += ["", f"Meetings (streak: {rep.streak} month{'s' if rep.streak != 1 else ''} in a row)"]
        lines += [f"{bullet}{m}" for m in rep.meetings] or [f"{bullet}none yet"]
        if rep.misses:
            lines.append("Misses: " + ", ".join(f"{n} {c}" for n, c in sorted(rep.misses.items())))
    lines += ["", "Open conflicts"] + ([f"{bullet}{c}" for c in rep.open_conflicts] or [f"{bullet}none"])
    return lines


def as_markdown(rep: Report, rules: ScoringRules) -> str:
    names = rules.names
    lines = [f"# {rep.title}", ""]
    lines.append("| Person | Total | " + " | ".join(f"L{n} {names[n]}" for n in range(1, 6)) + " | By month |")
    lines.append("|---|---:|" + "---:|" * 5 + "---|")
    for r in rep.rows:
        levels = " | ".join(str(r.levels[n]) for n in range(1, 6))
        lines.append(f"| {r.name} | {r.total} | {levels} | `{r.trend}` |")
    if rep.months:
        lines += ["", f"_Months {rep.months[0]} to {rep.months[-1]}._"]
    lines += [
        line.replace("Meetings", "## Meetings").replace("Open conflicts", "## Open conflicts")
        if line.startswith(("Meetings", "Open conflicts"))
        else line
        for line in _tail(rep, "- ")
    ]
    return "\n".join(lines) + "\n"


def as_csv(ledger: Ledger, group_id: str | None = None, tz: tzinfo | None = None) -> str:
    """Every scoring entry, one row each, so totals can be checked anywhere."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "person", "level", "points", "reason", "session"])
    for e in sorted(ledger.for_group(group_id), key=lambda e: (e.at, ledger.names.get(e.person, ""))):
        when = moment(e.at, tz).strftime("%Y-%m-%d")
        writer.writerow([when, ledger.names.get(e.person, "?"), e.level, e.points, e.reason, e.session[:8]])
    return out.getvalue()
