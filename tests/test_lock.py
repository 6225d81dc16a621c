from circle.cli import main
from circle.lock import DatabaseLock, LockedError


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
