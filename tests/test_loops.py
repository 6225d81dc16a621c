"""Two Loops: stage moves and their history, sessions counted per stage, the drawing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from circle import loops
from circle.clock import FakeClock
from circle.loader import LoadError, load_library
from circle.protocol import TWO_LOOPS_STAGES
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
    assert hist.sessions == {"connect": 2, "nourish": 1}
    assert hist.people == {"connect": 5, "nourish": 3}
    assert loops.report(model, hist)["activity"] == ["Connect: 2 sessions, 5 people", "Nourish: 1 sessions, 3 people"]


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
