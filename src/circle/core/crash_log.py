"""The last resort: what went wrong, written to a file for whoever fixes it, never to the wall.

A traceback on a projector shows the room what the code was holding (a note's text among
the locals); the facilitator sees one line saying what stopped circle and where the details
are. The file holds the traceback without its locals, and the versions.
"""

from __future__ import annotations

import platform
import sys
import time
import traceback
from pathlib import Path

from circle.core import about
from circle.core.errors import one_line
from circle.core.resources import user_dir


def write(error: BaseException) -> Path | None:
    """The details of ``error`` in a new file under the user folder's logs/; None if it cannot be written."""
    folder = user_dir() / "logs"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}.txt"
        n = 1
        while path.exists():  # two in one second: never overwrite the first
            n += 1
            path = folder / f"crash-{stamp}-{n}.txt"
        lines = [
            f"circle {about.version()} on Python {platform.python_version()} ({platform.platform()})",
            f"at {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
            "argv: " + " ".join(sys.argv[1:]),
            "",
            *traceback.format_exception(type(error), error, error.__traceback__),
        ]
        path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
        return path
    except OSError:
        return None


def message(error: BaseException, path: Path | None) -> str:
    """One line for the facilitator: what stopped circle, that nothing is lost, where the details are."""
    what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    where = f"details in {path}" if path else "the details could not be written (is the disk full?)"
    return one_line(
        f"circle stopped on an unexpected problem ({what[:160]}); what was recorded is kept and "
        f"`circle` offers to resume a session; {where}"
    )
