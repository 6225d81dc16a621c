"""The base of every problem circle words for a person: one line, what and where.

It lives on its own so the command line can catch any of them without loading
the modules that raise them (a quicker start).
"""

from __future__ import annotations

import unicodedata
from typing import TextIO

# Characters that end a line (for str.splitlines or a terminal) or steer a terminal, shown escaped
# so a message that quotes what was typed stays one line: "\n", "\x1b".
_CONTROLS = {c: repr(chr(c))[1:-1] for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029] if c != 0x09}


def not_text(name: str) -> bool:
    """Whether a typed name holds a control code (it would garble the wall) or a lone surrogate
    (bytes that were not UTF-8, which cannot be stored)."""
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in name)


def printable(line: str, stream: TextIO) -> str:
    """``line`` as ``stream`` can take it: what it cannot encode (undecodable bytes typed in an
    argument, say) is written as an escape such as ``\\udcff`` rather than raising."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return line.encode(encoding, "backslashreplace").decode(encoding)


class CircleError(Exception):
    """A problem worded for the facilitator; ``str()`` is what they read."""


class InputError(CircleError, ValueError):
    """A value that cannot be read (a duration, an export format). A ValueError as well, so where a
    protocol's model reads the value, pydantic reports the message at the field it came from."""


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped, as ``\\n``."""
    return text.translate(_CONTROLS)


def shown(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut short; a list or mapping is only named."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 14_000:
        return "a number with thousands of digits"  # repr() refuses past 4,300 digits
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 4] + "..." + (text[0] if text[0] in "'\"" else "")
