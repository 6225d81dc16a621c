"""Text put into Markdown so it shows as typed: a name, a note or a title, in a line or a table cell.

Every Markdown writer (session notes, the ledger, Two Loops) passes what people typed through
here, so `Pipe | Dee` stays in its cell and `*star*` is not emphasis. Only what CommonMark and
GitHub's tables would read as markup is escaped, with a backslash (which every renderer that
reads Markdown takes away), so the file still reads well where nothing renders it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from circle.core.names import LINE_BREAKS

# Markup wherever it stands: a backslash, code, emphasis, links and images, HTML and autolinks,
# strikethrough, and the pipe that ends a table cell (escaped in lines too, so text reads the
# same in a table and out of one). An underscore inside a word ("open_space") emphasises nothing.
_ANYWHERE = re.compile(r"[\\`*\[\]<~|]|(?<![^\W_])_|_(?![^\W_])")
# "&amp;" typed in a note is those five characters, not an ampersand.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line, or just after "- " or "## ": a heading, a quote, a list item ("- ",
# "+ ", "1. ", "2) "), or a line of dashes or equals signs (a rule, or a heading's underline).
# "-5 points" and "1.5 hours" begin nothing, and keep their look.
_BLOCK = re.compile(r"^(?:[#>]|[-+](?=\s|$)|[-=](?=[-=\s]*$)|\d{1,9}(?=[.)](?:\s|$)))")
# A heading's closing run: "Tag #" (or "#" after "## 1. ") would lose its "#".
_CLOSING = re.compile(r"(?:(?<=\s)|^)#(?=#*$)")
_BREAKS = re.compile("[" + re.escape("".join(sorted(LINE_BREAKS))) + "]+")


def heading(text: str) -> str:
    """``text`` as a heading's words after its hashes (or in a table cell): it shows exactly them.

    Line breaks become a space, so a note cannot end a heading, list item or row early;
    spaces at the ends go, as Markdown drops them anyway.
    """
    text = _BREAKS.sub(" ", text).strip()
    text = _ENTITY.sub(r"\\&", _ANYWHERE.sub(r"\\\g<0>", text))
    return _CLOSING.sub(r"\\#", text)


def inline(text: str) -> str:
    """``text`` as Markdown that shows exactly it, safe at the start of a line or after "- " too."""
    text = heading(text)
    match = _BLOCK.match(text)
    if match is None:
        return text
    end = match.end()
    if match.group().isdigit():  # "1. one": the dot makes the list, so the dot is escaped
        return f"{text[:end]}\\{text[end:]}"
    return f"\\{text}"


class Markdown(str):
    """Text that is Markdown already, written as it stands."""


def code(text: str) -> Markdown:
    """``text`` as inline code, in a fence of more backticks than it holds (no pipes: a table splits on them)."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


def cell(text: str) -> str:
    """``text`` as a table cell: one cell, whatever pipes or line breaks it holds."""
    return text if isinstance(text, Markdown) else heading(text)  # a cell is inline: nothing in it opens a block


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] = ()) -> list[str]:
    """A GFM table's lines, each cell escaped (but :class:`Markdown`), every row as wide as its header.

    ``align`` holds a column's delimiter, "---" (the default) or "---:" (to the right).
    """
    width = len(headers)
    if any(len(row) != width for row in rows):
        raise ValueError(f"a table row is not {width} cells wide")

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join(align or ["---"] * width) + "|"
    return [line([cell(h) for h in headers]), rule, *(line([cell(c) for c in row]) for row in rows)]
