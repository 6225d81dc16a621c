"""What a running session's wall does on every tick, without the wall: the heartbeat and the stall.

The live screen ticks every ``TICK`` seconds. While a turn runs, a tick records that the app is
alive when a heartbeat is due (``heartbeat_due``), before the wall is painted, so after a crash a
resume gives back less than a second of what the wall showed. When writes fail (a full disk), the
wall stops at the last moment saved and says why; once saving works again, the time it could not
save counts as paused, as after a crash. The crash trials drive this same ticker without a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from circle.core.clock import Clock
from circle.engine import CommandRejected, Session
from circle.sessions import heartbeat_due
from circle.store import Store, StoreError

TICK = 0.2  # seconds between the wall's checks; widgets change only when the shown second does
STALLED = "The clock stopped at the last moment saved; it goes on once circle can write again."


@dataclass(frozen=True)
class Notice:
    """Something the facilitator is told (the wall shows it as a toast)."""

    message: str
    severity: Literal["information", "warning", "error"] = "information"
    timeout: float = 10.0


def _unheard(notice: Notice) -> None:
    """Nobody to tell (the crash trials)."""


class Ticker:
    """The heartbeat of one running session, and what the wall may show while nothing can be saved."""

    def __init__(
        self,
        session: Session,
        store: Store,
        clock: Clock,
        say: Callable[[Notice], None] = _unheard,
        saved_at: float = 0.0,
    ):
        self.session, self.store, self.clock, self.say = session, store, clock, say
        self.last_touch = 0.0  # when the heartbeat was last tried
        self.saved_at = saved_at  # the last moment the store has heard of
        self.stalled_at: float | None = None  # writes fail: the wall stays at the last moment saved
        self.reason = ""  # why, in a sentence

    def now(self) -> float:
        """The moment the wall shows: the clock's, or while nothing can be saved the last one saved."""
        return self.stalled_at if self.stalled_at is not None else self.clock.now()

    def stalled_message(self) -> str | None:
        """What the wall says instead of its message while nothing can be saved."""
        return None if self.stalled_at is None else f"Not saving: {self.reason} {STALLED}"

    def tick(self) -> None:
        """The wall's tick: the heartbeat first, when one is due, so the paint after it never shows
        a second the store has not heard of (a crash gives back at most the few ticks since)."""
        now = self.clock.now()
        if self.due(now):
            self.beat(now)

    def due(self, now: float) -> bool:
        """Is a heartbeat due on the tick at ``now``? Only while a turn runs; a due one counts as tried."""
        if not (self.session.state.running and heartbeat_due(now, self.last_touch, TICK)):
            return False
        self.last_touch = now
        return True

    def beat(self, now: float) -> None:
        """Record the heartbeat; when it cannot be written the wall stops where it was saved."""
        try:
            self.store.touch(self.session.state.session_id or "", now)
        except StoreError as exc:  # the disk is full, say: the clock stops where it was saved
            self.stall(exc)
        else:
            self.saved_at = now
            if self.stalled_at is not None:
                self.unstall()

    def stall(self, exc: StoreError) -> None:
        """Writes fail while the clock runs: the wall shows the last moment saved, and says why."""
        if self.stalled_at is None and self.session.state.running:
            state = self.session.state
            self.stalled_at = max(self.saved_at, state.last_at or 0.0)
            self.reason = str(exc).split(";")[0].rstrip(".") + "."

    def unstall(self) -> None:
        """Saving works again: the time it could not save counts as paused, as after a crash."""
        since, self.stalled_at = self.stalled_at, None
        if since is None:
            return
        try:
            self.session.recover(since=since)
        except (CommandRejected, StoreError) as exc:
            self.stall(exc if isinstance(exc, StoreError) else StoreError(str(exc)))
            return
        self.say(Notice("saving again; the time it could not save counts as paused: space carries on"))

    def run(self, command: Callable[..., object], *args: object) -> bool:
        """Give a command; True when it was done and saved. A refusal is said, and a command that
        cannot be saved is not done (and stops the wall where it was saved)."""
        refused = self.attempt(command, *args)
        if refused is not None:
            self.say(refused)
        return refused is None

    def attempt(self, command: Callable[..., object], *args: object) -> Notice | None:
        """Give a command; None when it was done and saved, else why not (for whoever asked: the
        wall says it, a phone is told it)."""
        if self.stalled_at is not None:  # first the time that could not be saved, as a pause
            self.unstall()
            if self.stalled_at is not None:
                return Notice(f"not saved, so not done: {self.reason}", "error")
        try:
            command(*args)
        except CommandRejected as exc:
            return Notice(str(exc), "warning", 4)
        except StoreError as exc:
            self.stall(exc)
            return Notice(f"not saved, so not done: {exc}", "error")
        self.saved_at = self.clock.now()
        return None
