from circle.cli import main
from circle.store import Store
from circle.store.lock import DatabaseLock, LockedError


def test_second_circle_on_the_same_database_is_refused(tmp_path, capsys):
    db = tmp_path / "circle.db"
    first = DatabaseLock(db).acquire()
    try:
        second = DatabaseLock(db)
        try:
            second.acquire()
        except LockedError as exc:
            assert "open in another circle" in str(exc)
        else:  # pragma: no cover - the assertion below explains
            raise AssertionError("a second lock on the same database was granted")
        # The command line says so in one line and exits 1.
        assert main(["run", "feelz-checkin", "--people", "Ana,Ben", "--db", str(db)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("circle: ") and "another circle" in err[0]
    finally:
        first.release()
    # Once the first circle is gone, the lock is free again.
    DatabaseLock(db).acquire().release()


def test_reading_commands_do_not_need_the_lock(tmp_path, capsys):
    db = tmp_path / "circle.db"
    lock = DatabaseLock(db).acquire()
    try:
        assert main(["sessions", "--db", str(db)]) == 0
    finally:
        lock.release()


def test_a_second_circle_through_a_symbolic_link_finds_the_first(tmp_path, capsys):
    """Through another name it used to take a lock of its own and drive the same session."""
    from circle.cli import main
    from circle.store.lock import DatabaseLock

    db = tmp_path / "s.db"
    Store(db).close()
    alias = tmp_path / "alias.db"
    alias.symlink_to(db)
    first = DatabaseLock(db).acquire()
    try:
        code = main(["--db", str(alias), "run", "feelz-checkin", "--people", "Ana,Ben"])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and "is open in another circle" in err
    finally:
        first.release()
    assert not (tmp_path / "alias.db.lock").exists()  # one lock, beside the file itself


def test_a_hard_linked_database_is_refused_in_one_line(tmp_path, capsys):
    import os

    from circle.cli import main

    db = tmp_path / "s.db"
    Store(db).close()
    os.link(db, tmp_path / "hard.db")
    for argv in (["sessions"], ["run", "feelz-checkin", "--people", "Ana,Ben"]):
        code = main([*argv, "--db", str(tmp_path / "hard.db")])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and "hard link" in err
