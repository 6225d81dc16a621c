"""Durations written the way people write them: ``90s``, ``2m``, ``1h30m``."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+)\s*(h|m|s)")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[hms]\s*)+$")
_UNIT = {"h": 3600, "m": 60, "s": 1}


def parse_duration(value: object) -> int:
    """Return whole seconds for ``90``, ``"90s"``, ``"2m"``, ``"1h30m"`` or ``"1m 30s"``.

    Raises ``ValueError`` with a message fit to show a facilitator.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write it like 90s, 2m or 1h30m")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"duration {value} is negative; it must be zero or more")
        return value
    if isinstance(value, float):
        if value < 0:
            raise ValueError(f"duration {value:g} is negative; it must be zero or more")
        return round(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration; write it like 90s, 2m or 1h30m")
    text = value.strip().lower()
    if text.startswith("-"):
        raise ValueError(f"duration {value!r} is negative; it must be zero or more")
    if text.isdigit():
        return int(text)
    if not _WHOLE.match(text):
        raise ValueError(f"cannot read duration {value!r}; write it like 90s, 2m or 1h30m")
    units = [unit for _, unit in _PART.findall(text)]
    if len(set(units)) != len(units) or units != sorted(units, key=lambda u: -_UNIT[u]):
        raise ValueError(f"cannot read duration {value!r}; give hours, minutes, seconds in order")
    return sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(text))


def format_duration(seconds: float) -> str:
    """Short human form: ``45s``, ``2m``, ``2m 30s``, ``1h 05m``."""
    total = int(round(abs(seconds)))
    sign = "-" if seconds < 0 and total else ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes and secs:
        return f"{sign}{minutes}m {secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def format_clock(seconds: float) -> str:
    """Countdown form: ``4:05`` or ``1:02:03`` (fractions of a second are dropped)."""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
