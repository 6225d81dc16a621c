"""Open space: the grid, auto-fill, moves, sign-ups, harvest and projects."""

from __future__ import annotations

import pytest

from circle.core.clock import FakeClock
from circle.engine import CommandRejected, Person, Session, fold
from circle.games.openspace import OpenSpace, fold_market
from circle.protocol.loader import load_library

PEOPLE = [Person(str(i), name) for i, name in enumerate(["Ana", "Ben", "Caro", "Dee", "Esi", "Femi"])]


@pytest.fixture
def space():
    log = []
    session = Session.create(
        load_library().get("collaboratory-action"), PEOPLE, FakeClock(), sink=lambda events: log.extend(events)
    )
    space = OpenSpace(session)
    space.session_log = log  # what the store would hold
    return space


def proposals(space, *items):
    ids = {}
    for title, convenor, interest in items:
        pid = space.propose(title, convenor)
        space.set_interest(pid, interest)
        ids[title] = pid
    return ids


def test_auto_fill_puts_the_most_wanted_in_the_largest_spaces(space):
    space.set_grid(["10:00", "11:00"], [("Hall", 40), ("Garden", 15)])
    ids = proposals(
        space, ("Food hub", "Ana", 12), ("Repair cafe", "Ben", 30), ("Cinema", "Caro", 5), ("Choir", "Dee", 20)
    )
    assert space.fill() == 4
    market = space.market
    where = {p.title: (market.slots[p.slot], market.spaces[p.space].name) for p in market.proposals.values()}
    assert where["Repair cafe"] == ("10:00", "Hall")
    assert where["Choir"] == ("11:00", "Hall")
    assert where["Food hub"][1] == "Garden" and where["Cinema"][1] == "Garden"
    assert len({where[t] for t in ids}) == 4  # never two sessions in one place


def test_a_convenor_is_never_in_two_places_at_once(space):
    space.set_grid(["10:00", "11:00"], [("Hall", 40), ("Garden", 15)])
    proposals(space, ("Food hub", "Ana", 12), ("Bike library", "ana", 11))
    space.fill()
    slots = {p.slot for p in space.market.proposals.values()}
    assert slots == {0, 1}


def test_moves_are_checked(space):
    space.set_grid(["10:00", "11:00"], [("Hall", 40), ("Garden", 15)])
    ids = proposals(space, ("Food hub", "Ana", 12), ("Choir", "Dee", 20), ("Cinema", "Ana", 2))
    space.fill()
    with pytest.raises(CommandRejected, match="'Choir' already meets in Hall at 10:00"):
        space.place(ids["Food hub"], 0, 0)
    food = space.market.proposals[ids["Food hub"]]
    with pytest.raises(CommandRejected, match="Ana already convenes"):
        space.place(ids["Cinema"], food.slot, 1 - food.space)
    space.place(ids["Food hub"], 1, 1)
    assert (space.market.proposals[ids["Food hub"]].slot, space.market.proposals[ids["Food hub"]].space) == (1, 1)


def test_law_of_two_feet_signups_harvest_and_projects(space):
    space.set_grid(["10:00"], [("Hall", 40), ("Garden", 15)])
    ids = proposals(space, ("Food hub", "Ana", 12), ("Choir", "Dee", 20))
    space.fill()
    space.sign_up("Esi", ids["Food hub"])
    space.sign_up("Esi", ids["Choir"])  # she moves: one place per slot
    assert space.market.attendees(ids["Choir"]) == ["Esi"]
    assert space.market.attendees(ids["Food hub"]) == []
    space.harvest(ids["Choir"], "Rehearse in the library on Thursdays")
    project = space.record_project(
        "Community choir", "Dee", ["Esi", "Femi"], "a piano", "the library's hall", "first rehearsal", "2026-12-03"
    )
    market = space.market
    assert market.harvest[ids["Choir"]] == ["Rehearse in the library on Thursdays"]
    assert market.projects[project].supporters == ["Esi", "Femi"]
    # Everything entered is in the log: a replay gives the same marketplace.
    assert fold_market(fold(space.session_log).extra) == market


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.propose("Food hub", " "), "who convenes 'Food hub'"),
        (lambda s: s.fill(), "set up the grid first"),
        (lambda s: s.set_grid([], [("Hall", 10)]), "at least one time slot"),
        (lambda s: s.set_grid(["10:00"], [("Hall", 10), ("hall", 5)]), "same name"),
    ],
)
def test_bad_input_says_what_to_change(space, call, message):
    with pytest.raises(CommandRejected, match=message):
        call(space)


def test_grid_smaller_than_the_proposals(space):
    space.set_grid(["10:00"], [("Hall", 40)])
    proposals(space, ("A", "Ana", 1), ("B", "Ben", 2))
    assert "2 proposals but only 1 places" in space.market.grid_problem()
    assert space.fill() == 1  # the most wanted is placed; the other waits, not lost
    assert len(space.market.proposals) == 2


def test_grid_and_harvest_text():
    from circle.games.openspace import Market, Proposal, Space, grid_text, parse_spaces

    assert parse_spaces("Hall 40, Garden 15, Kitchen") == [("Hall", 40), ("Garden", 15), ("Kitchen", 20)]
    market = Market(["10:00", "11:00"], [Space("Hall", 40), Space("Garden", 15)])
    market.proposals["a"] = Proposal("a", "Repair cafe", "Ben", 30, 0, 0)
    market.proposals["b"] = Proposal("b", "Choir", "Dee", 3)
    lines = grid_text(market).splitlines()
    assert lines[1].startswith("10:00") and "Repair cafe" in lines[1]
    assert lines[-1] == "waiting: Choir"


def test_the_agenda_report_carries_grid_harvest_and_projects(space):
    from circle.views.export import UTC, export

    space.set_grid(["10:00"], [("Hall", 40), ("Garden", 15)])
    ids = proposals(space, ("Food hub", "Ana", 12), ("Choir", "Dee", 20))
    space.fill()
    space.harvest(ids["Choir"], "Thursdays in the library")
    space.record_project("Community choir", "Dee", ["Esi"], "a piano", "a hall", "first rehearsal", "Dec 3")
    md = export(space.session_log, "md", UTC)
    assert "## Open space" in md and "| 10:00 | Choir (Dee, 0/40) | Food hub (Ana, 0/15) |" in md
    assert "- Choir: Thursdays in the library" in md
    assert "| Community choir | Dee | Esi | a piano | a hall | first rehearsal | Dec 3 |  |" in md
    page = export(space.session_log, "html", UTC)
    assert "<h2>Projects</h2>" in page and "Thursdays in the library" in page
