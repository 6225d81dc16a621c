"""The one escaping rule of circle's Markdown: any line of text shows as typed, in a line, a heading or a cell."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from circle.core import markdown as md

PARSER = MarkdownIt("commonmark").enable("table")
# Markdown's punctuation, digits and spaces, often, with letters, accents and emoji between them.
ALPHABET = st.sampled_from(list("\\`*_[]()<>#|!&;:-+.=~ 1a\tZ") + ["é", "🌱", "ﬁ", "&amp;", "&#35;", "<b>", "\n"])
TEXT = st.lists(ALPHABET, max_size=24).map("".join)


def shown(inline) -> tuple[str, set[str]]:
    kids = inline.children or []
    text = "".join(k.content for k in kids if k.type in ("text", "text_special"))
    return text, {k.type for k in kids} - {"text", "text_special"}


def expected(text: str) -> str:
    return re.sub("\n+", " ", text).strip()  # line breaks are a space; the ends go


def blocks(source: str) -> list[str]:
    return [t.type for t in PARSER.parse(source) if t.nesting >= 0 and t.type != "inline"]


@given(TEXT)
def test_a_list_item_shows_its_text(text):
    tokens = PARSER.parse(f"- {md.inline(text)}\n- next\n")
    items = [i for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert len(items) == 2
    if tokens[items[0] + 1].type == "list_item_close":  # nothing left to show
        assert expected(text) == ""
        return
    assert shown(tokens[items[0] + 2]) == (expected(text), set())


@given(TEXT)
def test_a_line_on_its_own_shows_its_text(text):
    tokens = PARSER.parse(md.inline(text) + "\n")
    if not expected(text):
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert shown(tokens[1]) == (expected(text), set())


@given(TEXT)
def test_a_heading_shows_its_text(text):
    tokens = PARSER.parse(f"## 1. {md.heading(text)}\n")
    assert tokens[0].type == "heading_open"
    assert shown(tokens[1]) == (f"1. {expected(text)}".strip(), set())


@given(TEXT, TEXT)
def test_a_table_keeps_its_columns_and_cells(first, second):
    source = "\n".join(md.table(["Who", second], [[first, second], ["", first]])) + "\n"
    rows = [[]]
    for token in PARSER.parse(source):
        if token.type == "inline":
            rows[-1].append(shown(token))
        elif token.type == "tr_close":
            rows.append([])
    assert rows[:-1] == [
        [("Who", set()), (expected(second), set())],
        [(expected(first), set()), (expected(second), set())],
        [("", set()), (expected(first), set())],
    ]


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("Pipe | Dee", "Pipe \\| Dee"),
        ("1. one", "1\\. one"),
        ("1.5 hours", "1.5 hours"),  # begins no list: left as it reads
        ("-5 points", "-5 points"),
        ("Check-in", "Check-in"),
        ("# hash", "\\# hash"),
        ("tea &amp; cake & more", "tea \\&amp; cake & more"),
        ("Zoë 🌱", "Zoë 🌱"),
    ],
)
def test_only_what_would_be_markup_is_escaped(text, markdown):
    assert md.inline(text) == markdown


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells wide"):
        md.table(["a", "b"], [["only one"]])


def test_code_keeps_its_backticks():
    tokens = PARSER.parse(md.code("a`b") + "\n")
    assert [(k.type, k.content) for k in tokens[1].children if k.content] == [("code_inline", "a`b")]
