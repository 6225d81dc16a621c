"""Session notes for after the circle: Markdown to paste, JSON and CSV to process.

Everything here is folded from the event log, so a session still running
exports the notes so far. Only timings, attendance and the facilitator's own
notes exist to be exported: nobody's share is ever recorded.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from circle.durations import format_duration
from circle.engine import Event, State, fold, person_totals
from circle.openspace import KINDS as OPEN_SPACE_KINDS
from circle.openspace import fold_market

FORMATS = ("md", "json", "csv", "html")


@dataclass(frozen=True)
class Turn:
    who: str
    status: str
    planned: int
    actual: float

    @property
    def overtime(self) -> float:
        return max(0.0, self.actual - self.planned) if self.status == "done" else 0.0


def _turns(state: State, run_index: int) -> list[Turn]:
    """Every turn of a step; one never reached says so rather than vanishing."""
    waiting = "not reached" if state.ended else "to go"
    return [
        Turn(s.label, waiting if s.status == "todo" else s.status, s.allotted, s.spent)
        for s in state.runs[run_index].slots
    ]


def _when(at: float, tz: tzinfo | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(at, tz or datetime.now().astimezone().tzinfo).strftime(fmt)


def _status(state: State) -> str:
    return "ended" if state.ended else "still running"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    title: str
    level: int  # 2 for a section, 3 for a step's turns
    body: list[str | Table]  # paragraphs, bullet lists (list items start with "- "), tables


PRIVACY = "Timings, attendance and the facilitator's notes only; what people shared stays in the room."


def _facts(state: State, tz: tzinfo | None) -> list[tuple[str, str]]:
    protocol = state.protocol
    assert protocol is not None and state.created_at is not None
    end = state.ended_at or state.last_at or state.created_at
    facts = [
        (
            "When",
            f"{_when(state.created_at, tz)} to {_when(end, tz, '%H:%M')} "
            f"({format_duration(end - state.created_at)}, {_status(state)})",
        ),
        ("Protocol", f"{protocol.id}" + (f" ({protocol.family})" if protocol.family else "")),
        ("Present", ", ".join(p.name for p in state.people.values() if p.id not in state.absent)),
    ]
    if state.group:
        away = [state.name(pid) for pid in state.absent]
        facts.append(("Group", state.group["name"] + (f"; absent: {', '.join(away)}" if away else "")))
    late = [pid for pid, at in state.joined.items() if at > state.created_at]
    if late:
        facts.append(
            ("Joined late", ", ".join(f"{state.name(p)} ({_when(state.joined[p], tz, '%H:%M')})" for p in late))
        )
    if state.left:
        facts.append(
            ("Left early", ", ".join(f"{state.name(p)} ({_when(at, tz, '%H:%M')})" for p, at in state.left.items()))
        )
    return facts


def sections(state: State, tz: tzinfo | None = None) -> list[Section]:
    """The session report as format-free sections, rendered as Markdown or HTML."""
    protocol = state.protocol
    assert protocol is not None
    out = []
    steps = Table(
        ["#", "Step", "Kind", "Planned", "Actual"],
        [
            [
                str(run.index + 1),
                run.step.title + (" (skipped)" if run.skipped else ""),
                run.step.kind,
                format_duration(run.planned),
                format_duration(run.actual),
            ]
            for run in state.runs
        ],
    )
    body: list[str | Table] = [steps]
    not_run = len(protocol.steps) - len({run.index for run in state.runs})
    if not_run > 0 and state.ended:
        body.append(f"{not_run} step(s) were not reached.")
    out.append(Section("Steps", 2, body))
    for i, run in enumerate(state.runs):
        turns = _turns(state, i)
        if not turns:
            continue
        rows = [
            [
                t.who,
                format_duration(t.actual),
                format_duration(t.planned),
                format_duration(t.overtime) if t.overtime >= 1 else "",
                t.status,
            ]
            for t in turns
        ]
        body = [Table(["Who", "Time", "Planned", "Overtime", ""], rows)]
        body += _breakout(state, run)
        out.append(Section(f"{run.index + 1}. {run.step.title}", 3, body))
    totals = [t for t in person_totals(state) if t.turns or t.passes]
    if totals:
        rows = [
            [
                t.person.name,
                format_duration(t.spoken),
                str(t.turns),
                str(t.passes),
                format_duration(t.overtime) if t.overtime >= 1 else "",
            ]
            for t in totals
        ]
        out.append(Section("Speaking time", 2, [Table(["Person", "Spoke", "Turns", "Passes", "Overtime"], rows)]))
    out += _open_space(state)
    notes: list[str | Table] = []
    for note in state.notes:
        where = ""
        if note.step is not None:
            where = protocol.steps[note.step].title + (f", {note.speaker}'s turn" if note.speaker else "")
        notes.append(f"- {_when(note.at, tz, '%H:%M')}" + (f" ({where})" if where else "") + f": {note.text}")
    out.append(Section("Facilitator notes", 2, notes or ["No notes were taken."]))
    return out


def _breakout(state: State, run) -> list[str | Table]:
    """Who sat together in each round of a breakout that was begun (who met whom is history)."""
    begun = [slot.status == "done" or slot.spent > 0 for slot in run.slots]
    rows = [
        [str(r), " · ".join(", ".join(state.name(pid) for pid in group) for group in groups)]
        for r, groups in enumerate(run.rounds, start=1)
        if r <= len(begun) and begun[r - 1]
    ]
    if not rows:
        return []
    again = "no one met anyone twice" if run.repeats == 0 else f"{run.repeats} repeat meeting(s)"
    return [Table(["Round", "Who sat together"], rows), again]


def _open_space(state: State) -> list[Section]:
    """The grid, the harvest and the projects, when the session held an open space."""
    market = fold_market(state.records_of(OPEN_SPACE_KINDS))
    if not market.proposals:
        return []
    out = []
    if market.slots and market.spaces:
        rows = []
        for i, slot in enumerate(market.slots):
            cells = []
            for j in range(len(market.spaces)):
                p = market.at(i, j)
                cells.append(f"{p.title} ({p.convenor}, {len(market.attendees(p.id))} signed up)" if p else "")
            rows.append([slot, *cells])
        out.append(Section("Open space", 2, [Table(["", *(s.name for s in market.spaces)], rows)]))
    waiting = [p.title for p in market.proposals.values() if not p.placed]
    if waiting:
        out.append(Section("Not placed", 3, [f"- {title}" for title in waiting]))
    harvest = [f"- {p.title}: {note}" for p in market.ranked() for note in market.harvest.get(p.id, [])]
    if harvest:
        out.append(Section("Harvest", 2, harvest))
    if market.projects:
        rows = [
            [p.name, p.convenor, ", ".join(p.supporters), p.needed, p.offered, p.next_step, p.date, p.crew or ""]
            for p in market.projects.values()
        ]
        headers = ["Project", "Convenor", "Supporters", "Needed", "Offered", "Next step", "By", "Crew"]
        out.append(Section("Projects", 2, [Table(headers, rows)]))
    return out


def to_markdown(state: State, tz: tzinfo | None = None) -> str:
    assert state.protocol is not None
    lines = [f"# {state.protocol.title}", ""]
    lines += [f"- **{k}:** {v}" for k, v in _facts(state, tz)]
    for section in sections(state, tz):
        lines += ["", f"{'#' * section.level} {section.title}", ""]
        for n, item in enumerate(section.body):
            if n and (isinstance(item, Table) or isinstance(section.body[n - 1], Table)):
                lines.append("")  # a table stands apart, or Markdown runs it into what is next to it
            if isinstance(item, Table):
                lines.append("| " + " | ".join(item.headers) + " |")
                lines.append("|" + "---|" * len(item.headers))
                lines += ["| " + " | ".join(row) + " |" for row in item.rows]
            elif item.startswith("- "):
                lines.append(item)
            else:
                lines.append(f"_{item}_")
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


def to_html(state: State, tz: tzinfo | None = None) -> str:
    """A page to print and hand round."""
    assert state.protocol is not None
    e = html.escape
    parts = [
        "<!doctype html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{e(state.protocol.title)}</title>',
        f"<style>{HTML_STYLE}</style></head><body>",
        f"<h1>{e(state.protocol.title)}</h1>",
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _facts(state, tz)) + "</dl>",
    ]
    for section in sections(state, tz):
        parts.append(f"<h{section.level}>{e(section.title)}</h{section.level}>")
        bullets = [item[2:] for item in section.body if isinstance(item, str) and item.startswith("- ")]
        for item in section.body:
            if isinstance(item, Table):
                head = "".join(f"<th>{e(h)}</th>" for h in item.headers)
                rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in item.rows)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif not item.startswith("- "):
                parts.append(f"<p><em>{e(item)}</em></p>")
        if bullets:
            parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in bullets) + "</ul>")
    parts += [f'<p class="privacy">{e(PRIVACY)}</p>', "</body></html>", ""]
    return "\n".join(parts)


def to_dict(state: State, events: list[Event]) -> dict:
    protocol = state.protocol
    assert protocol is not None
    return {
        "session": {
            "id": state.session_id,
            "protocol": protocol.id,
            "title": protocol.title,
            "started_at": state.created_at,
            "ended_at": state.ended_at,
            "status": _status(state),
        },
        "people": [
            {"id": p.id, "name": p.name, "joined_at": state.joined.get(p.id), "left_at": state.left.get(p.id)}
            for p in state.people.values()
        ],
        "steps": [
            {
                "index": run.index,
                "title": run.step.title,
                "kind": run.step.kind,
                "planned_s": run.planned,
                "actual_s": round(run.actual, 3),
                "skipped": run.skipped,
                "turns": [
                    {
                        "who": t.who,
                        "status": t.status,
                        "planned_s": t.planned,
                        "actual_s": round(t.actual, 3),
                        "overtime_s": round(t.overtime, 3),
                    }
                    for t in _turns(state, i)
                ],
            }
            for i, run in enumerate(state.runs)
        ],
        "totals": [
            {
                "person": t.person.name,
                "spoken_s": round(t.spoken, 3),
                "turns": t.turns,
                "passes": t.passes,
                "overtime_s": round(t.overtime, 3),
            }
            for t in person_totals(state)
        ],
        "notes": [{"at": n.at, "text": n.text} for n in state.notes],
        "events": [{"id": e.id, "at": e.at, "kind": e.kind, "data": e.data} for e in events],
    }


def to_csv(state: State) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["step", "step_title", "kind", "who", "status", "planned_s", "actual_s", "overtime_s"])
    for i, run in enumerate(state.runs):
        for t in _turns(state, i):
            writer.writerow(
                [
                    run.index + 1,
                    run.step.title,
                    run.step.kind,
                    t.who,
                    t.status,
                    t.planned,
                    round(t.actual, 1),
                    round(t.overtime, 1),
                ]
            )
    return out.getvalue()


def export(events: list[Event], fmt: str = "md", tz: tzinfo | None = None, now: float | None = None) -> str:
    """Notes in ``fmt``; ``now`` counts a turn still running up to that moment."""
    state = fold(events)
    if state.protocol is None:
        raise ValueError("this session has no events to export")
    slot = state.current
    if now is not None and slot is not None and state.running_since is not None:
        slot.spent += max(0.0, now - state.running_since)
        state.running_since = now
    if fmt == "md":
        return to_markdown(state, tz)
    if fmt == "json":
        return json.dumps(to_dict(state, events), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return to_csv(state)
    if fmt == "html":
        return to_html(state, tz)
    raise ValueError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")


UTC = UTC
