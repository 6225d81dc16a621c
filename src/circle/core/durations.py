"""Durations written the way people write them: ``90s``, ``2m``, ``1h30m``."""

from __future__ import annotations

import math
import re

from circle.core.errors import InputError, shown

# [0-9], not \d: int() would fail on other digits that \d and isdigit() accept, such as "²".
_PART = re.compile(r"([0-9]+)\s*(h|m|s)")
_WHOLE = re.compile(r"^\s*(?:[0-9]+\s*[hms]\s*)+$")
_UNIT = {"h": 3600, "m": 60, "s": 1}
MAX_SECONDS = 7 * 24 * 3600  # a week: anything longer is a typo, and keeps the numbers small for the store
_HINT = "write it like 90s, 2m or 1h30m"


def parse_duration(value: object) -> int:
    """Return whole seconds for ``90``, ``"90s"``, ``"2m"``, ``"1h30m"`` or ``"1m 30s"``.

    Raises ``ValueError`` with a message fit to show a facilitator.
    """
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a duration; {_HINT}")
    if isinstance(value, float):
        if math.isnan(value):
            raise InputError(f"{value!r} is not a duration; {_HINT}")
        if value < 0:
            raise InputError(f"duration {value:g} is negative; it must be zero or more")
        return _at_most_a_week(value, f"{value:g}")
    if isinstance(value, int):
        if value < 0:
            raise InputError(f"duration {shown(value)} is negative; it must be zero or more")
        return _at_most_a_week(value, shown(value))
    if not isinstance(value, str):
        raise InputError(f"{shown(value)} is not a duration; {_HINT}")
    text = value.strip().lower()
    if text.startswith("-"):
        raise InputError(f"duration {shown(value)} is negative; it must be zero or more")
    if text.isascii() and text.isdigit():
        return _at_most_a_week(_number(text), shown(value))
    if not _WHOLE.match(text):
        raise InputError(f"cannot read duration {shown(value)}; {_HINT}")
    parts = _PART.findall(text)
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units) or units != sorted(units, key=lambda u: -_UNIT[u]):
        raise InputError(f"cannot read duration {shown(value)}; give hours, minutes, seconds in order")
    # "1h70m" is a typo for something (1h07m? 1h10m?), not 2h10m: after a larger unit, 0 to 59.
    for n, unit in parts[1:]:
        if unit in "ms" and _number(n) > 59:
            word = "minutes" if unit == "m" else "seconds"
            raise InputError(f"cannot read duration {shown(value)}: after hours or minutes, {word} go up to 59")
    return _at_most_a_week(sum(_number(n) * _UNIT[unit] for n, unit in parts), shown(value))


def _number(digits: str) -> float:
    # int() refuses more than 4,300 digits; anything past twelve is far beyond a week anyway.
    return int(digits) if len(digits.lstrip("0")) <= 12 else math.inf


def _at_most_a_week(seconds: float, written: str) -> int:
    if seconds > MAX_SECONDS:
        raise InputError(f"duration {written} is longer than a week; it must be at most 168h")
    return round(seconds)


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
