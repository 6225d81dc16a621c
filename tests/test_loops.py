"""Two Loops: stage moves and their history, sessions counted per stage, the drawing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from circle.core.clock import FakeClock
from circle.games import two_loops as loops
from circle.protocol.loader import LoadError, load_library
from circle.protocol.models import TWO_LOOPS_STAGES
from circle.sessions import start_session
from circle.store import Store, StoreError


def day(n: int) -> float:
    return datetime(2026, 3, n, 12, tzinfo=UTC).timestamp()


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "circle.db")
    store.create_group("Riverside CAN", store.people_named(["Ana", "Ben", "Caro", "Dee"]), kind="community")
    return store, loops.load_loops()


def test_moves_evidence_and_roles_make_a_dated_history(world):
    store, model = world
    assert loops.history(store, "Riverside CAN").stage is None
    loops.move(store, model, "Riverside CAN", "name", "we listed twelve pioneers", "Ana", at=day(1))
    loops.add_evidence(store, "Riverside CAN", "a map of who does what", "Ben", at=day(2))
    loops.move(store, model, "riverside can", "Connect", "first potluck, 25 people", "the crew", at=day(9))
    loops.assign_role(store, model, "Riverside CAN", "Ben", "connector", at=day(10))
    loops.assign_role(store, model, "Riverside CAN", "Ana", "trailblazer", at=day(10))
    loops.assign_role(store, model, "Riverside CAN", "Ana", "trailblazer", remove=True, at=day(11))

    hist = loops.history(store, "Riverside CAN")
    assert hist.stage == "connect"
    assert [(e.kind, e.stage) for e in hist.entries[:3]] == [
        ("moved", "name"),
        ("evidence", "name"),
        ("moved", "connect"),
    ]
    assert hist.roles == {"Ben": {"connector"}}
    rep = loops.report(model, hist)
    assert rep["where"] == "Connect (emergent)"
    assert rep["question"] == model.stage("connect").question
    assert rep["timeline"][2] == "2026-03-09  moved to Connect: first potluck, 25 people (decided by the crew)"
    assert rep["timeline"][-1] == "2026-03-11  Ana stepped out of Trailblazer (pioneer)"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s, m: loops.move(s, m, "Riverside CAN", "nurture", "x", ""),
            "no stage 'nurture'; choose one of: name,",
        ),
        (lambda s, m: loops.move(s, m, "Nowhere", "name", "x", ""), "no group named 'Nowhere'"),
        (lambda s, m: loops.move(s, m, "Riverside CAN", "name", " ", ""), "a line of evidence"),
        (lambda s, m: loops.assign_role(s, m, "Riverside CAN", "Ana", "weaver"), "no role 'weaver'; choose one of"),
    ],
)
def test_bad_input_names_the_valid_choices(world, call, message):
    store, model = world
    with pytest.raises(StoreError, match=message):
        call(store, model)
    assert loops.history(store, "Riverside CAN").entries == []


def test_sessions_run_for_the_community_count_towards_their_stage(world):
    store, model = world
    library = load_library()
    clock = FakeClock(day(1))
    for protocol_id, names in [
        ("cop-intro-call", ["Ana", "Ben", "Caro"]),
        ("cop-intro-call", ["Ana", "Dee", "Esi"]),
        ("cop-workshop-call", ["Ben", "Caro", "Dee"]),
        ("feelz-checkin", ["Ana", "Ben"]),  # serves no stage
    ]:
        start_session(store, library.get(protocol_id), names, clock, group="Riverside CAN").end()
    start_session(store, library.get("cop-spotlight-call"), ["Ana", "Ben", "Caro"], clock).end()  # not for the group
    hist = loops.history(store, "Riverside CAN")
    # The community of practice's calls all serve Nourish (seed 000), the introductory call too.
    assert hist.sessions == {"nourish": 3}
    assert hist.people == {"nourish": 5}
    assert loops.report(model, hist)["activity"] == ["Nourish: 3 sessions, 5 people"]


@pytest.mark.parametrize(("width", "height"), [(40, 8), (76, 14), (150, 36)])
def test_drawing_fits_and_marks_the_stage(world, width, height):
    _, model = world
    lines = loops.draw(model, width, height, marker="nourish")
    assert len(lines) == height and all(len(line) <= width for line in lines)
    assert sum(line.count("◉") for line in lines) == 1
    labels = "".join(lines)
    assert all(str(n) in labels for n in (1, 2, 4, 5, 6, 7)) and "3" not in labels


def test_protocol_stages_exist_in_the_model(world):
    _, model = world
    assert set(TWO_LOOPS_STAGES) <= {s.id for s in model.stages}


def test_a_stage_file_with_a_typo(tmp_path):
    path = tmp_path / "loops.yaml"
    path.write_text(
        "stages:\n  - id: name\n    loop: emergant\n    title: Name\n    at: 0.3\n    question: q\nroles: []\n"
    )
    with pytest.raises(LoadError) as caught:
        loops.load_loops(path)
    lines = [str(p) for p in caught.value.problems]
    assert lines[0].startswith(f"{path}:3:5: loop: Input should be 'emergent' or 'dominant'")


# -- as the seeds tell it: amplify, the community of practice at Nourish, a history dated in the past --


def test_amplify_names_the_step_after_nourish(world):
    store, model = world
    assert model.stage("amplify").id == "illuminate" and model.stage("amplify").title == "Illuminate and amplify"
    loops.move(store, model, "Riverside CAN", "amplify", "a story in the local paper", "Ana", at=day(1))
    assert loops.history(store, "Riverside CAN").stage == "illuminate"


def test_the_stages_protocols_may_name_are_the_models(world):
    _, model = world
    assert set(TWO_LOOPS_STAGES) == {s.id for s in model.stages}


def test_a_protocol_may_name_its_stage_amplify(tmp_path):
    path = tmp_path / "story.yaml"
    path.write_text(
        "id: story-call\ntitle: Story call\nsummary: s\ngroup_size: {min: 2, max: 8}\n"
        "two_loops_stage: amplify\nsteps:\n  - kind: round\n    title: Stories\n    turn: 60s\n"
    )
    assert load_library(dirs=[tmp_path]).get("story-call").two_loops_stage == "illuminate"


def test_the_community_of_practice_calls_serve_nourish_and_credit_citizen_collective():
    library = load_library()
    for protocol_id in ("cop-intro-call", "cop-spotlight-call", "cop-workshop-call"):
        protocol = library.get(protocol_id)
        assert protocol.two_loops_stage == "nourish", protocol_id
        assert protocol.source.startswith("Citizen Collective"), protocol_id


def test_history_recorded_later_sorts_by_the_day_it_happened(world):
    store, model = world
    loops.move(store, model, "Riverside CAN", "connect", "the potluck", "Ana", at=day(20))
    loops.move(store, model, "Riverside CAN", "name", "the list of pioneers", "Ana", at=day(2))
    hist = loops.history(store, "Riverside CAN")
    assert [e.stage for e in hist.entries] == ["name", "connect"]
    assert hist.stage == "connect"  # where it stands is the latest by date, not by typing


def test_out_of_order_moves_are_recorded_with_a_note(world):
    store, model = world
    loops.move(store, model, "Riverside CAN", "name", "pioneers", "Ana", at=day(1))
    note = loops.move(store, model, "Riverside CAN", "influence", "the council asked", "Ana", at=day(5))
    assert note == "Name to System of influence skips Connect, Nourish, Illuminate and amplify"
    timeline = loops.report(model, loops.history(store, "Riverside CAN"))["timeline"]
    assert timeline[-1].endswith(
        "; out of order: Name to System of influence skips Connect, Nourish, Illuminate and amplify"
    )
    assert loops.move(store, model, "Riverside CAN", "hospice", "old centre closing", "Ana", at=day(6)) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2099-01-01", "--at 2099-01-01 is in the future"),
        ("4 Sept 2024", "--at '4 Sept 2024': give a day as YYYY-MM-DD"),
        ("2024-02-30", "--at '2024-02-30': give a day as YYYY-MM-DD"),
    ],
)
def test_a_bad_day_is_refused(text, message):
    with pytest.raises(StoreError, match=message):
        loops.parse_date(text, day(10))
