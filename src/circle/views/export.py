"""Session notes for after the circle: Markdown to paste, chat text, HTML to print, JSON and CSV to process.

Each format renders the one session report (:mod:`circle.views.report`), so the
figures in every file are the figures on the summary screen. Only timings,
attendance, points and the facilitator's own notes exist to be exported:
nobody's share is ever recorded.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, tzinfo

from circle.core import markdown as md
from circle.core.csv_text import csv_text
from circle.core.errors import InputError
from circle.engine import Event
from circle.games.reciprocity.scoring import ScoringRules
from circle.views.chat import to_text
from circle.views.report import PRIVACY, SessionReport, Table, from_events
from circle.views.sections import sections

FORMATS = ("md", "json", "csv", "html", "text")


def to_markdown(report: SessionReport) -> str:
    """Notes to paste into a forum; every name, title and note escaped, so it shows as typed."""
    lines = [f"# {md.heading(report.title)}", ""]
    lines += [f"- **{k}:** {md.inline(v)}" for k, v in report.facts()]
    for section in sections(report):
        lines += ["", f"{'#' * section.level} {md.heading(section.title)}", ""]
        for n, item in enumerate(section.body):
            if n and (isinstance(item, Table) or isinstance(section.body[n - 1], Table)):
                lines.append("")  # a table stands apart, or Markdown runs it into what is next to it
            if isinstance(item, Table):
                lines += md.table(item.headers, item.rows)
            elif item.startswith("- "):
                lines.append(f"- {md.inline(item[2:])}")
            else:
                lines.append(f"_{md.inline(item)}_")
    lines += ["", f"_{PRIVACY}_", ""]
    return "\n".join(lines)


HTML_STYLE = """
body { font: 11pt/1.45 system-ui, sans-serif; max-width: 46em; margin: 2em auto; color: #111; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; padding: .2em .6em; border-bottom: 1px solid #ddd; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; } dt { font-weight: bold; }
.privacy { color: #555; font-style: italic; margin-top: 2em; }
@media print { body { margin: 0; } h2, h3 { break-after: avoid; } table { break-inside: avoid; } }
"""


def to_html(report: SessionReport) -> str:
    """A page to print and hand round."""
    e = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(report.title)}</title>',
        f"<style>{HTML_STYLE}</style></head><body>",
        f"<h1>{e(report.title)}</h1>",
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in report.facts()) + "</dl>",
    ]
    for section in sections(report):
        parts.append(f"<h{section.level}>{e(section.title)}</h{section.level}>")
        bullets: list[str] = []
        for item in section.body:
            if isinstance(item, str) and item.startswith("- "):
                bullets.append(item[2:])
                continue
            if bullets:
                parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in bullets) + "</ul>")
                bullets = []
            if isinstance(item, Table):
                head = "".join(f"<th>{e(h)}</th>" for h in item.headers)
                rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in item.rows)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            else:
                parts.append(f"<p><em>{e(item)}</em></p>")
        if bullets:
            parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in bullets) + "</ul>")
    parts += [f'<p class="privacy">{e(PRIVACY)}</p>', "</body></html>", ""]
    return "\n".join(parts)


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def to_dict(report: SessionReport, events: list[Event]) -> dict:
    return {
        "session": {
            "id": report.session_id,
            "protocol": report.protocol_id,
            "title": report.title,
            "started_at": report.started_at,
            "ended_at": report.ended_at if report.ended else None,
            "status": report.status,
            "time_zone": report.zone,
            "group": report.group,
        },
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "arrived_at": p.arrived,
                "left_at": p.left,
                "spoken_s": _s(p.time),
                "turns": p.turns,
                "passes": p.passes,
                "overtime_s": _s(p.overtime),
            }
            for p in report.people
        ],
        "absent": list(report.absent),
        "steps": [
            {
                "index": s.index,
                "title": s.title,
                "kind": s.kind,
                **({"day": report.days[s.day]} if report.days else {}),
                "status": s.status,
                "planned_s": s.planned,
                "replanned": [{"at": r.at, "seconds": r.seconds} for r in s.replans],
                "actual_s": _s(s.actual),
                "turns": [
                    {
                        "who": t.who,
                        "again": t.again,
                        "status": t.status,
                        "allowed_s": t.allowed,
                        "actual_s": _s(t.time),
                        "overtime_s": _s(t.overtime),
                    }
                    for t in s.turns
                ],
                **({"rounds": [[list(g) for g in r] for r in s.rounds]} if s.rounds else {}),
            }
            for s in report.steps
        ],
        "plan_changes": [
            {
                "at": c.at,
                "behind_s": _s(c.behind),
                "changes": [{"step": t, "from_s": a, "to_s": b} for t, a, b in c.changes],
            }
            for c in report.plan_changes
        ],
        "timeline": [{"at": m.at, "what": m.what} for m in report.timeline],
        "records": list(report.records),
        "notes": [{"at": n.at, "where": n.where, "text": n.text} for n in report.notes],
        "events": [{"id": e.id, "at": e.at, "kind": e.kind, "data": e.data} for e in events],
    }


# Which session each row is of (the full id: a prefix like "06026364" reads as a number), then its turn.
CSV_HEADERS = ["session_id", "session_title", "session_date", "step", "step_title", "kind", "step_status"] + [
    "who",
    "status",
    "allowed_s",
    "actual_s",
    "overtime_s",
]


def to_csv(report: SessionReport) -> str:
    """A row per turn (a step never begun: one row of its own)."""
    session = [report.session_id or "", report.title, report.date]
    rows: list[list[object]] = [list(CSV_HEADERS)]
    for s in report.steps:
        head = [*session, s.number, s.title, s.kind, s.status]
        if not s.turns:
            rows.append([*head, "", "", "", "", ""])
        for t in s.turns:
            rows.append([*head, t.label, t.status, t.allowed, round(t.time, 1), round(t.overtime, 1)])
    return csv_text(rows)


def render(report: SessionReport, fmt: str, events: list[Event] | None = None) -> str:
    if fmt == "md":
        return to_markdown(report)
    if fmt == "json":
        return json.dumps(to_dict(report, events or []), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "text":
        return to_text(report)
    raise InputError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")


def export(
    events: list[Event],
    fmt: str = "md",
    tz: tzinfo | None = None,
    now: float | None = None,
    rules: ScoringRules | None = None,
    points: tuple[str, ...] = (),
) -> str:
    """Notes in ``fmt``; ``now`` counts a turn still running up to that moment; ``points`` see report.build."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    return render(from_events(events, now, tz, rules, points), fmt, events)


UTC = UTC
