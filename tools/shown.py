"""What the app shows, read through Textual's public API: its toasts, and its screen's lines."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import App

if TYPE_CHECKING:
    import pytest

_LINE = re.compile(r'<clipPath id="[^"]*-line-0">\s*<rect x="0" y="[^"]*" width="([^"]+)"')
_TEXT = re.compile(r'<text [^>]*\bx="([^"]+)" [^>]*clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>')


def watch_notices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every toast from now on, as (message, severity), in the order shown (kept after it fades)."""
    seen: list[tuple[str, str]] = []
    notify = App.notify

    def watched(app: App, message: str, *, severity: str = "information", **options) -> None:
        seen.append((message, severity))
        notify(app, message, severity=severity, **options)

    monkeypatch.setattr(App, "notify", watched)
    return seen


def screen_lines(app: App) -> list[str]:
    """The screen's lines as they are sent to the terminal, read back from ``export_screenshot``.

    The SVG places each run of text at its first cell and leaves out runs of spaces; a line is
    its runs in order with those spaces put back, so each character is the one drawn there."""
    svg = app.export_screenshot()
    width, height = app.size
    found = _LINE.search(svg)
    assert found is not None, "no line in the screenshot"
    cell = float(found.group(1)) / width  # the width of one cell in the drawing
    runs: dict[int, list[tuple[int, str]]] = {}
    for x, line, text in _TEXT.findall(svg):
        runs.setdefault(int(line), []).append((round(float(x) / cell), html.unescape(text.replace("&#160;", " "))))
    lines = []
    for y in range(height):
        line, at = "", 0
        for column, text in sorted(runs.get(y, [])):
            line += " " * (column - at) + text
            at = column + cell_len(text)  # as the drawing counts its cells
        lines.append(line + " " * (width - at))
    return lines
