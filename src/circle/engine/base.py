"""What every command of a live session stands on: its state, its clock, and emitting events.

:class:`~circle.engine.session.Session` is this plus its commands, which sit by concern in
their own modules (the turn flow, breakouts, reciprocity moments).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from circle.core.clock import Clock
from circle.core.events import Event
from circle.engine.fold import apply, fold
from circle.engine.state import State
from circle.mixer import Rounds

Sink = Callable[[list[Event]], None]


class CommandRejected(Exception):
    """A command that makes no sense now; the message is shown to the facilitator."""


class SessionBase:
    """A session's state and how an event gets into it: recorded by ``sink`` first, then folded.

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
        self.group_history: Callable[[], Rounds] | None = None

    def _emit(self, *events: Event) -> list[Event]:
        self.sink(list(events))
        for event in events:
            apply(self.state, event)
        return list(events)

    def _event(self, kind: str, **data: Any) -> Event:
        return Event(kind, self.clock.now(), data)

    def _live(self) -> State:
        if self.state.protocol is None:
            raise CommandRejected("no session has been started")
        if self.state.ended:
            raise CommandRejected("this session has ended")
        return self.state
