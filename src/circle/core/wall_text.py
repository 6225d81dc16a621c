"""Text as the wall draws it (names, notes, prompts): one width that every terminal agrees on.

Terminals disagree on how wide some emoji sequences are: tmux draws "❤️" (a heart
with the emoji variation selector) one cell wide where Textual counts two, and a
waving hand with a skin tone four cells where Textual counts two. Drawn as typed,
such a name pushes the roster's border out of line. On the screen, then, an emoji
is shown in its plain form: every character is as wide as its own code point says,
whichever terminal draws it. Bidirectional controls are left out too, so that a
pasted override cannot turn the rest of a line around on a terminal that honours
it. The log, the exports and the phone page keep every name exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata

# Variation selectors (text or emoji presentation), skin-tone modifiers and the tags
# that spell a subdivision flag: each changes a glyph's width on some terminals only.
_PRESENTATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
# Bidirectional marks, embeddings, overrides and isolates.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ZWJ = "\u200d"


def wall_text(typed: str) -> str:
    """``typed`` with its emoji in their plain form and no bidirectional controls."""
    if typed.isascii():
        return typed
    text = _BIDI.sub("", _PRESENTATION.sub("", typed))
    if _ZWJ in text:
        text = _unjoin_emoji(text)
    return text


def _unjoin_emoji(text: str) -> str:
    """Drop the joiners between emoji ("👩‍👩‍👧" becomes three faces); a joiner inside a word
    of Indic or Arabic script shapes its letters and stays."""
    kept = []
    for i, char in enumerate(text):
        if char == _ZWJ and (_is_symbol(text[i - 1 : i]) or _is_symbol(text[i + 1 : i + 2])):
            continue
        kept.append(char)
    return "".join(kept)


def _is_symbol(char: str) -> bool:
    return bool(char) and unicodedata.category(char) == "So"


def codepoint_width(text: str) -> int:
    """Cells ``text`` takes on a terminal that measures one code point at a time (wcwidth's
    rule: marks and format characters take none, wide and full-width characters two).
    Textual measures whole graphemes; for text from :func:`wall_text` the two agree."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width
