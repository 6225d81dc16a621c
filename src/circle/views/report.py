"""The session report: every figure a person reads about a session, folded once from its events.

The summary screen and the Markdown, HTML, JSON and CSV exports all render this
one object; none of them works out a figure of its own, so they cannot disagree.
What it decides, once for all of them:

- **Every step** of the protocol is listed, with its status: done, skipped,
  under way, ended early (under way when the session ended), to come, or not
  reached. Each has its first plan, every accepted rebalance that changed it
  (with when), and what it actually ran.
- **A person's time** is every second the clock ran on their turns, however each
  ended: a pass after a few seconds shows those seconds in the turn's row and in
  the person's total alike. Turns counts the turns they took (done, or cut short
  by the end), passes the passes; overtime is time past what a turn was allowed.
- **Everyone who was in the room** is listed, with when they arrived late or
  left early, even with no time of their own; members of the group who did not
  come are listed as absent.
- **Lists of moments run oldest first** (the timeline, the notes, the points).
- **Times are local** to the moment they name, in the zone the report names; a
  time on another day than the session began carries its date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Literal

from circle.core.durations import format_duration
from circle.core.errors import CircleError
from circle.core.localtime import clock_time, date_time, moment, zone_name
from circle.engine import Event, Slot, State, StepRun, fold
from circle.games.openspace import KINDS as OPEN_SPACE_KINDS
from circle.games.openspace import Market, fold_market
from circle.games.reciprocity.scoring import ScoringRules
from circle.protocol.models import planned_step_seconds

PRIVACY = "Timings, attendance and the facilitator's notes only; what people shared stays in the room."

# The words a turn's row and a step's row give their status in, on screen and in every export.
TurnStatus = Literal["done", "passed", "left", "skipped", "ended", "now", "to come", "not reached"]
StepStatus = Literal["done", "skipped", "under way", "ended early", "to come", "not reached"]


@dataclass(frozen=True)
class TurnRow:
    who: str
    status: TurnStatus
    allowed: int  # seconds it had, with every + and -
    time: float  # seconds the clock ran on it
    person_id: str | None = None
    again: bool = False  # the round came back to someone who passed

    @property
    def overtime(self) -> float:
        return max(0.0, self.time - self.allowed)

    @property
    def label(self) -> str:
        return f"{self.who} (again)" if self.again else self.who


@dataclass(frozen=True)
class Replanned:
    at: float
    seconds: int


@dataclass(frozen=True)
class StepRow:
    index: int
    title: str
    kind: str
    day: int
    status: StepStatus
    planned: int  # the length first planned (a round: its turns for the room when it began)
    replans: tuple[Replanned, ...]  # every accepted rebalance that changed it, oldest first
    actual: float
    turns: tuple[TurnRow, ...] = ()
    rounds: tuple[tuple[tuple[str, ...], ...], ...] = ()  # a breakout: who sat together, each round begun
    repeats: int = 0

    @property
    def replanned(self) -> int | None:
        """Its length after the last rebalance that changed it."""
        return self.replans[-1].seconds if self.replans else None

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    time: float
    turns: int
    passes: int
    overtime: float
    arrived: float | None = None  # when they joined, if after the start
    left: float | None = None  # when they left, if before the end


@dataclass(frozen=True)
class PlanChange:
    at: float
    behind: float | None
    changes: tuple[tuple[str, int, int], ...]  # (step title, length before, length after)


@dataclass(frozen=True)
class NoteRow:
    at: float
    text: str
    where: str  # the step, and whose turn it was


@dataclass(frozen=True)
class Moment:
    at: float
    what: str


@dataclass(frozen=True)
class SessionReport:
    session_id: str | None
    title: str
    protocol_id: str
    family: str
    ended: bool
    started_at: float
    ended_at: float  # when it ended; still running: the last moment counted
    tz: tzinfo | None
    people: tuple[PersonRow, ...]
    absent: tuple[str, ...]
    group: str | None
    steps: tuple[StepRow, ...]
    plan_changes: tuple[PlanChange, ...]
    notes: tuple[NoteRow, ...]
    timeline: tuple[Moment, ...]
    records: tuple[str, ...]  # Reciprocity Game moments, with their points
    days: tuple[str, ...] = ()  # a multi-day agenda's days, by title
    market: Market | None = field(default=None, compare=False)

    # -- words and numbers, formatted once for every view -------------------------------
    @property
    def status(self) -> str:
        return "ended" if self.ended else "still running"

    @property
    def zone(self) -> str:
        return zone_name(self.tz, self.started_at)

    def time(self, at: float) -> str:
        """A moment of the session as "HH:MM" (with its date on another day than the start)."""
        return clock_time(at, self.tz, day_of=self.started_at)

    @property
    def date(self) -> str:
        """The day it began, "YYYY-MM-DD", local to that moment."""
        return moment(self.started_at, self.tz).date().isoformat()

    @property
    def when(self) -> str:
        return (
            f"{date_time(self.started_at, self.tz)} to {self.time(self.ended_at)} "
            f"({format_duration(self.ended_at - self.started_at)}, {self.status})"
        )

    def here(self, person: PersonRow) -> str:
        """When someone was in the room, if not the whole session."""
        parts = []
        if person.arrived is not None:
            parts.append(f"arrived {self.time(person.arrived)}")
        if person.left is not None:
            parts.append(f"left {self.time(person.left)}")
        return ", ".join(parts)

    @property
    def replanned(self) -> bool:
        return bool(self.plan_changes)

    @property
    def not_reached(self) -> int:
        return sum(1 for s in self.steps if s.status == "not reached")

    def facts(self) -> list[tuple[str, str]]:
        facts = [
            ("When", self.when),
            ("Times", self.zone),
            ("Protocol", self.protocol_id + (f" ({self.family})" if self.family else "")),
            ("Present", ", ".join(p.name + (f" ({self.here(p)})" if self.here(p) else "") for p in self.people)),
        ]
        if self.group:
            facts.append(("Group", self.group + (f"; absent: {', '.join(self.absent)}" if self.absent else "")))
        return facts

    def step_table(self) -> Table:
        days = len(self.days) > 1
        headers = ["#", *(["Day"] if days else []), "Step", "Kind", "Planned"]
        headers += ["Replanned"] if self.replanned else []
        headers += ["Actual", ""]
        rows = []
        for s in self.steps:
            row = [str(s.number), *([self.days[s.day]] if days else []), s.title, s.kind, format_duration(s.planned)]
            if self.replanned:
                row.append(self.replanned_text(s))
            row += [self.actual_text(s), s.status]
            rows.append(row)
        return Table(headers, rows)

    def replanned_text(self, step: StepRow) -> str:
        return ", ".join(f"{format_duration(r.seconds)} ({self.time(r.at)})" for r in step.replans)

    @staticmethod
    def actual_text(step: StepRow) -> str:
        return "" if step.status in ("to come", "not reached") else format_duration(step.actual)

    def step_line(self, step: StepRow) -> str:
        """A step's figures in a sentence, the same as its row in the step table."""
        parts = [f"Planned {format_duration(step.planned)}"]
        parts += [f"replanned to {format_duration(r.seconds)} at {self.time(r.at)}" for r in step.replans]
        if self.actual_text(step):
            parts.append(f"ran {self.actual_text(step)}")
        return "; ".join(parts) + f"; {step.status}."

    @staticmethod
    def turn_table(step: StepRow) -> Table:
        rows = [
            [
                t.label,
                format_duration(t.time),
                format_duration(t.allowed),
                format_duration(t.overtime) if t.overtime >= 1 else "",
                t.status,
            ]
            for t in step.turns
        ]
        return Table(["Who", "Time", "Allowed", "Overtime", ""], rows)

    @property
    def turns_taken(self) -> bool:
        """Whether anyone had a turn of their own (an agenda of open blocks has none)."""
        return any(t.person_id is not None for s in self.steps for t in s.turns)

    @property
    def people_title(self) -> str:
        return "Speaking time" if self.turns_taken else "In the room"

    def people_table(self) -> Table:
        """Everyone who was in the room; with their figures when anyone had a turn of their own."""
        if not self.turns_taken:
            return Table(["Person", "Here"], [[p.name, self.here(p)] for p in self.people])
        rows = [
            [
                p.name,
                format_duration(p.time),
                str(p.turns),
                str(p.passes),
                format_duration(p.overtime) if p.overtime >= 1 else "",
                self.here(p),
            ]
            for p in self.people
        ]
        return Table(["Person", "Time", "Turns", "Passes", "Overtime", "Here"], rows)

    def plan_lines(self) -> list[str]:
        lines = []
        for change in self.plan_changes:
            how = ", ".join(f"{t} {format_duration(a)} → {format_duration(b)}" for t, a, b in change.changes)
            behind = f" ({int(change.behind // 60)} min behind)" if change.behind and change.behind >= 60 else ""
            lines.append(f"{self.time(change.at)}{behind}: {how}")
        return lines

    def timeline_lines(self) -> list[str]:
        return [f"{self.time(m.at)} {m.what}" for m in self.timeline]

    def note_lines(self) -> list[str]:
        return [f"{self.time(n.at)}" + (f" ({n.where})" if n.where else "") + f": {n.text}" for n in self.notes]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]

    def column(self, header: str) -> list[str]:
        i = self.headers.index(header)
        return [row[i] for row in self.rows]


# -- building it ----------------------------------------------------------------------


def slot_time(state: State, slot: Slot, now: float | None) -> float:
    """Seconds the clock has run on a turn, counting one still running up to ``now``."""
    if now is not None and slot is state.current and state.running_since is not None:
        return slot.spent + max(0.0, now - state.running_since)
    return slot.spent


# A slot's status in the engine is its turn row's, but for "todo": to come, or not reached.
def _turn_status(state: State, run: StepRun, slot: Slot) -> TurnStatus:
    if slot.status == "todo":
        return "not reached" if state.ended else "to come"
    return slot.status  # the engine's other words are the report's


def _step_status(state: State, run: StepRun | None) -> StepStatus:
    if run is None:
        return "not reached" if state.ended else "to come"
    if run.skipped:
        return "skipped"
    if run.cut_short:  # under way when the session ended; one whose clock never ran was not reached
        return "ended early" if run.actual > 0 else "not reached"
    if run.ended_at is None:
        return "under way"
    return "done"


def _queue_rows(state: State, run: StepRun, now: float | None) -> Iterable[TurnRow]:
    """The turns people were called to from a speaking queue (a direct response says so)."""
    assert run.queue is not None
    for turn in run.queue.turns:
        time = state.turn_elapsed(turn, now) if now is not None and turn.since is not None else turn.spent
        who = state.name(turn.person) + (" (responds)" if turn.respond else "")
        status: TurnStatus = "to come" if turn.status == "todo" else turn.status
        yield TurnRow(who, status, turn.allotted, time, turn.person)


def _breakout_rounds(state: State, run: StepRun) -> tuple[tuple[tuple[str, ...], ...], ...]:
    # As circle.engine.met_in has it: a round is history once it has had time, or its clock runs.
    running = state.current if state.running else None
    begun = [slot.status in ("done", "ended") or slot.spent > 0 or slot is running for slot in run.slots]
    return tuple(
        tuple(tuple(state.name(pid) for pid in group) for group in groups if group)
        for r, groups in enumerate(run.rounds)
        if r < len(begun) and begun[r]
    )


def build(
    state: State,
    now: float | None = None,
    tz: tzinfo | None = None,
    rules: ScoringRules | None = None,
    points: Iterable[str] = (),
):
    """The report of a session as it stands at ``now`` (a turn still running counts up to it).

    ``points`` are what the ledger says the session scored as a meeting of its group
    (:meth:`circle.games.reciprocity.ledger.Ledger.meeting_lines`): that takes every earlier meeting to know.
    """
    protocol = state.protocol
    if protocol is None or state.created_at is None:
        raise CircleError("this session has no events to report")
    runs = {run.index: run for run in state.runs}
    people_at_end = len(state.present)
    replans: dict[int, list[Replanned]] = {}
    for replan in state.replans:
        for index, (_, after) in replan.lengths.items():
            replans.setdefault(index, []).append(Replanned(replan.at, after))
    spans = protocol.days
    day_of = {i: span.number for span in spans for i in range(span.first, span.end)}

    steps = []
    for index, step in enumerate(protocol.steps):
        run = runs.get(index)
        turns: tuple[TurnRow, ...] = ()
        if run is not None:
            turns = tuple(
                TurnRow(s.label, _turn_status(state, run, s), s.allotted, slot_time(state, s, now), s.speaker, s.again)
                for s in run.slots
            )
        actual = sum(t.time for t in turns)
        if run is not None and run.queue is not None:  # the block's time; its turns are the people called
            turns = tuple(_queue_rows(state, run, now))
        steps.append(
            StepRow(
                index,
                step.title,
                step.kind,
                day_of[index],
                _step_status(state, run),
                run.planned if run is not None else planned_step_seconds(step, people_at_end),
                tuple(replans.get(index, ())),
                actual,
                turns,
                _breakout_rounds(state, run) if run is not None and run.rounds else (),
                run.repeats if run is not None else 0,
            )
        )

    mine: dict[str, list[TurnRow]] = {}
    for row in steps:
        for turn in row.turns:
            if turn.person_id is not None:
                mine.setdefault(turn.person_id, []).append(turn)
    came = [pid for pid in state.people if pid not in state.absent or pid in state.joined]
    people = tuple(
        PersonRow(
            pid,
            state.name(pid),
            time=sum(t.time for t in mine.get(pid, ())),
            turns=sum(1 for t in mine.get(pid, ()) if t.status in ("done", "ended")),
            passes=sum(1 for t in mine.get(pid, ()) if t.status == "passed"),
            overtime=sum(t.overtime for t in mine.get(pid, ())),
            arrived=state.joined[pid] if state.joined.get(pid, state.created_at) > state.created_at else None,
            left=state.left.get(pid),
        )
        for pid in came
    )
    absent = tuple(state.name(pid) for pid in state.absent if pid not in state.joined)

    titles = [s.title for s in protocol.steps]
    plan_changes = tuple(
        PlanChange(r.at, r.behind, tuple((titles[i], a, b) for i, (a, b) in sorted(r.lengths.items())))
        for r in state.replans
    )
    notes = tuple(
        NoteRow(
            n.at,
            n.text,
            (titles[n.step] + (f", {n.speaker}'s turn" if n.speaker else "")) if n.step is not None else "",
        )
        for n in state.notes
    )
    end = state.ended_at or max(filter(None, [now, state.last_at, state.created_at]))
    records: tuple[str, ...] = ()
    if protocol.reciprocity_level:
        from circle.games.reciprocity.scoring import load_rules
        from circle.views.live import record_lines

        records = tuple(record_lines(state, rules or load_rules()))
    records += tuple(points)
    market = fold_market(state.records_of(OPEN_SPACE_KINDS))
    return SessionReport(
        session_id=state.session_id,
        title=protocol.title,
        protocol_id=protocol.id,
        family=protocol.family,
        ended=state.ended,
        started_at=state.created_at,
        ended_at=end,
        tz=tz,
        people=people,
        absent=absent,
        group=state.group["name"] if state.group else None,
        steps=tuple(steps),
        plan_changes=plan_changes,
        notes=notes,
        timeline=tuple(_timeline(state, titles)),
        records=records,
        days=tuple(span.title for span in spans) if any(span.opened for span in spans) else (),
        market=market if market.proposals else None,
    )


def _timeline(state: State, titles: list[str]) -> Iterable[Moment]:
    """Who came and went, what was skipped and rebalanced, and the end, oldest first."""
    moments = [Moment(at, f"{state.name(pid)} {what}") for at, pid, what in state.comings]
    for run in state.runs:
        if run.skipped and run.ended_at is not None:
            moments.append(Moment(run.ended_at, f"{titles[run.index]} skipped"))
    for replan in state.replans:
        moments.append(Moment(replan.at, "plan rebalanced"))
    if state.ended_at is not None:
        moments.append(Moment(state.ended_at, "session ended"))
    return sorted(moments, key=lambda m: m.at)


def from_events(
    events: list[Event],
    now: float | None = None,
    tz: tzinfo | None = None,
    rules: ScoringRules | None = None,
    points: Iterable[str] = (),
) -> SessionReport:
    state = fold(events)
    if state.protocol is None:
        raise CircleError("this session has no events to export")
    return build(state, now, tz, rules, points)
