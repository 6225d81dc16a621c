"""Wiring between the engine and the store: start, reopen and recover sessions."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from circle.core.clock import Clock
from circle.core.events import Event
from circle.engine import ReplayError, Session, check_roster, fold, met_in
from circle.protocol.models import Protocol
from circle.store import DamagedSession, SessionRow, Store

HEARTBEAT = 1.0  # seconds: how often a running session records that the app is alive


@dataclass(frozen=True)
class StartRequest:
    """Start this protocol with these people as soon as the app opens."""

    protocol_id: str
    names: list[str]
    group: str | None = None  # run for this saved group: attendance is taken against it


def start_session(
    store: Store,
    protocol: Protocol,
    names: list[str],
    clock: Clock,
    rng: random.Random | None = None,
    group: str | None = None,
) -> Session:
    """Check the roster, save the people, log the session and its first events.

    Run for a saved ``group``, the group's members who are not among ``names``
    are logged as absent (the attendance taken at the start).
    """
    names = check_roster(names)
    people = store.people_named(names)
    group_ref, absent = None, []
    if group is not None:
        group_ref = store.group(group)
        here = {p.id for p in people}
        absent = [p for p in store.group_members(group) if p.id not in here]
    session_id = str(uuid.uuid4())
    created_at, group_id = clock.now(), group_ref and group_ref["id"]
    logged = False

    def sink(events: list[Event]) -> None:
        # The session's row goes in with its first events, in one transaction.
        nonlocal logged
        if logged:
            store.append(session_id, events)
        else:
            store.create_session(session_id, protocol.id, protocol.title, created_at, group_id, events=events)
            logged = True

    history = _group_history(store, group_ref["id"], session_id) if group_ref else None
    return Session.create(
        protocol,
        people,
        clock,
        sink=sink,
        session_id=session_id,
        rng=rng,
        group=group_ref,
        absent=absent,
        group_history=history,
    )


def _group_history(store: Store, group_id: str, session_id: str):
    """Who met whom in the group's earlier sessions (read once, when a breakout first needs it)."""
    cache: list = []

    def history() -> list[list[list[str]]]:
        if not cache:
            met = []
            for sid in store.breakout_sessions(group_id):
                if sid == session_id:
                    continue
                try:
                    met += met_in(fold(store.events(sid)))
                except (ReplayError, DamagedSession):
                    continue  # a damaged session's tables are not history to plan by (circle check says where)
            cache.append(met)
        return cache[0]

    return history


def replayable_events(store: Store, session_id: str) -> list[Event]:
    """A session's events, checked to replay from first to last; else a DamagedSession saying where."""
    events = store.events(session_id)
    try:
        fold(events)
    except ReplayError as exc:
        raise DamagedSession(session_id, exc.index, exc.event.kind, str(exc.cause) or "it cannot be replayed") from None
    return events


def open_session(store: Store, session_id: str, clock: Clock) -> Session:
    """Rebuild a session from its events, ready to take more commands (DamagedSession if it cannot be)."""
    events = store.events(session_id)
    try:
        session = Session(clock, events, sink=lambda new: store.append(session_id, new))
    except ReplayError as exc:
        raise DamagedSession(session_id, exc.index, exc.event.kind, str(exc.cause) or "it cannot be replayed") from None
    group = session.state.group
    if group is not None:
        session.group_history = _group_history(store, group["id"], session_id)
    return session


def heartbeat_due(now: float, last: float, tick: float) -> bool:
    """Should the screen's tick at ``now`` record a heartbeat, the last having been at ``last``?

    Ticks come every ``tick`` seconds, each woken a little late. Waiting for a full second would
    often skip to the tick after (1.2 s apart with 0.2 s ticks); the tick nearest a second counts.
    The screen records the heartbeat before it paints, so after a crash a running turn has lost
    at most the ticks painted since the last one: under a second of what the wall showed.
    """
    return now - last >= HEARTBEAT - tick / 2


def resumable(store: Store) -> SessionRow | None:
    """The most recent session that was never ended (the app died, or was quit)."""
    rows = store.sessions(limit=1, unfinished=True)
    return rows[0] if rows else None


def resume_session(store: Store, row: SessionRow, clock: Clock) -> Session:
    """Reopen an unfinished session; the time the app was away counts as paused."""
    session = open_session(store, row.id, clock)
    if session.state.running:
        session.recover(since=max(row.last_seen, session.state.last_at or row.last_seen))
    return session
