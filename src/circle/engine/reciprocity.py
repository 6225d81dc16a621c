"""Reciprocity moments: what a facilitator records during a session for the group's ledger.

Everyone listened, an offer, an ask, a conflict opened or resolved, co-ownership; each is an
event, and taking one back is an event too (``undone``), never a deletion.
"""

from __future__ import annotations

import uuid

from circle.core.events import Event
from circle.engine.base import CommandRejected, SessionBase
from circle.engine.fold import live_records
from circle.engine.state import State


class Reciprocity(SessionBase):
    """The reciprocity commands of a session."""

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
