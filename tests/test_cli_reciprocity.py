"""The command line for groups, the ledger and the point rules."""

from __future__ import annotations

import pytest

from circle.cli import main
from circle.store import Store


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "circle.db")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_group_lifecycle(capsys, db):
    assert run(capsys, "group", "create", "Tuesday crew", "--people", "Ana,Ben,Caro", "--db", db)[0] == 0
    code, out, err = run(capsys, "group", "create", "Pair", "--people", "Ana,Ben", "--kind", "crew", "--db", db)
    assert code == 0 and "two people make a partnership, not a crew" in err  # allowed, with a visible warning
    assert run(capsys, "group", "add", "tuesday crew", "--people", "Dee", "--db", db)[0] == 0
    assert run(capsys, "group", "remove", "Tuesday crew", "--people", "Ben", "--db", db)[0] == 0
    assert run(capsys, "group", "rename", "Tuesday crew", "Wednesday crew", "--db", db)[0] == 0
    code, out, _ = run(capsys, "group", "show", "Wednesday crew", "--db", db)
    assert out.strip() == "Wednesday crew (crew): Ana, Caro, Dee"
    code, out, _ = run(capsys, "group", "list", "--db", db)
    assert "Wednesday crew  (crew, 3 members)" in out and "Pair  (crew, 2 members)  !" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("group", "show", "Nobody"), "no group named 'Nobody'; saved groups: Crew"),
        (("group", "remove", "Crew", "--people", "Zed"), "Zed is not in Crew (members: Ana, Ben)"),
        (("group", "add", "Crew", "--people", "Ana"), "Ana is already in Crew"),
        (("group", "create", "crew"), "a group named 'crew' already exists"),
        (("ledger", "Nobody"), "no group named 'Nobody'"),
        (("run", "reciprocity-3-consistency", "--group", "Crew", "--absent", "Zed"), "not in Crew: zed"),
        (("run", "reciprocity-3-consistency", "--people", "Ana", "--absent", "Ben"), "--absent goes with --group"),
    ],
)
def test_bad_input_is_one_clear_line(capsys, db, argv, message):
    run(capsys, "group", "create", "Crew", "--people", "Ana,Ben", "--db", db)
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("circle: ") and message in lines[0]


def test_ledger_prints_text_markdown_and_csv(capsys, db, tmp_path):
    from circle.core.clock import FakeClock
    from circle.protocol.loader import load_library
    from circle.sessions import start_session

    store = Store(db)
    store.create_group("Crew", store.people_named(["Ana", "Ben", "Caro"]))
    protocol = load_library().get("reciprocity-3-consistency")
    session = start_session(store, protocol, ["Ana", "Ben"], FakeClock(), group="Crew")
    session.start()
    session.next()  # someone spoke: the meeting counts
    session.end()

    code, out, _ = run(capsys, "ledger", "Crew", "--db", db)
    assert code == 0
    assert out.splitlines()[0] == "Ledger: Crew"
    assert any(line.split()[:2] == ["Ana", "1"] for line in out.splitlines())
    assert "Misses: Caro 1" in out and "streak: 1 month in a row" in out

    code, out, _ = run(capsys, "ledger", "Crew", "--format", "md", "--db", db)
    assert "| Caro | -5 | 0 | 0 | -5 | 0 | 0 |" in out
    code, out, _ = run(capsys, "ledger", "--format", "csv", "--db", db)
    assert out.splitlines()[0] == "date,person,level,points,reason,session"
    assert sum(1 for line in out.splitlines() if ",3,1,meeting 1," in line) == 2


def test_validate_checks_the_point_rules(capsys, tmp_path):
    rules = tmp_path / "reciprocity.yaml"
    rules.write_text("levels:\n  - level: 1\n    name: Listening\n    listend: 1\n")
    code, out, _ = run(capsys, "validate", str(rules))
    assert code == 1
    assert f"{rules}:4:5: unknown key 'listend'; did you mean 'listened'?" in out
    from circle.core.resources import bundled_dir

    shipped = [str(bundled_dir("protocols")), str(bundled_dir("data") / "reciprocity.yaml")]
    assert run(capsys, "validate", *shipped)[0] == 0


def test_a_group_of_two_is_a_partnership(capsys, db):
    code, out, err = run(capsys, "group", "create", "Pair", "--people", "Ana,Ben", "--db", db)
    assert code == 0 and err.strip() == "saved partnership Pair with 2 members"  # and no warning
    assert run(capsys, "group", "show", "Pair", "--db", db)[1].strip() == "Pair (partnership): Ana, Ben"
    code, _, err = run(capsys, "group", "create", "Duo", "--people", "Caro,Dee", "--kind", "crew", "--db", db)
    assert code == 0 and "two people make a partnership, not a crew" in err


def test_loops_dated_history_from_the_command_line(capsys, db):
    run(capsys, "group", "create", "Riverside", "--people", "Ana,Ben,Caro", "--kind", "community", "--db", db)
    code, out, _ = run(
        capsys, "loops", "Riverside", "--move", "name", "--evidence", "pioneers", "--at", "2024-09-04", "--db", db
    )
    assert code == 0
    code, out, err = run(capsys, "loops", "Riverside", "--move", "influence", "--evidence", "x", "--db", db)
    assert code == 0 and "note: Name to System of influence skips" in err and "recorded as asked" in err
    code, out, _ = run(capsys, "loops", "Riverside", "--db", db)
    assert "2024-09-04  moved to Name: pioneers" in out
    assert out.index("2024-09-04") < out.index("moved to System of influence")
    code, out, _ = run(capsys, "loops", "Riverside", "--move", "amplify", "--evidence", "story", "--db", db)
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--move", "nurture", "--evidence", "x"), "no stage 'nurture'; choose one of: name,"),
        (("--move", "name", "--evidence", "x", "--at", "2999-01-01"), "is in the future"),
        (("--move", "name", "--evidence", "x", "--at", "last tuesday"), "give a day as YYYY-MM-DD"),
        (("--move", "nurture", "--evidence", "x", "--at", "soon"), "no stage 'nurture'"),
        (("--evidence", "x", "--at", "2024-13-01"), "give a day as YYYY-MM-DD"),
    ],
)
def test_loops_bad_input_is_one_line_and_records_nothing(capsys, db, argv, message):
    from circle.games import two_loops as loops

    run(capsys, "group", "create", "Riverside", "--people", "Ana,Ben,Caro", "--kind", "community", "--db", db)
    code, out, err = run(capsys, "loops", "Riverside", *argv, "--db", db)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("circle: ") and message in lines[0]
    assert loops.history(Store(db), "Riverside").entries == []


def test_validate_knows_each_data_file_by_its_shape(capsys, tmp_path):
    from circle.core.resources import bundled_dir

    data = bundled_dir("data")
    for name in ("two_loops.yaml", "methods.yaml", "reciprocity.yaml"):
        code, out, _ = run(capsys, "validate", str(data / name))
        assert code == 0, out
    bad = tmp_path / "loops.yaml"
    bad.write_text((data / "two_loops.yaml").read_text().replace("loop: emergent", "loop: emergant", 1))
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    line = next(line for line in out.splitlines() if "Input should be 'emergent' or 'dominant'" in line)
    assert line.startswith(f"{bad}:") and line.split(":")[1].isdigit() and line.split(":")[2].isdigit()
