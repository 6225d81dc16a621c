"""The fold: state is what the events, applied in order, make of an empty :class:`State`.

Events are trusted (a command decided them already), so applying one never checks or
refuses; an event that cannot be applied means the log is damaged (:class:`ReplayError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from circle.core.errors import CircleError
from circle.core.events import Event, Person
from circle.engine.state import (
    Hand,
    HandQueue,
    Note,
    QueueTurn,
    Replan,
    Slot,
    SlotStatus,
    State,
    StepRun,
    previous_slot,
    returns_due,
)
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
        if state.current.started is None:
            state.current.started = state.running_since


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


def _slots_for(state: State, step: Step, data: dict[str, Any]) -> list[Slot]:
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
    if isinstance(step, OpenStep) and step.queue is not None:
        run.queue = HandQueue(step.queue, step.queue_turn)
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


def _advance(state: State, at: float, status: SlotStatus) -> None:
    run = state.run
    slot = state.current
    if run is None or slot is None:
        return
    running = state.running_since is not None
    returns = returns_due(state, run, status)
    _close_queue_turn(state, at, "done")  # the block ends: so does the turn called in it
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
    target = previous_slot(run, state.slot)
    if target is None and len(state.runs) > 1:
        # Back across a step boundary: the step we were in has not really begun.
        state.runs.pop()
        run = state.runs[-1]
        if run.skipped_from is not None:
            _restore_skipped(state, run, event.at, running)
            return
        target = previous_slot(run, len(run.slots))
    if target is None:
        return
    run.ended_at = None
    run.skipped = False
    run.slots[target].status = "now"
    state.slot = target
    state.running_since = event.at if running else None


def _on_time_adjusted(state: State, event: Event) -> None:
    queue = state.queue
    if event.data.get("queue") and queue is not None and queue.speaking is not None:  # the turn called
        queue.speaking.allotted = max(0, queue.speaking.allotted + event.data["seconds"])
        return
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
    queue = state.queue
    if queue is not None:  # their hand goes down; if they were speaking, the floor opens
        _drop_hand(queue, pid)
        if queue.speaking is not None and queue.speaking.person == pid:
            _close_queue_turn(state, event.at, "left")
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
    _close_queue_turn(state, event.at, "done")
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
    _close_queue_turn(state, event.at, "ended")
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


# -- a speaking queue ---------------------------------------------------------------------


def _close_queue_turn(state: State, at: float, status: SlotStatus) -> None:
    """The turn called from the queue ends (its time is the block's since it began)."""
    queue = state.queue
    turn = queue.speaking if queue is not None else None
    if turn is None:
        return
    turn.spent = state.turn_elapsed(turn, at)
    turn.since = None
    turn.status = status


def _drop_hand(queue: HandQueue, person: str) -> None:
    queue.hands = [h for h in queue.hands if h.person != person]
    if queue.respond is not None and queue.respond.person == person:
        queue.respond = None


def _on_hand_raised(state: State, event: Event) -> None:
    queue = state.queue
    assert queue is not None
    d = event.data
    hand = Hand(d["person"], event.at, bool(d.get("respond")), d.get("source", "wall"))
    if hand.respond:
        queue.respond = hand
        return
    at = len(queue.hands)
    if queue.order == "progressive":  # before the first who has spoken more; ties stay by arrival
        mine = state.spoken(hand.person, event.at)
        at = next((i for i, h in enumerate(queue.hands) if state.spoken(h.person, event.at) > mine), at)
    queue.hands.insert(at, hand)


def _on_hand_lowered(state: State, event: Event) -> None:
    queue = state.queue
    assert queue is not None
    _drop_hand(queue, event.data["person"])


def _on_hand_moved(state: State, event: Event) -> None:
    queue = state.queue
    assert queue is not None
    i = next(i for i, h in enumerate(queue.hands) if h.person == event.data["person"])
    hand = queue.hands.pop(i)
    queue.hands.insert(max(0, min(len(queue.hands), i + event.data["by"])), hand)


def _on_queue_called(state: State, event: Event) -> None:
    """The turn under way ends (done, or passed); the next person waiting, if any, is called."""
    queue = state.queue
    run = state.run
    assert queue is not None and run is not None
    _close_queue_turn(state, event.at, event.data.get("status", "done"))
    person = event.data.get("person")
    if person is None:
        return
    if queue.respond is not None and queue.respond.person == person and event.data.get("respond"):
        hand, queue.respond = queue.respond, None
    else:
        hand = next(h for h in queue.hands if h.person == person)
        queue.hands.remove(hand)
    warn = warn_seconds(run.step, queue.turn)
    turn = QueueTurn(person, queue.turn, warn, hand.respond, since=state.elapsed(event.at), started=event.at, hand=hand)
    queue.turns.append(turn)


def _on_queue_back(state: State, event: Event) -> None:
    """Undo the last call: who was called waits again, first; the turn it ended carries on."""
    queue = state.queue
    assert queue is not None and queue.turns
    speaking = queue.speaking
    if speaking is not None:
        queue.turns.pop()
        hand = speaking.hand or Hand(speaking.person, event.at, speaking.respond)
        if hand.respond:
            queue.respond = hand
        else:
            queue.hands.insert(0, hand)
    last = queue.turns[-1] if queue.turns else None
    if last is not None and last.status in ("done", "passed") and last.person in state.present:
        last.status = "now"
        last.since = state.elapsed(event.at)


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
    "hand_raised": _on_hand_raised,
    "hand_lowered": _on_hand_lowered,
    "hand_moved": _on_hand_moved,
    "queue_called": _on_queue_called,
    "queue_back": _on_queue_back,
}
# The engine's own events: another module may log only kinds outside these (Session.log).
ENGINE_KINDS = frozenset(_HANDLERS)
