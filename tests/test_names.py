"""One rule for typed names, at every entry point: the command line, dialogs, groups, the mixer."""

from __future__ import annotations

import pytest

from circle.cli import main
from circle.core.names import NameProblem, clean_name
from circle.store import Store

DECOMPOSED = "Rene\u0301e"  # e and a separate accent


def test_the_rule():
    assert clean_name(DECOMPOSED) == "Renée"
    assert clean_name("  Ana \t Lou ") == "Ana Lou"
    assert clean_name("प्र\u200dकाश") == "प्र\u200dकाश"  # a joiner inside Devanagari stays
    assert clean_name("می\u200cخواهم") == "می\u200cخواهم"  # and a non-joiner inside Persian
    for bad, why in [
        ("Ana\nBen", "line break"),
        ("Ana\u2028Ben", "line break"),
        ("An\u200ba", "invisible"),
        ("\ufeffAna", "invisible"),
        ("An\u200da", "invisible"),  # a joiner between Latin letters joins nothing
        ("Ana\u00ad", "invisible"),
        ("Ana\x07", "not text"),
    ]:
        with pytest.raises(NameProblem, match=why):
            clean_name(bad)


def test_a_decomposed_name_is_the_same_person_however_it_was_saved(tmp_path):
    store = Store(tmp_path / "c.db")
    (first,) = store.people_named([DECOMPOSED])
    assert first.name == "Renée"  # kept composed
    assert store.people_named(["renée"])[0].id == first.id
    assert store.people_named(["RENE\u0301E"])[0].id == first.id


def test_a_person_saved_decomposed_by_an_older_circle_is_found_after_the_upgrade(tmp_path):
    import sqlite3

    import circle.store as store_module

    db = tmp_path / "c.db"
    with sqlite3.connect(db) as conn:  # a database as schema 5 kept it: the key made without composing
        for target in range(1, 6):
            for statement in store_module._MIGRATIONS[target]:
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 5")
        conn.execute("INSERT INTO people VALUES ('old', ?, ?, 0)", (DECOMPOSED, DECOMPOSED.casefold()))
    store = Store(db)
    assert store.people_named(["Renée"])[0].id == "old"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "feelz-checkin", "--people", "Ana\nBen,Caro"],
        ["group", "create", "Crew", "--people", "An\u200ba,Ben"],
        ["mix", "--people", "An\u200ba,Ben,Caro,Dee", "--size", "2", "--rounds", "1"],
    ],
)
def test_every_command_refuses_the_same_names_in_one_line(argv, capsys, tmp_path):
    assert main([*argv, "--db", str(tmp_path / "c.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("line break" in err or "invisible" in err)


def test_a_group_and_a_session_agree_on_who_is_who(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    assert main(["group", "create", "Crew", "--people", f"{DECOMPOSED},Ben", "--db", db]) == 0
    store = Store(db)
    (member,) = [p for p in store.group_members("Crew") if p.name.startswith("Ren")]
    assert store.people_named(["Renée"])[0].id == member.id
