"""When two typed names are one person's: the rule a roster, a group and the mixer compare by.

It lives on its own (no pydantic, no SQLite) so the engine, the store, the mixer and the
command line all load it cheaply and cannot disagree. (Saved people are found by the
lower-case key stored with them since the first schema; the two differ only for a few
letters such as the dotless "ı".)
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """How names are compared: spaces folded, composed form (NFC), case ignored in every script.

    Upper-cased before case-folding, so that a name typed in capitals is the same person
    whichever lower-case letter it came from: "ı" and "i" are both "I" in capitals.
    """
    return unicodedata.normalize("NFC", " ".join(name.split())).upper().casefold()
