"""A speaking queue: in an open step with ``queue``, people raise a hand and are called in turn.

Hands come from the wall (the facilitator's keys) or a phone, and say so (``source``). A call
ends the turn under way and gives the next person waiting a timed turn; the turn's clock is
the block's, so pausing the block pauses it. Back undoes the last call.
"""

from __future__ import annotations

from circle.core.events import Event
from circle.engine.base import CommandRejected, SessionBase
from circle.engine.state import HandQueue, Source, State


class Queueing(SessionBase):
    """The speaking queue's commands of a session."""

    def _queue(self) -> tuple[State, HandQueue]:
        state = self._live()
        queue = state.queue
        if queue is None:
            raise CommandRejected("hands are for a step with a speaking queue")
        return state, queue

    def raise_hand(self, person: str, respond: bool = False, source: Source = "wall") -> list[Event]:
        """``person`` waits to speak; ``respond``: to answer the point now, before the queue."""
        state, queue = self._queue()
        name = state.name(person)
        if person not in state.present:
            raise CommandRejected(f"'{name}' is not in the room")
        speaking = queue.speaking
        if respond:
            if queue.respond is not None:
                first = state.name(queue.respond.person)
                raise CommandRejected(f"{first}'s response is waiting; one response at a time")
            if speaking is not None and speaking.person == person:
                raise CommandRejected(f"{name} is speaking now")
        elif any(h.person == person for h in queue.hands):
            raise CommandRejected(f"{name} already has a hand up (number {queue.place(person)})")
        return self._emit(self._event("hand_raised", person=person, respond=respond, source=source))

    def lower_hand(self, person: str, source: Source = "wall") -> list[Event]:
        state, queue = self._queue()
        if queue.place(person) is None:
            raise CommandRejected(f"{state.name(person)} has no hand up")
        return self._emit(self._event("hand_lowered", person=person, source=source))

    def move_hand(self, person: str, by: int) -> list[Event]:
        """Move a hand ``by`` places (negative: sooner). A direct response is always first."""
        state, queue = self._queue()
        at = next((i for i, h in enumerate(queue.hands) if h.person == person), None)
        if at is None:
            raise CommandRejected(f"{state.name(person)} has no hand up in the queue")
        if not 0 <= at + by < len(queue.hands):
            raise CommandRejected(f"{state.name(person)} is already {'first' if by < 0 else 'last'}")
        return self._emit(self._event("hand_moved", person=person, by=by))

    # -- the turn flow's keys, in a queue step ---------------------------------------------
    def _call_next(self, status: str) -> list[Event]:
        """End the turn under way (``status``) and call whoever waits first, if anyone does."""
        _, queue = self._queue()
        waiting = queue.waiting()
        data: dict = {"status": status, "person": None}
        if waiting:
            data |= {"person": waiting[0].person, "respond": waiting[0].respond}
        return self._emit(self._event("queue_called", **data))

    def _queue_next(self) -> list[Event] | None:
        """n in a queue step: call the next hand, or close the turn; None when the block itself ends."""
        queue = self.state.queue
        if queue is None or not (queue.waiting() or queue.speaking):
            return None
        return self._call_next("done")

    def _queue_pass(self) -> list[Event] | None:
        queue = self.state.queue
        if queue is None:
            return None
        if queue.speaking is None:
            raise CommandRejected("no one has been called; n calls the next hand")
        return self._call_next("passed")

    def _queue_back(self) -> list[Event] | None:
        """b in a queue step: undo the last call (None when there is none to undo)."""
        state = self.state
        queue = state.queue
        if queue is None or not queue.turns:
            return None
        last = queue.turns[-1]
        if queue.speaking is None and not (last.status in ("done", "passed") and last.person in state.present):
            return None
        return self._emit(self._event("queue_back"))

    def _queue_adjust(self, seconds: int) -> list[Event] | None:
        """+ and - in a queue step: the turn of whoever speaks (the block, if no one does)."""
        queue = self.state.queue
        speaking = queue.speaking if queue is not None else None
        if speaking is None:
            return None
        if seconds < 0 and speaking.allotted == 0:
            raise CommandRejected("this turn has no time left to take away")
        return self._emit(self._event("time_adjusted", seconds=seconds, queue=True))
