"""Hands from phones: a participant picks their name once, then raises or lowers their hand.

A phone says who it is with a random id it keeps (no cookies, no accounts). The first phone to
pick a name holds it; a second phone asking for the same name waits for the facilitator's yes on
the wall, so one phone cannot raise hands for everyone. Every hand goes to the wall's own
command (``act``), which logs it with its source, and the answer says where the phone stands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from circle.core.names import name_key

ACTIONS = ("claim", "raise", "respond", "lower")
# What the wall does with a hand: (name, action) -> None when done, or why not in a sentence.
Act = Callable[[str, str], str | None]


@dataclass
class PhoneLimit:
    """Hands are a few taps a minute: ``burst`` at once, then one every ``every`` seconds, per phone."""

    burst: float = 6.0
    every: float = 2.0
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, phone: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, when = self.buckets.get(phone, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) / self.every)
        if tokens < 1:
            self.buckets[phone] = (tokens, now)
            return False
        self.buckets[phone] = (tokens - 1, now)
        if len(self.buckets) > 10_000:
            for key in list(self.buckets)[:5_000]:
                del self.buckets[key]
        return True


class HandDesk:
    """Which phone holds which name, and the hands they send; the wall answers through ``act``."""

    def __init__(self, act: Act | None = None, ask: Callable[[str], None] | None = None):
        self.act = act  # None: the step has no queue wiring (the page says hands are not taken)
        self.ask = ask  # asks the facilitator to let a second phone have a name
        self.holders: dict[str, str] = {}  # name key -> the phone that holds it
        self.waiting: dict[str, str] = {}  # name key -> a second phone waiting for the wall's yes
        self.refused: set[tuple[str, str]] = set()  # (name key, phone) the facilitator said no to
        self.limit = PhoneLimit()

    def request(self, phone: str, name: str, action: str) -> tuple[int, dict]:
        """A phone's request: the HTTP status and what the page is told."""
        if not (isinstance(phone, str) and 8 <= len(phone) <= 64 and isinstance(name, str) and name.strip()):
            return 400, {"error": "a hand needs this phone's id and a name"}
        if action not in ACTIONS:
            return 400, {"error": f"unknown action {action!r}; one of {', '.join(ACTIONS)}"}
        if not self.limit.allow(phone):
            return 429, {"error": "too many taps; wait a moment"}
        key = name_key(name)
        holder = self.holders.get(key)
        if holder is None:
            self.holders[key] = phone
        elif holder != phone:
            if (key, phone) in self.refused:
                return 403, {"error": f"the facilitator kept {name} for another phone"}
            if self.waiting.get(key) != phone:
                self.waiting[key] = phone
                if self.ask is not None:
                    self.ask(name)
            return 202, {"waiting": f"another phone already picked {name}: the facilitator is asked"}
        if action == "claim":
            return 200, {"ok": True}
        if self.act is None:
            return 409, {"error": "the wall is not taking hands now"}
        refused = self.act(name, action)
        if refused is not None:
            return 409, {"error": refused}
        return 200, {"ok": True}

    def decide(self, name: str, yes: bool) -> None:
        """The facilitator's answer to a second phone asking for ``name``."""
        key = name_key(name)
        phone = self.waiting.pop(key, None)
        if phone is None:
            return
        if yes:
            self.holders[key] = phone  # the first phone no longer holds it
        else:
            self.refused.add((key, phone))
