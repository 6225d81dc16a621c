"""The chat export: plain lines that paste into Discord, WhatsApp or Signal, in messages a chat takes whole."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circle.cli import main
from circle.core.clock import FakeClock
from circle.engine import Person, Session
from circle.protocol.loader import load_library
from circle.sessions import start_session
from circle.store import Store
from circle.views.chat import _pack, length, messages
from circle.views.export import render
from circle.views.report import build

TWELVE = ["Ana", "Benedikt", "Carolina", "Dee", "Esi", "Femi", "Gustavo", "Hana", "Ivo", "Jun", "Kemal", "Léa"]
LIBRARY = load_library()


def at(hour: int, minute: int = 0) -> float:
    return datetime(2026, 3, 5, hour, minute, tzinfo=UTC).timestamp()


def share_and_reflect():
    """Twelve people share (3m, one passes, one runs over) and reflect back (1m), with notes."""
    clock = FakeClock(at(18))
    log: list = []
    people = [Person(name.lower(), name) for name in TWELVE]
    session = Session.create(LIBRARY.get("feelz-reflect"), people, clock, sink=log.extend)
    for seconds in (175, 58):
        session.start()
        for n, _ in enumerate(TWELVE):
            if n == 4:
                clock.advance(5)
                session.pass_turn()  # Esi passes; the round comes back to her at its end
                continue
            clock.advance(seconds + (40 if n == 2 else 0))
            if n == 3:
                session.note("Dee asked for a longer turn next time")
            session.next()
        clock.advance(seconds)
        session.next()  # Esi, again
    session.start()
    clock.advance(30)
    session.next()
    session.note("Next circle on Thursday, at the library")
    session.end()
    return session, clock


def table_syntax(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("|") or re.search(r"\|\s*-{3}", line)]


def test_a_twelve_person_share_and_reflect_is_one_message_under_2000_characters():
    session, clock = share_and_reflect()
    report = build(session.state, clock.now(), UTC)
    text = render(report, "text")
    assert length(text) < 2000
    assert messages(report) == [text.rstrip("\n")]  # one message, not numbered
    assert not table_syntax(text)
    assert len(render(report, "md")) > 2000  # what the Markdown of the same session takes
    lines = text.splitlines()
    # the same facts as the Markdown, in the report's own words
    assert lines[0] == "Feelz: share and reflect"
    assert f"Present: {dict(report.facts())['Present']}" in lines
    for step in report.steps:
        assert f"{step.number}. {step.title} ({step.kind}): {report.step_line(step)}" in lines
    assert "Esi 5s passed" in text and "Esi (again)" in text
    assert "Carolina 3m 35s (35s over)" in text
    assert "Esi 4m 03s, 2 turns, 2 passes" in lines
    assert "Carolina 5m 13s, 2 turns, 1m 13s over" in lines
    assert "• 18:48 (Let it land): Next circle on Thursday, at the library" in lines
    for row in report.people_table().rows:
        assert any(line.startswith(f"{row[0]} {row[1]}, {row[2]} turn") for line in lines)


def long_agenda():
    """The two-day gathering, every block with notes, twenty people: more than one message."""
    clock = FakeClock(at(9))
    log: list = []
    people = [Person(f"p{n}", f"Person {n} 🌱") for n in range(20)]
    session = Session.create(LIBRARY.get("dreaming-gathering"), people, clock, sink=log.extend)
    for n in range(40):
        if session.state.current is None:  # every block done
            break
        session.start()
        clock.advance(400)
        for k in range(4):
            session.note(f"note {n}.{k}: the garden, the kitchen rota and who brings the big pot next time")
        session.next()
    return build(session.state, clock.now(), UTC)


def test_a_long_agenda_splits_into_numbered_messages_each_within_the_limit():
    report = long_agenda()
    parts = messages(report)
    assert len(parts) > 1
    for k, part in enumerate(parts, 1):
        assert part.startswith(f"({k}/{len(parts)}) ")
        assert length(part) <= 2000  # as Discord counts: an emoji is two
        assert not table_syntax(part)
    # never split inside a line: every line is whole in one message, in order
    sent = [line for part in parts for line in re.sub(r"^\(\d+/\d+\) ", "", part).splitlines()]
    whole = render(report, "text")
    assert whole.startswith(parts[0])
    for k in range(2, len(parts) + 1):
        assert f"\n\n--- {k}/{len(parts)} ---\n\n({k}/{len(parts)}) " in whole
    notes = [f"• {line}" for line in report.note_lines()]
    assert [line for line in sent if line.startswith("• ") and "note " in line] == notes
    assert any(line == "Facilitator notes (continued)" for line in sent)


def test_a_note_longer_than_a_message_is_cut_between_words():
    clock = FakeClock(at(18))
    log: list = []
    session = Session.create(LIBRARY.get("feelz-checkin"), [Person("a", "Ana"), Person("b", "Ben")], clock, log.extend)
    words = " ".join(f"word{n}" for n in range(900))
    session.note(words)
    parts = messages(build(session.state, clock.now(), UTC))
    assert len(parts) >= 3 and all(length(p) <= 2000 for p in parts)
    body = [re.sub(r"^\(\d+/\d+\) ", "", p).replace("Facilitator notes (continued)\n", "") for p in parts]
    assert words in " ".join(" ".join(body).split())  # every word there, in order, none cut in two


WORDS = st.lists(st.text("wé🌱", min_size=1, max_size=9), max_size=30).map(" ".join)
BLOCKS = st.lists(st.tuples(st.integers(0, 99), st.lists(WORDS, max_size=6)), min_size=1, max_size=6)


@given(st.integers(20, 120), BLOCKS)
def test_packing_keeps_every_word_in_order_and_every_message_within_its_budget(budget, drawn):
    blocks = [[f"Title {n}", *lines] for n, lines in drawn]
    packed = _pack(blocks, budget)
    assert all(length(message) <= budget for message in packed)
    shown = [line for message in packed for line in message.split("\n") if not line.endswith(" (continued)")]
    assert " ".join(shown).split() == " ".join(line for block in blocks for line in block).split()


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "x.db")
    session = start_session(store, LIBRARY.get("feelz-checkin"), ["Ana", "Ben"], FakeClock(at(18)))
    session.note("bring tea")
    store.close()
    return tmp_path / "x.db"


def test_circle_export_writes_the_chat_text(capsys, db, tmp_path):
    assert main(["export", "latest", "--format", "text", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Feelz") and "• " in out and "bring tea" in out and not table_syntax(out)
    target = tmp_path / "chat.txt"
    assert main(["export", "latest", "--format", "text", "--db", str(db), "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == out
