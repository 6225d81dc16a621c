"""A live session: the turn flow's commands (start, pause, next, pass, back, skip, end and the rest).

A command checks that it makes sense now (else :class:`CommandRejected`), decides its
events and emits them: recorded first, then folded into :attr:`Session.state`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from circle.core.clock import Clock
from circle.core.events import Event, Person
from circle.core.names import NameProblem, clean_name, name_key
from circle.engine.base import CommandRejected, Sink
from circle.engine.breakouts import Breakouts, pair_up
from circle.engine.fold import ENGINE_KINDS, fold
from circle.engine.queue import Queueing
from circle.engine.reciprocity import Reciprocity
from circle.engine.roster import check_roster
from circle.engine.state import SlotStatus, State, previous_slot, returns_due
from circle.mixer import Rounds
from circle.protocol.models import GroupsStep, PairsStep, Protocol, RoundStep

ADJUST_STEP = 30  # seconds added or taken by + and -


class Session(Breakouts, Reciprocity, Queueing):
    """A live session: decides events for commands, hands them to ``sink``, then folds them.

    ``sink`` is where events become durable (the store); see :class:`~circle.engine.base.SessionBase`. The
    breakout, reciprocity and speaking-queue commands come from :class:`Breakouts`,
    :class:`Reciprocity` and :class:`Queueing`.
    """

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
        absent: Sequence[Person] = (),
        group_history: Callable[[], Rounds] | None = None,
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
            # Every turn that ends carries its figures (see _ending): the log's `turns` view reads
            # only sessions that say so, never a session begun before they were written.
            "turn_figures": True,
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
            data.update(self._first_rounds(state, step, index))
        return Event("step_started", at, data)

    def _then_next_step(self, first: Event) -> list[Event]:
        """Events for a command that may close the step, plus the next step's start."""
        state = self.state
        run = state.run
        assert run is not None and state.protocol is not None
        statuses: dict[str, SlotStatus] = {"turn_passed": "passed", "person_removed": "left"}
        status = statuses.get(first.kind, "done")
        closes = first.kind == "step_skipped" or not (
            any(s.status == "todo" for s in run.slots[state.slot + 1 :]) or returns_due(state, run, status)
        )
        events = [first]
        if closes and run.index + 1 < len(state.protocol.steps):
            events.append(self._step_event(state, run.index + 1, first.at))
        return events

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
        called = self._queue_next()
        if called is not None:
            return called
        # Who spoke rides along, so the ledger can tell a meeting where someone spoke from one
        # ended before anyone did, without replaying the session.
        speaker = state.current.speaker
        said: dict[str, Any] = {"speaker": speaker} if speaker else {}
        done = self._ending("turn_done", "done", **said)
        return self._emit(*self._then_next_step(done))

    def pass_turn(self) -> list[Event]:
        state = self._live()
        slot = state.current
        if slot is None:
            raise CommandRejected("all steps are done: press e to end the session")
        run = state.run
        assert run is not None
        passed = self._queue_pass()
        if passed is not None:
            return passed
        if slot.speaker is None:
            raise CommandRejected("only a person's turn can be passed; press n to move on")
        if isinstance(run.step, RoundStep) and not run.step.allow_pass:
            raise CommandRejected("passing is not part of this round")
        return self._emit(*self._then_next_step(self._ending("turn_passed", "passed")))

    def back(self) -> list[Event]:
        state = self._live()
        run = state.run
        assert run is not None
        undone = self._queue_back()
        if undone is not None:
            return undone
        before = state.runs[-2] if len(state.runs) > 1 else None
        has_previous = (
            (state.current is None and run.skipped_from is not None)
            or previous_slot(run, state.slot) is not None
            or (
                before is not None
                and (before.skipped_from is not None or previous_slot(before, len(before.slots)) is not None)
            )
        )
        if not has_previous:
            raise CommandRejected("already at the first turn")
        if state.current is None and run.skipped_from is not None:  # the skipped last step comes back
            return self._emit(self._event("turn_back"))
        if previous_slot(run, state.slot) is None:
            # Back into the step before: this step's run is dropped (it starts afresh when its turn comes).
            return self._emit(self._event("turn_back", dropped=run.index))
        # The turn left keeps its time so far: its figures stand unless it is taken up again.
        return self._emit(self._ending("turn_back", "todo"))

    def adjust(self, seconds: int = ADJUST_STEP) -> list[Event]:
        state = self._live()
        slot = state.current
        if slot is None:
            raise CommandRejected("no turn is running")
        adjusted = self._queue_adjust(seconds)
        if adjusted is not None:
            return adjusted
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
        if current is not None and current.speaker == person_id:
            return self._emit(*self._then_next_step(self._ending("person_removed", "left", id=person_id)))
        event = self._event("person_removed", id=person_id)
        mended = self._mended(state, leaving=person_id)  # mid-breakout: the rest are regrouped
        return self._emit(event, *([mended] if mended else []))

    def skip_step(self) -> list[Event]:
        state = self._live()
        run = state.run
        if run is None or run.ended_at is not None:
            raise CommandRejected("no step is running")
        # As the fold has it: a turn under way that has had time counts as done.
        return self._emit(*self._then_next_step(self._ending("step_skipped", "done", untimed="skipped")))

    def end(self) -> list[Event]:
        self._live()
        # As the fold has it: a turn under way is cut short ("ended"), or was never reached.
        return self._emit(self._ending("session_ended", "ended", untimed="todo"))

    def _ending(self, kind: str, status: SlotStatus, untimed: SlotStatus | None = None, **data: Any) -> Event:
        """An event that ends (or leaves) the turn under way, carrying that turn's figures as the
        fold will hold them: who, when its clock first ran, its seconds, allowance and overtime,
        and how it ended (``untimed``: how, if its clock never ran). A turn that ends again (after
        back) carries them again; the last counts."""
        event = self._event(kind, **data)
        state, slot, run = self.state, self.state.current, self.state.run
        if slot is None or run is None:
            return event
        seconds = state.elapsed(event.at)  # the same sum the fold makes when it closes the turn
        turn: dict[str, Any] = {"step": run.index, "slot": state.slot, "label": slot.label, "again": slot.again}
        if slot.speaker is not None:
            turn |= {"person": slot.speaker, "name": state.name(slot.speaker)}
        turn |= {
            "started": slot.started,
            "seconds": seconds,
            "allowed": slot.allotted,
            "overtime": max(0.0, seconds - slot.allotted),
            "status": status if seconds > 0 or untimed is None else untimed,
        }
        event.data["turn"] = turn
        return event

    def note(self, text: str) -> list[Event]:
        if self.state.protocol is None:
            raise CommandRejected("no session has been started")
        text = text.strip()
        if not text:
            raise CommandRejected("the note is empty")
        return self._emit(self._event("note", text=text))

    def log(self, kind: str, data: dict[str, Any]) -> list[Event]:
        """Record an event another module has checked (open space); the session must be live."""
        if kind in ENGINE_KINDS:
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

    def recover(self, since: float) -> list[Event]:
        """Mark the time the app was not running (since ``since``) as paused."""
        self._live()
        return self._emit(self._event("recovered", since=since))
