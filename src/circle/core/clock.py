"""Clocks: the engine asks one for the time instead of reading the wall itself."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """Wall-clock time, so timestamps stay meaningful across restarts."""

    def now(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to (tests, snapshots, benchmarks)."""

    def __init__(self, start: float = 1_790_000_000.0):
        self.t = float(start)

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
