"""The session engine: commands become events, and state is a fold over events.

Pure: no Textual, no SQLite, no wall clock. Time comes from an injected
:class:`~circle.core.clock.Clock`. A turn's time is the sum of its closed running
segments plus the open one (``now - running_since``), so pausing stops the clock
and nothing depends on counting ticks.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from circle.core.clock import Clock
from circle.core.errors import CircleError
from circle.core.events import Event, Person
from circle.core.names import NameProblem, clean_name, name_key
from circle.mixer import count_repeats, mix
from circle.protocol.models import (
    BlockStep,
    GroupsStep,
    OpenStep,
    PairsStep,
    Protocol,
    RoundStep,
    SilenceStep,
    Step,
    planned_step_seconds,
    warn_seconds,
)

ADJUST_STEP = 30  # seconds added or taken by + and -


class CommandRejected(Exception):
    """A command that makes no sense now; the message is shown to the facilitator."""


class RosterError(CircleError, ValueError):
    """The people given cannot form a session."""


@dataclass
class Slot:
    """One timed turn within a step: a person's turn, or a block for everyone."""

    label: str
    allotted: int
    warn: int
    speaker: str | None = None
    spent: float = 0.0
    status: str = "todo"  # todo | now | done | passed | left | skipped | ended (cut short by the end)
    again: bool = False  # the round came back to someone who passed (return_to_passed)


@dataclass
class StepRun:
    index: int
    step: Step
    slots: list[Slot]
    started_at: float
    planned: int
    groups: list[list[str]] = field(default_factory=list)  # a pairs step's pairs
    rounds: list[list[list[str]]] = field(default_factory=list)  # a groups step: each round's groups of ids
    repeats: int = 0  # a groups step: meetings of people who had met before (see circle.mixer)
    fewest: int = 0  # a groups step: the fewest repeats any plan could have had, when it was mixed
    ended_at: float | None = None
    skipped: bool = False
    # Where a skip found the step (its slot, and each slot's status), so back can bring it back.
    skipped_from: tuple[int, tuple[str, ...]] | None = None
    cut_short: bool = False  # it was under way when the session ended

    @property
    def actual(self) -> float:
        return sum(slot.spent for slot in self.slots)


@dataclass(frozen=True)
class Replan:
    """An accepted rebalance: when, how far behind it was, and each step's length before and after."""

    at: float
    lengths: dict[int, tuple[int, int]]
    behind: float | None = None


@dataclass(frozen=True)
class Note:
    at: float
    text: str
    step: int | None
    speaker: str | None


@dataclass
class State:
    protocol: Protocol | None = None
    session_id: str | None = None
    people: dict[str, Person] = field(default_factory=dict)
    present: list[str] = field(default_factory=list)  # seating order of who is here now
    left: dict[str, float] = field(default_factory=dict)
    joined: dict[str, float] = field(default_factory=dict)
    comings: list[tuple[float, str, str]] = field(default_factory=list)  # (at, person, "arrived" | "left"), in order
    runs: list[StepRun] = field(default_factory=list)
    slot: int = 0
    running_since: float | None = None
    created_at: float | None = None
    began_at: float | None = None  # when a timer first ran: where an agenda's plan starts
    # Step index -> the first moment the clock ran in that step (kept when back leaves it): where
    # a day of an agenda starts.
    began: dict[int, float] = field(default_factory=dict)
    ended_at: float | None = None
    notes: list[Note] = field(default_factory=list)
    group: dict[str, str] | None = None  # {"id", "name"} when run for a saved group
    absent: list[str] = field(default_factory=list)  # group members not here at the start
    records: list[Event] = field(default_factory=list)  # reciprocity moments, in order
    plan: dict[int, int] = field(default_factory=dict)  # step index -> length, from accepted rebalances
    replans: list[Replan] = field(default_factory=list)  # every accepted rebalance, in order
    extra: list[Event] = field(default_factory=list)  # events of other modules (open space), in order

    def records_of(self, kinds: Iterable[str]) -> list[Event]:
        kinds = set(kinds)
        return [e for e in self.extra if e.kind in kinds]

    undone: set[str] = field(default_factory=set)  # ids of records taken back
    event_count: int = 0
    last_at: float | None = None

    # -- where we are -------------------------------------------------------
    @property
    def run(self) -> StepRun | None:
        return self.runs[-1] if self.runs else None

    @property
    def current(self) -> Slot | None:
        run = self.run
        if run is None or run.ended_at is not None or self.ended_at is not None:
            return None
        return run.slots[self.slot] if self.slot < len(run.slots) else None

    @property
    def finished(self) -> bool:
        """Every step has been run (the facilitator may still go back, or end)."""
        run = self.run
        return (
            run is not None
            and run.ended_at is not None
            and self.protocol is not None
            and run.index == len(self.protocol.steps) - 1
        )

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        person = self.people.get(person_id)
        return person.name if person else "?"

    # -- time ---------------------------------------------------------------
    def elapsed(self, now: float) -> float:
        slot = self.current
        if slot is None:
            return 0.0
        live = now - self.running_since if self.running_since is not None else 0.0
        return slot.spent + max(0.0, live)

    def remaining(self, now: float) -> float:
        slot = self.current
        return 0.0 if slot is None else slot.allotted - self.elapsed(now)

    def phase(self, now: float) -> str:
        """ready | running | warning | overtime | paused | between | finished | ended."""
        if self.ended:
            return "ended"
        slot = self.current
        if slot is None:
            return "finished" if self.finished else "between"
        if not self.running:
            return "ready" if slot.spent == 0 else "paused"
        left = self.remaining(now)
        if left < 0:
            return "overtime"
        if left <= slot.warn:
            return "warning"
        return "running"

    def next_up(self) -> str:
        """Who or what comes after the current turn."""
        run = self.run
        if run is None or self.protocol is None:
            return ""
        for slot in run.slots[self.slot + 1 :]:
            if slot.status == "todo":
                return again_label(slot)
        returns = returns_due(self, run, "done") if self.current is not None else []
        if returns:
            return again_label(Slot(self.name(returns[0]), 0, 0, returns[0], again=True))
        if run.index + 1 < len(self.protocol.steps):
            return f"{self.protocol.steps[run.index + 1].title} (next step)"
        return "the end"

    def people_present(self) -> list[Person]:
        return [self.people[pid] for pid in self.present]

    @property
    def round_index(self) -> int:
        """A breakout's round now (or the last one, once it is over)."""
        run = self.run
        if run is None or not run.rounds:
            return 0
        return min(self.slot, len(run.rounds) - 1)

    def breakout_groups(self) -> list[list[str]]:
        """The groups of ids sitting together now, in a breakout step; else []."""
        run = self.run
        return run.rounds[self.round_index] if run is not None and run.rounds else []


def again_label(slot: Slot) -> str:
    """A turn as the wall names it: a return to someone who passed says so."""
    return f"back to {slot.label}, who passed" if slot.again else slot.label


def returns_due(state: State, run: StepRun, status: str) -> list[str]:
    """Who a round comes back to once its last turn ends with ``status``: everyone here who passed,
    in order, if the round returns to those who passed and has not come back yet."""
    step = run.step
    if not isinstance(step, RoundStep) or not step.return_to_passed or any(s.again for s in run.slots):
        return []
    current = state.current if state.run is run else None
    passed = [s.speaker for s in run.slots if (status if s is current else s.status) == "passed"]
    return [pid for pid in dict.fromkeys(passed) if pid in state.present]


def met_in(state: State, before: int | None = None) -> list[list[list[str]]]:
    """The groups people really sat in this session, as rounds of groups of ids: the pairs of
    pairs steps and the breakout rounds that were begun. ``before``: only steps before that index."""
    out: list[list[list[str]]] = []
    for run in state.runs:
        if before is not None and run.index >= before:
            continue
        now = state.current if state.running else None  # a running turn has begun, though none of it is counted yet
        begun = [slot.status == "done" or slot.spent > 0 or slot is now for slot in run.slots]
        if run.groups and any(begun):
            out.append(run.groups)
        out.extend(groups for r, groups in enumerate(run.rounds) if r < len(begun) and begun[r])
    return out


def check_roster(names: Iterable[str]) -> list[str]:
    """Clean a typed list of names (circle.core.names.clean_name); reject an empty roster, a name
    that cannot be kept, and repeated names."""
    try:
        cleaned = [clean_name(name) for name in names]
    except NameProblem as exc:
        raise RosterError(str(exc)) from None
    cleaned = [name for name in cleaned if name]
    if not cleaned:
        raise RosterError("no one is present: type at least one name")
    seen: dict[str, str] = {}
    for name in cleaned:
        key = name_key(name)
        if key in seen:
            raise RosterError(f"'{name}' is named twice; add an initial to tell them apart")
        seen[key] = name
    return cleaned


def size_warning(protocol: Protocol, count: int) -> str | None:
    size = protocol.group_size
    if count < size.min or (size.max is not None and count > size.max):
        return f"{protocol.title} is meant for {size.describe()} people; {count} are here"
    return None


# -- the fold -----------------------------------------------------------------


class ReplayError(CircleError):
    """An event that cannot be folded: the log is damaged there (a step that does not exist,
    a field missing). ``index`` counts from 1, as ``circle check`` reports it."""

    def __init__(self, index: int, event: Event, cause: Exception):
        self.index, self.event, self.cause = index, event, cause
        reason = str(cause) or type(cause).__name__
        super().__init__(f"event {index} ({event.kind}) cannot be replayed: {reason}")


def apply(state: State, event: Event) -> None:
    """Advance ``state`` by one event. Events are trusted: they were decided already."""
    handler = _HANDLERS.get(event.kind)
    if handler is not None:
        handler(state, event)
    else:  # kept for the modules that read them (open space), or from a newer version
        state.extra.append(event)
    state.event_count += 1
    state.last_at = event.at
    if state.running_since is not None and state.run is not None and state.current is not None:
        state.began.setdefault(state.run.index, event.at)


def fold(events: Iterable[Event]) -> State:
    """The state after ``events``; one that cannot be applied is a :class:`ReplayError`."""
    state = State()
    for n, event in enumerate(events, start=1):
        try:
            apply(state, event)
        except (LookupError, TypeError, ValueError, AttributeError, AssertionError) as exc:
            raise ReplayError(n, event, exc) from None
    return state


def _close_segment(state: State, at: float, keep_running: bool) -> None:
    slot = state.current
    if state.running_since is not None and slot is not None:
        slot.spent += max(0.0, at - state.running_since)
    state.running_since = at if keep_running and state.running_since is not None else None


def _on_created(state: State, event: Event) -> None:
    data = event.data
    state.protocol = Protocol.model_validate(data["protocol"])
    state.session_id = data.get("session_id")
    state.created_at = event.at
    for person in data["people"]:
        state.people[person["id"]] = Person(person["id"], person["name"])
        state.present.append(person["id"])
        state.joined[person["id"]] = event.at


def _on_attendance(state: State, event: Event) -> None:
    """Attendance taken at the start of a session run for a saved group."""
    state.group = event.data["group"]
    for person in event.data["absent"]:
        state.people[person["id"]] = Person(person["id"], person["name"])
        state.absent.append(person["id"])


def _slots_for(state: State, step: Step, data: dict) -> list[Slot]:
    def slot(label: str, allotted: int, speaker: str | None = None) -> Slot:
        return Slot(label, allotted, warn_seconds(step, allotted), speaker)

    length = state.plan.get(data["step"], getattr(step, "duration", 0))  # an accepted rebalance wins
    match step:
        case RoundStep():
            return [slot(state.name(pid), step.turn, pid) for pid in data["order"]]
        case PairsStep():
            width = max((len(g) for g in data.get("groups", [])), default=2)
            letters = "ABCDEFGH"
            return [slot(f"Partner {letters[i]} speaks", step.turn) for i in range(width)]
        case GroupsStep():
            count = len(data.get("rounds", [])) or step.rounds
            per_round = state.plan[data["step"]] // count if data["step"] in state.plan else step.duration
            return [slot(f"Round {r} of {count}", per_round) for r in range(1, count + 1)]
        case OpenStep():
            return [slot("Everyone", length)]
        case SilenceStep():
            return [slot("Silence", length)]
        case BlockStep():
            return [slot(step.kind.replace("_", " ").capitalize(), length)]
    raise TypeError(step)  # pragma: no cover


def _on_step_started(state: State, event: Event) -> None:
    assert state.protocol is not None
    index = event.data["step"]
    step = state.protocol.steps[index]
    slots = _slots_for(state, step, event.data)
    slots[0].status = "now"
    planned = planned_step_seconds(step, len(state.present))
    run = StepRun(index, step, slots, event.at, planned, groups=event.data.get("groups", []))
    run.rounds = event.data.get("rounds", [])
    run.repeats = event.data.get("repeats", 0)
    run.fewest = event.data.get("fewest", 0)
    state.runs.append(run)
    state.slot = 0
    state.running_since = None


def _on_timer_started(state: State, event: Event) -> None:
    if state.running_since is None:
        state.running_since = event.at
    if state.began_at is None:
        state.began_at = event.at


def _on_timer_paused(state: State, event: Event) -> None:
    _close_segment(state, event.at, keep_running=False)


def _on_recovered(state: State, event: Event) -> None:
    # The app was not running between ``since`` and now: that time is a pause.
    since = event.data["since"]
    if state.running_since is not None:
        since = max(since, state.running_since)
    _close_segment(state, since, keep_running=False)


def _advance(state: State, at: float, status: str) -> None:
    run = state.run
    slot = state.current
    if run is None or slot is None:
        return
    running = state.running_since is not None
    returns = returns_due(state, run, status)
    _close_segment(state, at, keep_running=running)
    slot.status = status
    nxt = next((i for i in range(state.slot + 1, len(run.slots)) if run.slots[i].status == "todo"), None)
    if nxt is None and returns:  # the round comes back to those who passed, once each
        step = run.step
        assert isinstance(step, RoundStep)
        nxt = len(run.slots)
        for pid in returns:
            run.slots.append(Slot(state.name(pid), step.turn, warn_seconds(step, step.turn), pid, again=True))
    if nxt is None:
        state.slot = len(run.slots)
        run.ended_at = at
        state.running_since = None
    else:
        state.slot = nxt
        run.slots[nxt].status = "now"


def _on_turn_done(state: State, event: Event) -> None:
    _advance(state, event.at, "done")


def _on_turn_passed(state: State, event: Event) -> None:
    _advance(state, event.at, "passed")


def _previous_slot(run: StepRun, before: int) -> int | None:
    for i in range(min(before, len(run.slots)) - 1, -1, -1):
        if run.slots[i].status in ("done", "passed"):
            return i
    return None


def _restore_skipped(state: State, run: StepRun, at: float, running: bool) -> None:
    """Back into a step that was skipped: it carries on where the skip found it."""
    assert run.skipped_from is not None
    slot, statuses = run.skipped_from
    for s, status in zip(run.slots, statuses, strict=False):
        s.status = status
    run.ended_at = None
    run.skipped = False
    run.skipped_from = None
    state.slot = slot
    state.running_since = at if running else None


def _on_turn_back(state: State, event: Event) -> None:
    run = state.run
    if run is None:
        return
    running = state.running_since is not None
    current = state.current
    if current is None and run.skipped_from is not None:  # the last step was skipped
        _restore_skipped(state, run, event.at, running=False)
        return
    if current is not None:
        _close_segment(state, event.at, keep_running=running)
        current.status = "todo"
    target = _previous_slot(run, state.slot)
    if target is None and len(state.runs) > 1:
        # Back across a step boundary: the step we were in has not really begun.
        state.runs.pop()
        run = state.runs[-1]
        if run.skipped_from is not None:
            _restore_skipped(state, run, event.at, running)
            return
        target = _previous_slot(run, len(run.slots))
    if target is None:
        return
    run.ended_at = None
    run.skipped = False
    run.slots[target].status = "now"
    state.slot = target
    state.running_since = event.at if running else None


def _on_time_adjusted(state: State, event: Event) -> None:
    slot = state.current
    if slot is not None:
        slot.allotted = max(0, slot.allotted + event.data["seconds"])


def _on_person_added(state: State, event: Event) -> None:
    person = Person(event.data["id"], event.data["name"])
    state.people[person.id] = person
    state.present.append(person.id)
    state.joined[person.id] = event.at
    state.left.pop(person.id, None)
    state.comings.append((event.at, person.id, "arrived"))
    run = state.run
    if run is not None and run.ended_at is None and isinstance(run.step, RoundStep):
        slot = Slot(person.name, run.step.turn, warn_seconds(run.step, run.step.turn), person.id)
        run.slots.append(slot)


def _on_person_removed(state: State, event: Event) -> None:
    pid = event.data["id"]
    if pid in state.present:
        state.present.remove(pid)
    state.left[pid] = event.at
    state.comings.append((event.at, pid, "left"))
    run = state.run
    if run is None or run.ended_at is not None:
        return
    current = state.current
    if current is not None and current.speaker == pid:
        _advance(state, event.at, "left")
        return
    for slot in run.slots:
        if slot.speaker == pid and slot.status == "todo":
            slot.status = "left"


def _on_step_skipped(state: State, event: Event) -> None:
    run = state.run
    if run is None:
        return
    current = state.current
    _close_segment(state, event.at, keep_running=False)
    if current is not None:
        run.skipped_from = (state.slot, tuple(s.status for s in run.slots))
        current.status = "done" if current.spent > 0 else "skipped"
    for slot in run.slots:
        if slot.status == "todo":
            slot.status = "skipped"
    run.ended_at = event.at
    run.skipped = True
    state.slot = len(run.slots)


def _on_groups_set(state: State, event: Event) -> None:
    """New groups for a breakout, from one round on (a reshuffle, a move, someone leaving or arriving)."""
    run = state.run
    if run is None:
        return
    start = event.data["from_round"]
    run.rounds = run.rounds[:start] + event.data["rounds"]
    run.repeats = event.data["repeats"]
    run.fewest = event.data.get("fewest", run.fewest)


def _on_plan_adjusted(state: State, event: Event) -> None:
    assert state.protocol is not None
    steps, people = state.protocol.steps, len(state.present)
    lengths = {}
    for index, seconds in event.data["lengths"].items():
        i = int(index)
        lengths[i] = (state.plan.get(i, planned_step_seconds(steps[i], people)), seconds)
        state.plan[i] = seconds
    state.replans.append(Replan(event.at, lengths, event.data.get("behind")))


def _on_ended(state: State, event: Event) -> None:
    _close_segment(state, event.at, keep_running=False)
    run = state.run
    current = state.current
    if current is not None:
        # Under way when the session ended: cut short ("ended"); never begun: it was not reached.
        current.status = "ended" if current.spent > 0 else "todo"
    if run is not None and run.ended_at is None:
        run.ended_at = event.at
        run.cut_short = True
    state.ended_at = event.at


def _on_note(state: State, event: Event) -> None:
    run = state.run
    slot = state.current
    state.notes.append(
        Note(
            event.at,
            event.data["text"],
            run.index if run else None,
            slot.label if slot and slot.speaker else None,
        )
    )


RECORD_KINDS = ("listened", "offer", "ask", "conflict_opened", "conflict_resolved", "co_owned")


def _on_record(state: State, event: Event) -> None:
    state.records.append(event)


def _on_undone(state: State, event: Event) -> None:
    state.undone.add(event.data["event"])


def live_records(state: State) -> list[Event]:
    """Reciprocity moments recorded in this session and not taken back."""
    return [e for e in state.records if e.id not in state.undone]


_HANDLERS: dict[str, Callable[[State, Event], None]] = {
    **dict.fromkeys(RECORD_KINDS, _on_record),
    "undone": _on_undone,
    "attendance": _on_attendance,
    "plan_adjusted": _on_plan_adjusted,
    "groups_set": _on_groups_set,
    "session_created": _on_created,
    "step_started": _on_step_started,
    "timer_started": _on_timer_started,
    "timer_paused": _on_timer_paused,
    "recovered": _on_recovered,
    "turn_done": _on_turn_done,
    "turn_passed": _on_turn_passed,
    "turn_back": _on_turn_back,
    "time_adjusted": _on_time_adjusted,
    "person_added": _on_person_added,
    "person_removed": _on_person_removed,
    "step_skipped": _on_step_skipped,
    "session_ended": _on_ended,
    "note": _on_note,
}


# -- commands -------------------------------------------------------------------

Sink = Callable[[list[Event]], None]


class Session:
    """A live session: decides events for commands, hands them to ``sink``, then folds them.

    ``sink`` is where events become durable (the store). If it raises, the state
    is left untouched, so the screen never shows what was not recorded.
    """

    def __init__(
        self,
        clock: Clock,
        events: Iterable[Event] = (),
        sink: Sink | None = None,
        rng: random.Random | None = None,
    ):
        self.clock = clock
        self.sink: Sink = sink or (lambda events: None)
        self.rng = rng or random.Random()
        self.state = fold(events)
        # Who met whom in earlier sessions of the same saved group: rounds of groups of person
        # ids. Set by whoever can read them (circle.sessions, from the store).
        self.group_history: Callable[[], list[list[list[str]]]] | None = None

    @classmethod
    def create(
        cls,
        protocol: Protocol,
        people: list[Person],
        clock: Clock,
        sink: Sink | None = None,
        session_id: str | None = None,
        rng: random.Random | None = None,
        group: dict[str, str] | None = None,
        absent: list[Person] = (),
        group_history: Callable[[], list[list[list[str]]]] | None = None,
    ) -> Session:
        """Start a session; with ``group`` ({"id", "name"}), ``absent`` is the attendance taken."""
        check_roster(p.name for p in people)
        session = cls(clock, sink=sink, rng=rng)
        session.group_history = group_history
        now = clock.now()
        data: dict[str, Any] = {
            "session_id": session_id or str(uuid.uuid4()),
            "protocol": protocol.model_dump(mode="json"),
            "people": [{"id": p.id, "name": p.name} for p in people],
        }
        created = Event("session_created", now, data)
        opening = [created]
        if group is not None:
            # A small event of its own, so the ledger reads attendance without the protocol snapshot.
            attendance = {
                "group": group,
                "level": protocol.reciprocity_level,
                "meeting": protocol.crew_meeting or protocol.reciprocity_level == 3,  # a meeting of the group
                "present": [p.id for p in people],
                "absent": [{"id": p.id, "name": p.name} for p in absent],
            }
            opening.append(Event("attendance", now, attendance))
        # The first step's order depends on who is present, so fold first.
        preview = fold(opening)
        session._emit(*opening, session._step_event(preview, 0, now))
        return session

    # -- plumbing -----------------------------------------------------------
    def _emit(self, *events: Event) -> list[Event]:
        self.sink(list(events))
        for event in events:
            apply(self.state, event)
        return list(events)

    def _event(self, kind: str, **data: Any) -> Event:
        return Event(kind, self.clock.now(), data)

    def _step_event(self, state: State, index: int, at: float) -> Event:
        assert state.protocol is not None
        step = state.protocol.steps[index]
        order = list(state.present)
        data: dict[str, Any] = {"step": index}
        if isinstance(step, RoundStep):
            if step.order == "random":
                self.rng.shuffle(order)
            data["order"] = order
        elif isinstance(step, PairsStep):
            data["groups"] = pair_up(order)
        elif isinstance(step, GroupsStep):
            history = self._breakout_history(state, step, index)
            data["rounds"], data["fewest"] = self._mix_rounds(state, order, step, step.rounds, history)
            data["repeats"] = count_repeats(data["rounds"], history)
        return Event("step_started", at, data)

    # -- breakouts ------------------------------------------------------------
    def _breakout_history(self, state: State, step: GroupsStep, index: int) -> list[list[list[str]]]:
        """Rounds that count as having met before a breakout step: this session's, and the group's."""
        history = met_in(state, before=index)
        if step.remember_group and self.group_history is not None and state.group is not None:
            history = self.group_history() + history
        return history

    def _mix_rounds(
        self, state: State, people: list[str], step: GroupsStep, rounds: int, history: list
    ) -> tuple[list[list[list[str]]], int]:
        """``rounds`` rounds of groups for ``people`` (ids), in seating order within each group,
        and the fewest repeats any plan could have (what the mixer could prove)."""
        size = step.people_per_group
        if rounds <= 0:  # someone came or went in the last round: no later rounds to mix
            return [], 0
        if len(people) < 2 or size >= len(people):  # too few to split: everyone together
            plan = [[list(people)] if people else [] for _ in range(rounds)]
            fewest = count_repeats(plan, history)
        else:
            mixed = mix(people, size, rounds, history=history, seed=self.rng.randrange(2**31), time_limit=1.0)
            plan, fewest = mixed.rounds, mixed.lower_bound
        seat = {pid: i for i, pid in enumerate(state.present)}
        tidy = []
        for groups in plan:
            groups = [sorted(group, key=lambda pid: seat.get(pid, len(seat))) for group in groups]
            tidy.append(sorted(groups, key=lambda g: seat.get(g[0], len(seat)) if g else len(seat)))
        return tidy, fewest

    def _breakout(self) -> tuple[State, StepRun, GroupsStep]:
        state = self._live()
        run = state.run
        if run is None or not isinstance(run.step, GroupsStep):
            raise CommandRejected("groups are mixed in a breakout step; this step has none")
        if run.ended_at is not None:
            raise CommandRejected("this breakout is over")
        return state, run, run.step

    def _groups_set(self, state: State, rounds: list, reason: str, fewest: int | None = None) -> Event:
        """The event that puts ``rounds`` in place from the current round on, with the step's repeats."""
        run = state.run
        assert run is not None and isinstance(run.step, GroupsStep)
        r = state.round_index
        history = self._breakout_history(state, run.step, run.index)
        repeats = count_repeats([*run.rounds[:r], *rounds], history)
        data: dict[str, Any] = {"from_round": r, "rounds": rounds, "repeats": repeats, "reason": reason}
        if fewest is not None:
            data["fewest"] = fewest
        return self._event("groups_set", **data)

    def _replan(self, state: State, present: list[str], reason: str, current: list | None = None) -> Event:
        """Groups mixed afresh for ``present`` from this round on; with ``current`` (a round under
        way, mended), this round keeps those groups and only the rounds after it are mixed."""
        run = state.run
        assert run is not None and isinstance(run.step, GroupsStep)
        r = state.round_index
        history = self._breakout_history(state, run.step, run.index)
        met = [*history, *run.rounds[:r]]
        if current is None:
            rounds, fewest = self._mix_rounds(state, present, run.step, len(run.rounds) - r, met)
        else:
            later, fewest = self._mix_rounds(state, present, run.step, len(run.rounds) - r - 1, [*met, current])
            rounds = [current, *later]
        # The mixer's bound counts from the rounds it was given; the step's counts from its start.
        fewest += count_repeats([*run.rounds[:r], *([current] if current else [])], history)
        return self._groups_set(state, rounds, reason, fewest)

    def reshuffle(self) -> list[Event]:
        """Mix the room again from this round on (a round under way is mixed afresh too)."""
        state, _, _ = self._breakout()
        return self._emit(self._replan(state, list(state.present), "reshuffled"))

    def move_person(self, person_id: str, to_group: int) -> list[Event]:
        """Move someone into another group of this round (``to_group`` counts from 0)."""
        state, run, _ = self._breakout()
        r = state.round_index
        groups = [list(g) for g in run.rounds[r]]
        source = next((i for i, g in enumerate(groups) if person_id in g), None)
        if source is None:
            raise CommandRejected(f"'{state.name(person_id)}' is not in a group this round")
        if not 0 <= to_group < len(groups):
            raise CommandRejected(f"there is no group {to_group + 1}; this round has {len(groups)}")
        if to_group == source:
            raise CommandRejected(f"'{state.name(person_id)}' is already in group {to_group + 1}")
        if len(groups[source]) == 2:
            other = state.name(next(p for p in groups[source] if p != person_id))
            raise CommandRejected(f"that would leave {other} on their own in group {source + 1}")
        groups[source].remove(person_id)
        groups[to_group].append(person_id)
        return self._emit(self._groups_set(state, [groups, *run.rounds[r + 1 :]], "moved"))

    def swap_people(self, a: str, b: str) -> list[Event]:
        """Two people of different groups of this round change places (in pairs, the only way to move)."""
        state, run, _ = self._breakout()
        r = state.round_index
        groups = [list(g) for g in run.rounds[r]]
        place = {pid: i for i, g in enumerate(groups) for pid in g}
        for pid in (a, b):
            if pid not in place:
                raise CommandRejected(f"'{state.name(pid)}' is not in a group this round")
        if place[a] == place[b]:
            raise CommandRejected(f"'{state.name(a)}' and '{state.name(b)}' are already together")
        ga, gb = groups[place[a]], groups[place[b]]
        ga[ga.index(a)], gb[gb.index(b)] = b, a
        return self._emit(self._groups_set(state, [groups, *run.rounds[r + 1 :]], "swapped"))

    def _mended(self, state: State, leaving: str | None = None, joining: str | None = None) -> Event | None:
        """Groups after someone leaves or arrives mid-breakout; None outside a breakout.

        The round on the wall keeps its groups and their numbers, begun or not (people have been
        told "pair 3"): a newcomer joins the smallest group, and someone left on their own joins
        the smallest other one, which leaves their group empty (its number is not given to
        another). The rounds after it are mixed afresh for who is here now.
        """
        run = state.run
        if run is None or not isinstance(run.step, GroupsStep) or run.ended_at is not None or not run.rounds:
            return None
        present = [p for p in state.present if p != leaving] + ([joining] if joining else [])
        reason = "left" if leaving else "joined"
        if state.current is None:
            return self._replan(state, present, reason)
        groups = [[p for p in group if p != leaving] for group in run.rounds[state.round_index]]
        seated = [g for g in groups if g]
        if joining is not None:
            (min(seated, key=len) if seated else groups[0] if groups else _new(groups)).append(joining)
        alone = next((g for g in groups if len(g) == 1), None)
        others = [g for g in groups if g and g is not alone]
        if alone is not None and others:
            min(others, key=len).extend(alone)
            alone.clear()
        return self._replan(state, present, reason, current=groups)

    def _live(self) -> State:
        if self.state.protocol is None:
            raise CommandRejected("no session has been started")
        if self.state.ended:
            raise CommandRejected("this session has ended")
        return self.state

    def _then_next_step(self, first: Event) -> list[Event]:
        """Events for a command that may close the step, plus the next step's start."""
        state = self.state
        run = state.run
        assert run is not None and state.protocol is not None
        status = {"turn_passed": "passed", "person_removed": "left"}.get(first.kind, "done")
        closes = first.kind == "step_skipped" or not (
            any(s.status == "todo" for s in run.slots[state.slot + 1 :]) or returns_due(state, run, status)
        )
        events = [first]
        if closes and run.index + 1 < len(state.protocol.steps):
            events.append(self._step_event(state, run.index + 1, first.at))
        return events

    # -- commands -----------------------------------------------------------
    def start(self) -> list[Event]:
        state = self._live()
        if state.current is None:
            raise CommandRejected("all steps are done: press e to end the session")
        if state.running:
            return []
        return self._emit(self._event("timer_started"))

    def pause(self) -> list[Event]:
        state = self._live()
        if not state.running:
            return []
        return self._emit(self._event("timer_paused"))

    def toggle(self) -> list[Event]:
        return self.pause() if self.state.running else self.start()

    def next(self) -> list[Event]:
        state = self._live()
        if state.current is None:
            raise CommandRejected("all steps are done: press e to end the session")
        # Who spoke rides along, so the ledger can tell a meeting where someone spoke from one
        # ended before anyone did, without replaying the session.
        speaker = state.current.speaker
        return self._emit(*self._then_next_step(self._event("turn_done", **({"speaker": speaker} if speaker else {}))))

    def pass_turn(self) -> list[Event]:
        state = self._live()
        slot = state.current
        if slot is None:
            raise CommandRejected("all steps are done: press e to end the session")
        run = state.run
        assert run is not None
        if slot.speaker is None:
            raise CommandRejected("only a person's turn can be passed; press n to move on")
        if isinstance(run.step, RoundStep) and not run.step.allow_pass:
            raise CommandRejected("passing is not part of this round")
        return self._emit(*self._then_next_step(self._event("turn_passed")))

    def back(self) -> list[Event]:
        state = self._live()
        run = state.run
        assert run is not None
        before = state.runs[-2] if len(state.runs) > 1 else None
        has_previous = (
            (state.current is None and run.skipped_from is not None)
            or _previous_slot(run, state.slot) is not None
            or (
                before is not None
                and (before.skipped_from is not None or _previous_slot(before, len(before.slots)) is not None)
            )
        )
        if not has_previous:
            raise CommandRejected("already at the first turn")
        return self._emit(self._event("turn_back"))

    def adjust(self, seconds: int = ADJUST_STEP) -> list[Event]:
        state = self._live()
        slot = state.current
        if slot is None:
            raise CommandRejected("no turn is running")
        if seconds < 0 and slot.allotted == 0:
            raise CommandRejected("this turn has no time left to take away")
        return self._emit(self._event("time_adjusted", seconds=seconds))

    def add_person(self, name: str, person_id: str | None = None) -> list[Event]:
        state = self._live()
        try:
            name = clean_name(name)
        except NameProblem as exc:
            raise CommandRejected(str(exc)) from None
        if not name:
            raise CommandRejected("type a name to add someone")
        for pid in state.present:
            if name_key(state.people[pid].name) == name_key(name):
                raise CommandRejected(f"'{name}' is already here")
        added = self._event("person_added", id=person_id or str(uuid.uuid4()), name=name)
        mended = self._mended(state, joining=added.data["id"])  # mid-breakout: they join a group
        return self._emit(added, *([mended] if mended else []))

    def remove_person(self, person_id: str) -> list[Event]:
        state = self._live()
        if person_id not in state.present:
            raise CommandRejected(f"'{state.name(person_id)}' is not in the room")
        if len(state.present) == 1:
            raise CommandRejected("the last person cannot leave; press e to end the session")
        current = state.current
        event = self._event("person_removed", id=person_id)
        if current is not None and current.speaker == person_id:
            return self._emit(*self._then_next_step(event))
        mended = self._mended(state, leaving=person_id)  # mid-breakout: the rest are regrouped
        return self._emit(event, *([mended] if mended else []))

    def skip_step(self) -> list[Event]:
        state = self._live()
        run = state.run
        if run is None or run.ended_at is not None:
            raise CommandRejected("no step is running")
        return self._emit(*self._then_next_step(self._event("step_skipped")))

    def end(self) -> list[Event]:
        self._live()
        return self._emit(self._event("session_ended"))

    def note(self, text: str) -> list[Event]:
        if self.state.protocol is None:
            raise CommandRejected("no session has been started")
        text = text.strip()
        if not text:
            raise CommandRejected("the note is empty")
        return self._emit(self._event("note", text=text))

    def log(self, kind: str, data: dict[str, Any]) -> list[Event]:
        """Record an event another module has checked (open space); the session must be live."""
        if kind in _HANDLERS:
            raise ValueError(f"{kind} is an engine event; use its command")
        self._live()
        return self._emit(self._event(kind, **data))

    def adjust_plan(self, lengths: dict[int, int], behind: float | None = None) -> list[Event]:
        """Accept a rebalanced plan: new lengths for steps not yet started (``behind``: how far
        behind the plan was, kept with it for the report)."""
        state = self._live()
        run = state.run
        started = run.index if run else -1
        assert state.protocol is not None
        for index, seconds in lengths.items():
            if not started < index < len(state.protocol.steps):
                raise CommandRejected("only steps still to come can be rebalanced")
            if seconds < 0:
                raise CommandRejected("a step cannot be shorter than nothing")
        data: dict[str, Any] = {"lengths": {str(i): s for i, s in lengths.items()}}
        if behind is not None:
            data["behind"] = round(behind, 3)
        return self._emit(self._event("plan_adjusted", **data))

    # -- reciprocity moments ------------------------------------------------------
    def _scoring(self, *people: str) -> State:
        state = self.state
        if state.protocol is None or state.ended:
            raise CommandRejected("points are recorded during a session; this one has ended")
        for pid in people:
            if pid not in state.present:
                raise CommandRejected(f"'{state.name(pid)}' is not in the room")
        return state

    def record_listened(self) -> list[Event]:
        """Everyone present has listened to everyone: each of them scores."""
        state = self._scoring()
        if any(e.kind == "listened" for e in live_records(state)):
            raise CommandRejected("'everyone listened' is already recorded for this session")
        return self._emit(self._event("listened", present=list(state.present)))

    def record_offer(self, by: str, to: str, label: str = "") -> list[Event]:
        self._distinct(by, to, "an offer")
        return self._emit(self._event("offer", by=by, to=to, label=label.strip()))

    def record_ask(self, by: str, to: str, label: str = "") -> list[Event]:
        self._distinct(by, to, "an ask")
        return self._emit(self._event("ask", by=by, to=to, label=label.strip()))

    def _distinct(self, a: str, b: str, what: str) -> None:
        self._scoring(a, b)
        if a == b:
            raise CommandRejected(f"{what} is between two different people")

    def open_conflict(self, a: str, b: str, label: str = "", conflict_id: str | None = None) -> list[Event]:
        self._distinct(a, b, "a conflict")
        conflict_id = conflict_id or str(uuid.uuid4())
        return self._emit(self._event("conflict_opened", conflict=conflict_id, between=[a, b], label=label.strip()))

    def resolve_conflict(self, conflict_id: str, between: list[str], resolved: bool) -> list[Event]:
        """Close a conflict opened in this or an earlier session (the ledger checks it is open)."""
        self._scoring()
        for e in live_records(self.state):
            if e.kind == "conflict_resolved" and e.data["conflict"] == conflict_id:
                raise CommandRejected("this conflict has already been resolved")
        return self._emit(self._event("conflict_resolved", conflict=conflict_id, between=between, resolved=resolved))

    def record_co_owners(self, people: list[str], label: str = "") -> list[Event]:
        self._scoring(*people)
        if len(set(people)) < 2:
            raise CommandRejected("co-ownership needs at least two people")
        return self._emit(self._event("co_owned", people=list(dict.fromkeys(people)), label=label.strip()))

    def undo_record(self) -> list[Event]:
        """Take back the most recent reciprocity moment (an event, never a deletion)."""
        self._scoring()
        records = live_records(self.state)
        if not records:
            raise CommandRejected("there is nothing to undo")
        return self._emit(self._event("undone", event=records[-1].id))

    def recover(self, since: float) -> list[Event]:
        """Mark the time the app was not running (since ``since``) as paused."""
        self._live()
        return self._emit(self._event("recovered", since=since))


def _new(groups: list[list[str]]) -> list[str]:
    groups.append([])
    return groups[-1]


def pair_up(order: list[str]) -> list[list[str]]:
    """Neighbours in seating order form pairs; an odd count makes the last group a trio."""
    groups = [order[i : i + 2] for i in range(0, len(order) - 1, 2)]
    if len(order) % 2:
        if groups:
            groups[-1].append(order[-1])
        else:
            groups.append([order[-1]])
    return groups


def countdown_seconds(remaining: float) -> int:
    """Whole seconds to show: rounded up while time is left, counting up in overtime."""
    return math.ceil(remaining) if remaining > 0 else math.floor(-remaining)
