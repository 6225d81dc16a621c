"""A QR code drawn in the terminal with half blocks: two rows of modules to a line of text.

Light modules are drawn (full and half blocks in white) and dark ones left as the
black background, with a quiet zone all round, so a phone reads it off a projector
the way it reads one printed on paper.
"""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M

BLOCKS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_matrix(text: str, quiet: int = 2) -> list[list[bool]]:
    """Rows of modules, True where light (the quiet zone included)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=quiet)
    code.add_data(text)
    code.make(fit=True)
    return [[not dark for dark in row] for row in code.get_matrix()]


def qr_lines(text: str, quiet: int = 2, scale: int = 1) -> list[str]:
    """The QR code of ``text`` as lines of half blocks (each line is two rows of pixels),
    each module ``scale`` columns wide and ``scale`` pixel rows tall (larger for a big screen)."""
    light = [[lit for lit in row for _ in range(scale)] for row in qr_matrix(text, quiet) for _ in range(scale)]
    if len(light) % 2:
        light.append([True] * len(light[0]))  # the quiet zone continues below
    return [
        "".join(BLOCKS[top, bottom] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(light[::2], light[1::2], strict=True)
    ]


def qr_scale(text: str, width: int, height: int, quiet: int = 2) -> int:
    """The largest scale at which the code fits in ``width`` columns and ``height`` lines (at least 1)."""
    modules = len(qr_matrix(text, quiet))
    return max(1, min(width // modules, (height * 2) // modules))
