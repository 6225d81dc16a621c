"""Session notes for a group chat: plain lines, no tables, in messages a chat takes whole.

Discord draws no tables and takes 2,000 characters a message; WhatsApp and Signal show a
table's pipes as pipes. So this is lines that read as they are: a line per step with its
turns after it, a line per person, bullet lists, and no markup of our own (a leading "#" or ">"
would be a heading or a quote in Discord). Longer notes are split into messages numbered
"(1/3)", between lines (a section stays whole when it fits), each within the limit.

The figures are the session report's, in the words its tables and sentences give them; this
module only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable

from circle.views.report import PRIVACY, SessionReport, Table
from circle.views.sections import open_space, repeats_line, rounds_table

LIMIT = 2000  # Discord's limit for a message, the smallest of the chats people paste into
BULLET = "• "  # "- " or "* " starts a list in some chats and not others; a bullet reads alike in all
# Room for "(12/12) " at the start of a message, so the count can be added once it is known.
NUMBERING = len("(999/999) ")


def length(text: str) -> int:
    """Characters as a chat counts them: UTF-16 units, so an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


def blocks(report: SessionReport) -> list[list[str]]:
    """The notes as blocks of lines: each is kept in one message when it fits."""
    facts = [f"{key}: {value}" for key, value in report.facts()]
    out = [[report.title, *facts]]
    out += _steps(report)
    if report.turns_taken:  # otherwise the table is who was in the room: "Present" says it
        out.append([report.people_title, *(_person(row) for row in report.people_table().rows)])
    for title, items in (
        ("Plan changes", report.plan_lines()),
        ("Timeline", report.timeline_lines()),
        ("Points recorded", list(report.records)),
    ):
        if items:
            out.append([title, *(BULLET + item for item in items)])
    for section in open_space(report):
        lines = [section.title]
        for item in section.body:
            if isinstance(item, Table):
                lines += [_row(item.headers, row) for row in item.rows]
            else:
                lines.append(BULLET + item[2:] if item.startswith("- ") else item)
        out.append(lines)
    notes = [BULLET + line for line in report.note_lines()]
    out.append(["Facilitator notes", *notes] if notes else ["No notes were taken."])
    out.append([PRIVACY])
    return out


def _steps(report: SessionReport) -> list[list[str]]:
    out: list[list[str]] = []
    day = None
    for step in report.steps:
        lines = ["Steps"] if not out else []
        if len(report.days) > 1 and step.day != day:
            day = step.day
            lines.append(f"{report.days[day]}:")
        lines.append(f"{step.number}. {step.title} ({step.kind}): {report.step_line(step)}")
        if step.turns:
            lines.append(_turns(report.turn_table(step)))
        if step.rounds:
            lines += [f"Round {r}: {groups}" for r, groups in rounds_table(step).rows]
            lines.append(repeats_line(step).capitalize() + ".")
        out.append(lines)
    return out


def _turns(table: Table) -> str:
    """A step's turns on one line: "Turns of 3m: Ana 2m 50s · Ben 5s passed · Caro 3m 20s (20s over)"."""
    allowed = set(table.column("Allowed"))
    parts = []
    for who, time, of, over, status in table.rows:
        part = who
        if not (time == "0s" and status in ("to come", "not reached")):
            part += f" {time}"
        if len(allowed) > 1:
            part += f" of {of}"
        if over:
            part += f" ({over} over)"
        if status != "done":
            part += f" {status}"
        parts.append(part)
    lead = f"Turns of {allowed.pop()}: " if len(allowed) == 1 else "Turns: "
    return lead + " · ".join(parts)


def _person(row: list[str]) -> str:
    """A row of the speaking-time table as a line: "Ana 3m 45s, 2 turns, 1 pass, 30s over, arrived 18:01"."""
    name, time, turns, passes, over, here = row
    parts = [f"{name} {time}", f"{turns} turn{'' if turns == '1' else 's'}"]
    if passes != "0":
        parts.append(f"{passes} pass{'' if passes == '1' else 'es'}")
    parts += [f"{over} over"] if over else []
    parts += [here] if here else []
    return ", ".join(parts)


def _row(headers: list[str], row: list[str]) -> str:
    """A table's row as a line: its first cell, then each other one that says something, named."""
    rest = [f"{h}: {v}" if h else v for h, v in zip(headers[1:], row[1:], strict=True) if v]
    return " · ".join([row[0], *rest])


def messages(report: SessionReport, limit: int = LIMIT) -> list[str]:
    """The notes as chat messages, each at most ``limit`` characters, numbered "(1/3)" when more than one."""
    whole = "\n\n".join("\n".join(block) for block in blocks(report))
    if length(whole) <= limit:
        return [whole]
    packed = _pack(blocks(report), limit - NUMBERING)
    n = len(packed)
    return [f"({k}/{n}) {text}" for k, text in enumerate(packed, 1)]


def _pack(all_blocks: Iterable[list[str]], budget: int) -> list[str]:
    """Blocks into messages of at most ``budget``: a block whole where it fits, else line by line
    (a message that goes on with a block begins with its title, "Facilitator notes (continued)")."""
    done: list[str] = []
    current: list[str] = []  # the message being filled, as lines ("" between blocks)

    def size(lines: list[str]) -> int:
        return sum(length(line) for line in lines) + len(lines) - 1 if lines else 0

    for block in all_blocks:
        lines = [piece for line in block for piece in _wrap(line, budget)]
        if current and size([*current, "", *lines]) > budget and size(lines) <= budget:
            done.append("\n".join(current))  # the block fits a message of its own: it starts the next
            current = []
        gap = [""] if current else []
        for n, line in enumerate(lines):
            if current and size([*current, *gap, line]) > budget:
                carry = [f"{lines[0]} (continued)"] if n > 1 else []
                if n == 1 and len(current) > 1:  # a title alone at the end of a message goes on with its lines
                    carry = [current.pop()]
                    current = current[:-1] if current[-1] == "" else current
                done.append("\n".join(current))
                if n == 1 and carry and size([*carry, line]) > budget:
                    done.append(carry[0])  # the title, then its one long line: two messages
                current = carry if size([*carry, line]) <= budget else []
                gap = []
            current += [*gap, line]
            gap = []
    if current:
        done.append("\n".join(current))
    return done


def _wrap(line: str, budget: int) -> list[str]:
    """A line longer than a message (a long note), cut between words; a word longer still, anywhere."""
    pieces: list[str] = []
    while length(line) > budget:
        cut = budget  # a code point is one unit or two: the cut is at most this far in
        while length(line[:cut]) > budget:
            cut -= 1
        space = line.rfind(" ", 0, cut + 1)
        head, line = (line[:space], line[space + 1 :]) if space > 0 else (line[:cut], line[cut:])
        pieces.append(head)
    return [*pieces, line]


def to_text(report: SessionReport, limit: int = LIMIT) -> str:
    """The messages one after another, each after a line saying where the next one begins."""
    parts = messages(report, limit)
    out = parts[0]
    for k, text in enumerate(parts[1:], 2):
        out += f"\n\n--- {k}/{len(parts)} ---\n\n{text}"
    return out + "\n"
