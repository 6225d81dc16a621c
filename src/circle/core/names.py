"""Typed names: the one rule for what a name may be, and when two names are one person's.

It lives on its own (no pydantic, no SQLite) so the engine, the store, the mixer, the dialogs
and the command line all load it cheaply and cannot disagree. (Saved people are found by a
lower-case key stored with them; since schema 6 it is made from the composed form too.)
"""

from __future__ import annotations

import unicodedata

from circle.core.errors import CircleError, shown

# Characters that end a line, in any of Unicode's ways: a name is one line.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Characters that take no room and show nothing: "An\u200ba" would look like Ana and be someone
# else. (Joiners are kept where scripts need them; see _stray_joiner.)
INVISIBLE = frozenset("\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u034f\u115f\u1160\u3164\uffa0")
JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ: part of how Persian, Indic scripts and emoji are written


class NameProblem(CircleError, ValueError):
    """A typed name that cannot be kept as a person's name (one line, saying why)."""


def _stray_joiner(name: str, i: int) -> bool:
    """A joiner at an edge, by a space or beside a Latin letter joins nothing a script needs."""
    before = name[i - 1] if i else " "
    after = name[i + 1] if i + 1 < len(name) else " "
    return any(c.isspace() or c.isascii() for c in (before, after))


def clean_name(name: str) -> str:
    """A typed name as it is kept: one line, nothing invisible or unprintable, spaces collapsed,
    in Unicode's composed form (NFC), so "Rene\u0301e" is the same person as "Renée".

    Raises :class:`NameProblem` saying what is wrong.
    """
    if any(c in LINE_BREAKS for c in name):
        raise NameProblem(f"the name {shown(name)} has a line break; a name is one line")
    if any(unicodedata.category(c) in ("Cc", "Cs") and c != "\t" for c in name):  # a tab is a space
        raise NameProblem(f"the name {shown(name)} has a character that is not text; type it again")
    if any(c in INVISIBLE for c in name) or any(c in JOINERS and _stray_joiner(name, i) for i, c in enumerate(name)):
        raise NameProblem(f"the name {shown(name)} has an invisible character; type it again")
    return unicodedata.normalize("NFC", " ".join(name.split()))


def name_key(name: str) -> str:
    """How names are compared: spaces folded, composed form (NFC), case ignored in every script.

    Upper-cased before case-folding, so that a name typed in capitals is the same person
    whichever lower-case letter it came from: "ı" and "i" are both "I" in capitals.
    """
    return unicodedata.normalize("NFC", " ".join(name.split())).upper().casefold()


def stored_key(name: str) -> str:
    """The key a saved person is found by: the cleaned name, case-folded."""
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()
