"""CSV as circle writes it, in one place: the session export, the ledger and `circle mix`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# LF, as every other text circle writes (Markdown, JSON, the chat text); every spreadsheet reads
# it as readily as the CRLF that Python's csv module writes unless told otherwise.
LINE_END = "\n"


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows (the header first) as CSV text, quoted where a cell needs it."""
    out = io.StringIO()
    csv.writer(out, lineterminator=LINE_END).writerows(rows)
    return out.getvalue()
