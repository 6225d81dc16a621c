"""Session notes for after the circle: Markdown to paste, JSON and CSV to process.

Everything here is folded from the event log, so a session still running
exports the notes so far. Only timings, attendance and the facilitator's own
notes exist to be exported: nobody's share is ever recorded.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from circle.durations import format_duration
from circle.engine import Event, State, fold, person_totals

FORMATS = ("md", "json", "csv")


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


def to_markdown(state: State, tz: tzinfo | None = None) -> str:
    protocol = state.protocol
    assert protocol is not None and state.created_at is not None
    end = state.ended_at or state.last_at or state.created_at
    lines = [
        f"# {protocol.title}",
        "",
        f"- **When:** {_when(state.created_at, tz)} to {_when(end, tz, '%H:%M')} "
        f"({format_duration(end - state.created_at)}, {_status(state)})",
        f"- **Protocol:** `{protocol.id}`" + (f" ({protocol.family})" if protocol.family else ""),
        f"- **Present:** {', '.join(p.name for p in state.people.values())}",
    ]
    joined_late = [pid for pid, at in state.joined.items() if at > state.created_at]
    if joined_late:
        lines.append(
            "- **Joined late:** "
            + ", ".join(f"{state.name(pid)} ({_when(state.joined[pid], tz, '%H:%M')})" for pid in joined_late)
        )
    if state.left:
        lines.append(
            "- **Left early:** "
            + ", ".join(f"{state.name(pid)} ({_when(at, tz, '%H:%M')})" for pid, at in state.left.items())
        )
    lines += ["", "## Steps", "", "| # | Step | Kind | Planned | Actual |", "|---|---|---|---|---|"]
    for run in state.runs:
        note = " (skipped)" if run.skipped else ""
        lines.append(
            f"| {run.index + 1} | {run.step.title}{note} | {run.step.kind} | "
            f"{format_duration(run.planned)} | {format_duration(run.actual)} |"
        )
    not_run = len(protocol.steps) - len({run.index for run in state.runs})
    if not_run > 0 and state.ended:
        lines += ["", f"_{not_run} step(s) were not reached._"]
    for i, run in enumerate(state.runs):
        turns = _turns(state, i)
        if not turns:
            continue
        lines += ["", f"### {run.index + 1}. {run.step.title}", ""]
        lines += ["| Who | Time | Planned | Overtime | |", "|---|---|---|---|---|"]
        for turn in turns:
            over = format_duration(turn.overtime) if turn.overtime >= 1 else ""
            lines.append(
                f"| {turn.who} | {format_duration(turn.actual)} | {format_duration(turn.planned)} "
                f"| {over} | {turn.status} |"
            )
    totals = [t for t in person_totals(state) if t.turns or t.passes]
    if totals:
        lines += ["", "## Speaking time", "", "| Person | Spoke | Turns | Passes | Overtime |"]
        lines.append("|---|---|---|---|---|")
        for t in totals:
            lines.append(
                f"| {t.person.name} | {format_duration(t.spoken)} | {t.turns} | {t.passes} "
                f"| {format_duration(t.overtime) if t.overtime >= 1 else ''} |"
            )
    lines += ["", "## Facilitator notes", ""]
    if state.notes:
        for note in state.notes:
            where = ""
            if note.step is not None:
                where = protocol.steps[note.step].title + (f", {note.speaker}'s turn" if note.speaker else "")
            lines.append(f"- {_when(note.at, tz, '%H:%M')}" + (f" ({where})" if where else "") + f": {note.text}")
    else:
        lines.append("_No notes were taken._")
    lines += ["", "_Timings, attendance and the facilitator's notes only; what people shared stays in the room._", ""]
    return "\n".join(lines)


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
    raise ValueError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")


UTC = UTC
