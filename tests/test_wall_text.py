"""Names on the wall take the same width in every terminal (see circle.core.wall_text)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from circle.core.wall_text import codepoint_width, wall_text
from tools.gallery import WORLD_PEOPLE


@pytest.mark.parametrize("name", WORLD_PEOPLE)
def test_every_terminal_gives_a_name_on_the_wall_one_width(name):
    shown = wall_text(name)
    assert cell_len(shown) == codepoint_width(shown), repr(shown)


def test_the_names_that_need_it_really_disagree_as_typed():
    # Without wall_text these would push a border out of line on one kind of terminal or the other.
    for typed in ("Renée ❤\ufe0f", "Aroha 👋🏽", "👩\u200d👩\u200d👧 Kim"):
        assert cell_len(typed) != codepoint_width(typed), repr(typed)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Renée ❤\ufe0f", "Renée ❤"),
        ("Aroha 👋🏽", "Aroha 👋"),
        ("👩\u200d👩\u200d👧 Kim", "👩👩👧 Kim"),
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Iona", "🏴 Iona"),
        ("\u202eAna", "Ana"),  # an override would turn the rest of the line around
        ("\u2067دنيا\u2069", "دنيا"),
        ("李小龍", "李小龍"),
        ("José", "José"),
        ("🇯🇵 Aki", "🇯🇵 Aki"),  # a flag is two cells everywhere
    ],
)
def test_emoji_are_shown_plain_and_bidirectional_controls_left_out(typed, shown):
    assert wall_text(typed) == shown


def test_a_joiner_that_shapes_letters_stays():
    # In Devanagari and Persian the zero-width joiner changes how letters join; it is not an emoji's.
    assert wall_text("क्\u200dष") == "क्\u200dष"
