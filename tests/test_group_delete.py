"""`circle group delete`: a group set up by mistake goes; a group with a recorded history never does."""

import pytest

from circle.cli import main
from circle.core.clock import FakeClock
from circle.sessions import start_session
from circle.store import Store
from circle.store.people import GroupHasHistory


@pytest.fixture
def db(tmp_path):
    return tmp_path / "circle.db"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def groups(db):
    store = Store(db, readonly=True)
    try:
        return store.group_names()
    finally:
        store.close()


def test_an_empty_group_is_deleted(capsys, db):
    run(capsys, "group", "create", "Typo crew", "--db", db)
    code, out, err = run(capsys, "group", "delete", "typo CREW", "--db", db)
    assert (code, out, err) == (0, "", "deleted Typo crew\n")
    assert groups(db) == []
    code, _, err = run(capsys, "group", "delete", "Typo crew", "--db", db)
    assert code == 1 and err == "circle: no group named 'Typo crew'; no groups are saved yet\n"


def test_a_group_with_members_asks_for_yes_and_its_people_stay_saved(capsys, db):
    run(capsys, "group", "create", "Trial", "--people", "Ana,Ben,Caro", "--db", db)
    run(capsys, "group", "create", "Tuesday crew", "--people", "Ana,Dee,Esi", "--db", db)
    code, out, err = run(capsys, "group", "delete", "Trial", "--db", db)
    assert (code, out) == (1, "")
    assert err == (
        "circle: Trial still has 3 members (Ana, Ben, Caro); add --yes to delete it with its member list "
        "(the people stay saved)\n"
    )
    assert groups(db) == ["Trial", "Tuesday crew"]

    code, _, err = run(capsys, "group", "delete", "Trial", "--yes", "--db", db)
    assert (code, err) == (0, "deleted Trial and its member list (Ana, Ben, Caro stay saved)\n")
    assert groups(db) == ["Tuesday crew"]
    store = Store(db, readonly=True)
    assert [p.name for p in store.group_members("Tuesday crew")] == ["Ana", "Dee", "Esi"]
    assert [r["name"] for r in store.query("SELECT name FROM people ORDER BY name")] == [
        "Ana",
        "Ben",
        "Caro",
        "Dee",
        "Esi",
    ]


def test_a_group_sessions_were_run_for_is_kept_even_with_yes(capsys, db, protocol):
    store = Store(db)
    store.create_group("Crew", store.people_named(["Ana", "Ben", "Caro"]))
    start_session(store, protocol, ["Ana", "Ben"], FakeClock(), group="Crew")
    store.close()
    for extra in ([], ["--yes"]):
        code, out, err = run(capsys, "group", "delete", "crew", *extra, "--db", db)
        assert (code, out) == (1, "")
        assert err == (
            "circle: Crew is not deleted: what was recorded stays (1 logged session); to set it aside, "
            'rename it: `circle group rename "Crew" "Crew (ended)"`\n'
        )
    assert groups(db) == ["Crew"]
    code, out, _ = run(capsys, "group", "show", "Crew", "--db", db)
    assert out == "Crew (crew): Ana, Ben, Caro\n"  # its members are untouched too
    code, out, _ = run(capsys, "sessions", "--db", db)
    assert "(2 people, unfinished)" in out


def test_a_community_with_two_loops_history_is_kept(capsys, db):
    run(capsys, "group", "create", "Riverside", "--kind", "community", "--db", db)
    run(capsys, "loops", "Riverside", "--move", "connect", "--evidence", "monthly potlucks", "--db", db)
    run(capsys, "loops", "Riverside", "--evidence", "a shared garden", "--db", db)
    code, _, err = run(capsys, "group", "delete", "Riverside", "--yes", "--db", db)
    assert code == 1 and "what was recorded stays (2 Two Loops records)" in err
    code, out, _ = run(capsys, "loops", "Riverside", "--db", db)
    assert "Now: Connect" in out


def test_the_store_reads_the_history_inside_its_write(db, protocol):
    """A session started for the group after the command looked is still seen: the check is in the transaction."""
    store = Store(db)
    store.create_group("Crew", [])
    start_session(store, protocol, ["Ana", "Ben"], FakeClock(), group="Crew")
    with pytest.raises(GroupHasHistory) as refused:
        store.delete_group("Crew", with_members=True)
    assert (refused.value.sessions, refused.value.records) == (1, 0)
    assert store.group_names() == ["Crew"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_read_only_deletes_nothing(capsys, db, where):
    run(capsys, "group", "create", "Typo crew", "--db", db)
    argv = ["group", "delete", "Typo crew", "--db", db]
    argv = ["--read-only", *argv] if where == "before" else [*argv, "--read-only"]
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert err == (
        "circle: --read-only changes nothing, and `circle group delete` would change the database; "
        "leave out --read-only\n"
    )
    assert groups(db) == ["Typo crew"]
