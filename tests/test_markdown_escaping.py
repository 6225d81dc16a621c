"""Names and notes show in Markdown as typed: parsed back with markdown-it (CommonMark and GFM tables)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from circle.core.clock import FakeClock
from circle.engine import Person, Session
from circle.protocol.loader import load_library, load_protocol
from circle.views.export import export
from circle.views.report import from_events

# Ordinary names that Markdown would read as markup.
AWKWARD = [
    "Pipe | Dee",
    "*star*",
    "_x_",
    "`code`",
    "<b>",
    "# hash",
    "1. one",
    "[link](x)",
    "a\\b",
    "- dash",
    "> quote",
    "+ plus",
    "2) two",
    "Zoë 🌱",
    "Renée & Co",
    "&amp; entity",
    "x ~~struck~~",
    "Tag #",
    "![img](y)",
    "trail\\",
]
SIX_PM = datetime(2026, 3, 5, 18, 0, tzinfo=UTC).timestamp()
PARSER = MarkdownIt("commonmark").enable("table")


def plain(inline: Token) -> str:
    """What an inline run shows as text; markup in it fails the caller's check of ``markup``."""
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "text_special"))


def markup(inline: Token) -> set[str]:
    return {child.type for child in inline.children or []} - {"text", "text_special"}


def tables(text: str) -> list[list[list[Token]]]:
    """Every table: its rows (the header first), each a list of its cells' inline tokens."""
    found, rows, row = [], None, None
    for token in PARSER.parse(text):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            found.append(rows)
            rows = None
    return found


def shown_tables(text: str, code: frozenset[str] = frozenset()) -> list[list[list[str]]]:
    """Every table as text, each checked first: rows as wide as its header, cells free of markup
    (but the columns headed as in ``code``: inline code)."""
    out = []
    for table in tables(text):
        width = len(table[0])
        assert all(len(row) == width for row in table), [[plain(c) for c in row] for row in table]
        for n, row in enumerate(table):
            for head, cell in zip(table[0], row, strict=True):
                allowed = {"code_inline"} if n and plain(head) in code else set()
                assert markup(cell) <= allowed, (plain(cell), markup(cell))
        out.append([[plain(c) for c in row] for row in table])
    return out


def list_items(text: str) -> list[str]:
    """The text of every list item's first paragraph, checked free of markup (the facts aside: bold labels)."""
    tokens = PARSER.parse(text)
    items = []
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            inline = tokens[i + 2]
            assert inline.type == "inline", f"a list item holds a {inline.type}: {tokens[i + 1].type}"
            if inline.content.startswith("**"):
                continue
            assert not markup(inline), (plain(inline), markup(inline))
            items.append(plain(inline))
    return items


def headings(text: str) -> list[str]:
    tokens = PARSER.parse(text)
    return [plain(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]


@pytest.fixture
def awkward_session(tmp_path):
    """A round of everyone in AWKWARD under a step title that is awkward too, with notes of them."""
    yaml = (tmp_path / "odd.yaml").open("w")
    yaml.write(
        "id: odd\ntitle: 'Odd | *names* circle'\ngroup_size: {min: 2, max: 30}\n"
        "steps:\n  - {kind: round, title: 'Round | <one> #', turn: 1m}\n"
    )
    yaml.close()
    protocol = load_protocol(tmp_path / "odd.yaml")
    clock = FakeClock(SIX_PM)
    log: list = []
    people = [Person(f"p{n}", name) for n, name in enumerate(AWKWARD)]
    session = Session.create(protocol, people, clock, sink=log.extend)
    session.start()
    for name in AWKWARD:
        clock.advance(30)
        session.note(name)
        session.next()
    return log


def test_a_session_shows_every_awkward_name_and_note_as_typed(awkward_session):
    text = export(awkward_session, "md", tz=UTC)
    report = from_events(awkward_session, tz=UTC)
    shown = shown_tables(text)
    assert shown[0][0] == report.step_table().headers
    assert shown[0][1:] == report.step_table().rows  # the step title, with its pipe, in one cell
    step = report.steps[0]
    assert shown[1][1:] == report.turn_table(step).rows
    assert shown[2][1:] == report.people_table().rows
    assert [row[0] for row in shown[2][1:]] == AWKWARD
    assert report.note_lines() == list_items(text)[-len(AWKWARD) :]
    assert headings(text)[0] == "Odd | *names* circle"
    assert "1. Round | <one> #" in headings(text)


def test_the_facts_keep_their_names(awkward_session):
    text = export(awkward_session, "md", tz=UTC)
    report = from_events(awkward_session, tz=UTC)
    tokens = PARSER.parse(text)
    present = next(t for t in tokens if t.type == "inline" and t.content.startswith("**Present:**"))
    kids = [k for k in present.children or [] if k.type != "text" or k.content]
    assert [k.type for k in kids[:3]] == ["strong_open", "text", "strong_close"]  # the label is bold
    assert (
        "".join(k.content for k in kids[3:] if k.type in ("text", "text_special"))
        == " " + dict(report.facts())["Present"]
    )
    assert not markup(Token("inline", "", 0, children=kids[3:]))


@pytest.fixture
def market_log():
    from circle.games.openspace import OpenSpace

    log: list = []
    people = [Person(str(i), name) for i, name in enumerate(["*Ana*", "Ben", "<b>", "Dee"])]
    session = Session.create(load_library().get("collaboratory-action"), people, FakeClock(SIX_PM), sink=log.extend)
    space = OpenSpace(session)
    space.set_grid(["10:00", "11:00"], [("Garden | Yard", 40), ("Hall #2", 15)])
    food = space.propose("Food | hub", "*Ana*")
    space.set_interest(food, 12)
    choir = space.propose("`Choir`", "<b>")
    space.set_interest(choir, 20)
    space.propose("- dash", "Ben")
    space.fill()
    space.harvest(choir, "# Thursdays | library")
    space.record_project("[Choir](x)", "<b>", ["*Ana*", "Ben"], "a | piano", "_hall_", "1. rehearse", "Dec 3")
    return log


def test_open_space_with_a_pipe_in_a_space_still_renders_its_grid(market_log):
    text = export(market_log, "md", tz=UTC)
    report = from_events(market_log, tz=UTC)
    grid = next(t for t in shown_tables(text) if t[0][1:] == ["Garden | Yard", "Hall #2"])
    market = report.market
    assert market is not None
    placed = {cell for row in grid[1:] for cell in row[1:] if cell}
    assert placed == {
        f"{p.title} ({p.convenor}, 0/{market.spaces[p.space].capacity})"
        for p in market.proposals.values()
        if p.placed and p.space is not None
    }
    projects = next(t for t in shown_tables(text) if t[0][0] == "Project")
    assert projects[1] == ["[Choir](x)", "<b>", "*Ana*, Ben", "a | piano", "_hall_", "1. rehearse", "Dec 3", ""]
    assert "`Choir`: # Thursdays | library" in list_items(text)


def test_the_ledger_in_markdown_keeps_every_column(tmp_path):
    from circle.games.reciprocity.ledger import compute
    from circle.games.reciprocity.report import as_markdown, report
    from circle.games.reciprocity.scoring import load_rules
    from circle.sessions import start_session
    from circle.store import Store

    store = Store(tmp_path / "circle.db")
    names = ["Pipe | Dee", "*star*", "`tick`", "# hash"]
    store.create_group("Crew | *one*", store.people_named(names), at=SIX_PM)
    clock = FakeClock(SIX_PM)
    library = load_library()
    meeting = start_session(store, library.get("reciprocity-3-consistency"), names, clock, group="Crew | *one*")
    meeting.start()
    meeting.next()  # someone spoke: a meeting that scores for everyone there
    meeting.end()
    session = start_session(store, library.get("reciprocity-4-conflict"), names, clock, group="Crew | *one*")
    ids = {p.name: p.id for p in store.people_named(names)}
    session.start()
    session.next()
    session.open_conflict(ids["Pipe | Dee"], ids["*star*"], "the | rota")
    session.end()
    rules = load_rules()
    ledger = compute(store, rules)
    group = store.group("Crew | *one*")
    text = as_markdown(report(ledger, group, UTC, now=clock.now()), rules)
    (table,) = shown_tables(text, code=frozenset({"By week"}))
    assert sorted(row[0] for row in table[1:]) == sorted(names)
    assert headings(text)[0] == "Ledger: Crew | *one*"
    assert "Pipe | Dee & *star*: the | rota" in list_items(text)
    store.close()


def test_two_loops_in_markdown_keeps_names_and_evidence(tmp_path):
    from circle.games import two_loops as loops
    from circle.store import Store

    store = Store(tmp_path / "circle.db")
    store.create_group("Garden | Yard", store.people_named(["_x_", "Ben"]), kind="community")
    model = loops.load_loops()
    day = datetime(2026, 3, 2, 12, tzinfo=UTC).timestamp()
    loops.move(store, model, "Garden | Yard", "name", "*twelve* pioneers", "<the crew>", at=day)
    loops.add_evidence(store, "Garden | Yard", "1. a map", "Ben", at=day)
    loops.assign_role(store, model, "Garden | Yard", "_x_", "connector", at=day)
    rep = loops.report(model, loops.history(store, "Garden | Yard"))
    text = loops.as_markdown(rep)
    assert headings(text)[0] == "Two Loops: Garden | Yard"
    assert list_items(text)[: len(rep["timeline"])] == rep["timeline"]
    assert list_items(text)[-1] == rep["roles"][0] == "_x_: Connector (weaver)"
    store.close()
