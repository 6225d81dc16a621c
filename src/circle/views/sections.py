"""The session report as format-free sections: what Markdown, HTML and the chat text each lay out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from circle.views.report import SessionReport, StepRow, Table


@dataclass(frozen=True)
class Section:
    title: str
    level: int  # 2 for a section, 3 for a step's turns
    body: Sequence[str | Table]  # paragraphs, bullet lists (list items start with "- "), tables


def sections(report: SessionReport) -> list[Section]:
    """The report as format-free sections, rendered as Markdown or HTML (the chat text takes the open space's)."""
    out = [Section("Steps", 2, [report.step_table()])]
    if report.plan_changes:
        out.append(Section("Plan changes", 2, [f"- {line}" for line in report.plan_lines()]))
    for step in report.steps:
        if step.turns:
            out.append(Section(f"{step.number}. {step.title}", 3, _step_body(report, step)))
    if report.people:
        out.append(Section(report.people_title, 2, [report.people_table()]))
    if shares := report.share_lines():
        out.append(Section("Who spoke how much", 2, [f"- {line}" for line in shares]))
    if report.timeline:
        out.append(Section("Timeline", 2, [f"- {line}" for line in report.timeline_lines()]))
    if report.records:
        out.append(Section("Points recorded", 2, [f"- {line}" for line in report.records]))
    out += open_space(report)
    notes = [f"- {line}" for line in report.note_lines()]
    out.append(Section("Facilitator notes", 2, [*notes] or ["No notes were taken."]))
    return out


def _step_body(report: SessionReport, step: StepRow) -> list[str | Table]:
    body: list[str | Table] = [report.step_line(step), report.turn_table(step)]
    if step.rounds:
        body += [rounds_table(step), repeats_line(step)]
    return body


def rounds_table(step: StepRow) -> Table:
    """Who sat together in each round of a breakout begun."""
    rows = [[str(r), " · ".join(", ".join(group) for group in groups)] for r, groups in enumerate(step.rounds, 1)]
    return Table(["Round", "Who sat together"], rows)


def repeats_line(step: StepRow) -> str:
    return "no one met anyone twice" if step.repeats == 0 else f"{step.repeats} repeat meeting(s)"


def open_space(report: SessionReport) -> list[Section]:
    """The grid, the harvest and the projects, when the session held an open space."""
    market = report.market
    if market is None:
        return []
    out = []
    if market.slots and market.spaces:
        rows = []
        for i, slot in enumerate(market.slots):
            cells = []
            for j, space in enumerate(market.spaces):
                p = market.at(i, j)
                cells.append(f"{p.title} ({p.convenor}, {len(market.attendees(p.id))}/{space.capacity})" if p else "")
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
