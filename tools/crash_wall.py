"""What the wall showed at a kill, and what a crash copy gives back against it: the view, the notes,
the records, the groups, the ledger and the summary. Used by the crash trials; no Textual here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from circle.core.clock import FakeClock
from circle.engine import Note, Session, State, live_records, met_in
from circle.games.reciprocity.ledger import compute
from circle.games.reciprocity.scoring import ScoringRules
from circle.sessions import HEARTBEAT, open_session
from circle.store import Store
from circle.views.export import UTC, export
from circle.views.live import LiveView, live_view


@dataclass
class Wall:
    """What was on screen at the kill, and what the store had committed."""

    at: float
    view: LiveView | None  # None: the session was not on the wall yet
    notes: list[Note] = field(default_factory=list)
    records: list[tuple] = field(default_factory=list)
    rounds: list = field(default_factory=list)
    met: list = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # ids of the session's committed events, in order
    ledger: list[tuple] = field(default_factory=list)  # every scoring entry, from committed events
    summary: str = ""  # the Markdown export at that moment
    remaining: float = 0.0
    running: bool = False


def snapshot(db: Path, session: Session | None, at: float, committed: list[str], rules: ScoringRules) -> Wall:
    """What the wall shows (painted ``at`` its last tick or command), and what the store holds as
    committed (read on a connection of its own)."""
    now = at
    reader = Store(db, readonly=True)  # sees only committed data, even mid-transaction
    try:
        ledger = list(compute(reader, rules).iter_entries())
        sid = session.state.session_id if session else None
        events = reader.events(sid) if sid else []
        summary = export(events, "md", tz=UTC, now=now) if events else ""
    finally:
        reader.close()
    if session is None:
        return Wall(now, None, ledger=ledger)
    state = session.state
    return Wall(
        now,
        live_view(state, now, rules),
        list(state.notes),
        _records(state),
        _rounds(state),
        met_in(state),
        list(committed),
        ledger,
        summary,
        state.remaining(now),
        state.running,
    )


def compared(wall: Wall, store: Store, sid: str, rules: ScoringRules) -> list[str]:
    """How the session the copy rebuilds differs from the wall at the kill."""
    assert wall.view is not None
    differences = []
    state = open_session(store, sid, FakeClock(wall.at)).state
    view = live_view(state, wall.at, rules)
    for name in LiveView.__dataclass_fields__:
        if getattr(view, name) != getattr(wall.view, name):
            differences.append(f"wall: {name} {getattr(wall.view, name)!r} became {getattr(view, name)!r}")
    if state.notes != wall.notes:
        differences.append("notes differ")
    if _records(state) != wall.records:
        differences.append("reciprocity records differ")
    if _rounds(state) != wall.rounds or met_in(state) != wall.met:
        differences.append("breakout groups differ")
    if export(store.events(sid), "md", tz=UTC, now=wall.at) != wall.summary:
        differences.append("summary (Markdown export) differs")
    return differences


def resumed(wall: Wall, session: Session, now: float, rules: ScoringRules) -> list[str]:
    """The resumed wall against the wall before the kill: the same step, speaker and groups,
    paused where it was running, and less than a heartbeat given back on the clock."""
    assert wall.view is not None
    differences = []
    view = live_view(session.state, now, rules)
    for name in ("step_line", "speaker", "next_line", "roster", "cards", "groups", "records", "allotted"):
        if getattr(view, name) != getattr(wall.view, name):
            differences.append(f"resumed: {name} {getattr(wall.view, name)!r} became {getattr(view, name)!r}")
    was_running = wall.view.phase in ("running", "warning", "overtime")
    expected = ("paused", "ready") if was_running else (wall.view.phase,)
    if view.phase not in expected:
        differences.append(f"resumed: phase {wall.view.phase} became {view.phase}")
    drift = session.state.remaining(now) - wall.remaining  # time the resume gave back
    if (was_running and not -1e-6 <= drift < HEARTBEAT) or (not was_running and abs(drift) > 1e-6):
        differences.append(f"resumed: {drift:+.2f} s on the clock against what the wall showed")
    return differences


def _records(state: State) -> list[tuple]:
    return [(e.id, e.kind, e.at, e.data) for e in live_records(state)]


def _rounds(state: State) -> list:
    return [[list(group) for group in groups] for groups in (state.run.rounds if state.run else [])]
