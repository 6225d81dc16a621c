"""Block-pixel numerals that grow with the space they are given.

Textual's Digits are three rows tall whatever the terminal size; a projected
countdown has to be legible from the back of a room, so this widget draws a
3x5 pixel font scaled to fill its region, two pixel rows per cell (half blocks).
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

FONT = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    "-": ("...", "...", "###", "...", "..."),
    " ": ("..", "..", "..", "..", ".."),
}
HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def pixels(text: str) -> list[list[bool]]:
    """Five rows of pixels for ``text``, one blank column between glyphs."""
    rows: list[list[bool]] = [[] for _ in range(5)]
    for i, char in enumerate(text):
        glyph = FONT.get(char, FONT[" "])
        for r in range(5):
            if i:
                rows[r].append(False)
            rows[r].extend(c == "#" for c in glyph[r])
    return rows


def scale_for(text: str, width: int, height: int) -> int:
    """The largest whole scale at which ``text`` fits ``width`` x ``height`` cells."""
    px_width = len(pixels(text)[0]) or 1
    return max(1, min(width // px_width, (height * 2) // 5))


def draw(text: str, width: int, height: int) -> list[str]:
    """Lines of half-block characters, centred in ``width`` x ``height``."""
    grid = pixels(text)
    scale = scale_for(text, width, height)
    big = [[px for px in row for _ in range(scale)] for row in grid for _ in range(scale)]
    if len(big) % 2:
        big.append([False] * len(big[0]))
    lines = [
        "".join(HALF[(top, bottom)] for top, bottom in zip(big[i], big[i + 1], strict=True))
        for i in range(0, len(big), 2)
    ]
    pad_top = max(0, (height - len(lines)) // 2)
    pad_left = max(0, (width - len(lines[0])) // 2) if lines else 0
    return [""] * pad_top + [" " * pad_left + line for line in lines]


class BigClock(Widget):
    """Shows ``text`` (digits, colon, plus, minus) as large as fits."""

    DEFAULT_CSS = """
    BigClock {
        height: 1fr;
        min-height: 3;
        width: 1fr;
    }
    """

    text: reactive[str] = reactive("0:00")

    def render(self) -> Content:
        width, height = self.content_size
        if width <= 0 or height <= 0:
            return Content("")
        return Content("\n".join(draw(self.text, width, height)))
