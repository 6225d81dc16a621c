"""Storage faults: a full disk, a file that cannot be written, a database another circle holds.

Each gets one clear line, no traceback, and nothing already recorded is lost or overwritten.
Running as root (as CI does) chmod cannot make a file read-only, so the read-only and
full-disk cases are brought about inside SQLite itself: ``PRAGMA query_only`` refuses
every write the way a read-only file does, and ``PRAGMA max_page_count`` makes the file
full the way a full disk does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from circle.cli import main
from circle.engine import fold
from circle.sessions import start_session
from circle.store import Store, StoreError
from circle.store.lock import DatabaseLock


def running(store, protocol, clock):
    session = start_session(store, protocol, ["Ana", "Ben", "Caro"], clock)
    session.start()
    clock.advance(40)
    return session


def shown(session, now):
    state = session.state
    return state.current.label, state.remaining(now), [n.text for n in state.notes]


def fill_the_disk(store: Store) -> None:
    """From now on the file cannot grow: the next page SQLite needs is refused as on a full disk."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_refuses_the_command_and_keeps_everything_recorded(store, protocol, clock):
    session = running(store, protocol, clock)
    sid = session.state.session_id
    fill_the_disk(store)
    refused = None
    for n in range(500):  # the last free space in the file goes first
        before, logged = shown(session, clock.now()), len(store.events(sid))
        try:
            session.note(f"note {n} " + "x" * 2000)
        except StoreError as exc:
            refused = str(exc)
            break
    assert refused is not None, "the file never filled up"
    assert "\n" not in refused and "the disk is full" in refused and "nothing shown so far was lost" in refused
    assert shown(session, clock.now()) == before  # the screen shows nothing that was not recorded
    assert len(store.events(sid)) == logged
    assert fold(store.events(sid)).current.label == "Ana"
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space is freed
    session.next()
    assert fold(store.events(sid)).current.label == "Ben"


def test_a_file_that_cannot_be_written_is_said_in_one_line(store, protocol, clock):
    session = running(store, protocol, clock)
    sid = session.state.session_id
    before, logged = shown(session, clock.now()), len(store.events(sid))
    store.conn.execute("PRAGMA query_only = 1")  # every write refused, as on a read-only file
    with pytest.raises(StoreError) as exc:
        session.next()
    assert "\n" not in str(exc.value) and "read-only" in str(exc.value)
    assert shown(session, clock.now()) == before
    assert len(store.events(sid)) == logged


def test_a_database_held_by_another_circle_says_so_and_offers_to_look(tmp_path, capsys):
    db = tmp_path / "circle.db"
    Store(db).close()
    held = DatabaseLock(db).acquire()
    try:
        assert main(["--db", str(db)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "open in another circle" in err[0] and "circle --read-only" in err[0]
        # Reading commands work meanwhile, and a session cannot be run read-only.
        assert main(["sessions", "--db", str(db)]) == 0
        assert main(["--read-only", "run", "feelz-checkin", "--people", "Ana,Ben", "--db", str(db)]) == 1
        assert "cannot be run read-only" in capsys.readouterr().err
    finally:
        held.release()


def test_a_folder_where_the_lock_cannot_be_made_is_one_line(tmp_path, capsys, monkeypatch):
    import circle.store.lock

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(circle.store.lock.os, "open", refused)
    assert main(["--db", str(tmp_path / "circle.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Permission denied" in err[0] and "Traceback" not in err[0]


def test_read_only_needs_an_existing_database(tmp_path, capsys):
    missing = tmp_path / "nothing-here.db"
    assert main(["--read-only", "--db", str(missing)]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not missing.exists()  # looking never creates anything


# -- real permissions: a process that cannot write where the database lives ----------------------
# As root (CI), chmod alone stops nothing; setpriv drops the capability that lets root write anyway.
def without_write_override(*argv: str) -> subprocess.CompletedProcess:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be made to bite")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    code = "import sys; from circle.cli import main; sys.exit(main())"
    return subprocess.run([*prefix, sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60)


@pytest.fixture
def saved_crew(tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    db = folder / "circle.db"
    store = Store(db)
    store.create_group("Crew", store.people_named(["Ana", "Ben", "Caro"]))
    store.close()  # the last connection folds the journal back in: the folder holds circle.db alone
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


def one_line_refusal(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr


def test_a_read_only_database_file_refuses_writes_and_still_shows_its_history(saved_crew):
    saved_crew.chmod(0o444)
    before = saved_crew.read_bytes()
    wrote = without_write_override("group", "create", "Other", "--people=Dee,Esi,Femi", "--db", str(saved_crew))
    one_line_refusal(wrote, f"{saved_crew} is read-only")
    listed = without_write_override("group", "list", "--db", str(saved_crew))
    assert (listed.returncode, listed.stdout) == (0, "Crew  (crew, 3 members)\n")
    assert saved_crew.read_bytes() == before


def test_a_database_in_a_read_only_folder_says_so_and_can_still_be_read(saved_crew):
    saved_crew.parent.chmod(0o555)
    before = saved_crew.read_bytes()
    wrote = without_write_override("group", "create", "Other", "--people=Dee,Esi,Femi", "--db", str(saved_crew))
    one_line_refusal(wrote, "is in a read-only folder")
    opened = without_write_override("--db", str(saved_crew))  # the app needs its lock file beside the database
    one_line_refusal(opened, "circle needs to write in that folder", "circle --read-only")
    # Reading needs no journal there: a backup on a read-only disk can still be looked at.
    listed = without_write_override("group", "show", "crew", "--db", str(saved_crew))
    assert (listed.returncode, listed.stdout) == (0, "Crew (crew): Ana, Ben, Caro\n"), listed.stderr
    assert saved_crew.read_bytes() == before
    assert sorted(p.name for p in saved_crew.parent.iterdir()) == ["circle.db"]


# -- a real full disk (a small tmpfs, filled) ---------------------------------------------------


def logged_on(folder, sessions: int = 2):
    from circle.core.clock import FakeClock
    from circle.protocol.loader import load_library

    db = folder / "circle.db"
    store, clock = Store(db), FakeClock()
    for n in range(sessions):
        s = start_session(store, load_library().get("feelz-checkin"), ["Ana", "Ben"], clock)
        s.note(f"note {n}")
        s.end()
    store.close()  # closed cleanly: no journal left beside it
    return db


def test_a_new_database_on_a_full_disk_is_one_line_and_leaves_nothing(small_disk, capsys):
    small_disk.fill()
    before = sorted(p.name for p in small_disk.path.iterdir())
    code = main(["--db", str(small_disk.path / "new.db"), "run", "feelz-checkin", "--people", "Ana,Ben"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err and "space" in err
    assert sorted(p.name for p in small_disk.path.iterdir()) == before  # no lock, no empty database


def test_a_closed_database_on_a_full_disk_can_still_be_read(small_disk, capsys):
    db = logged_on(small_disk.path)
    small_disk.fill()
    assert main(["sessions", "--db", str(db)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["export", "latest", "--db", str(db)]) == 0
    assert "note 1" in capsys.readouterr().out


def test_an_export_over_a_file_on_a_full_disk_leaves_the_old_file_whole(small_disk, capsys):
    db = logged_on(small_disk.path)
    notes = small_disk.path / "notes.json"
    assert main(["export", "latest", "--format", "json", "--out", str(notes), "--db", str(db)]) == 0
    good = notes.read_bytes()
    small_disk.fill()
    capsys.readouterr()
    code = main(["export", "latest", "--format", "json", "--out", str(notes), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "nothing was changed there" in err
    assert notes.read_bytes() == good  # the old file, whole: not a part of the new
    assert not [p for p in small_disk.path.iterdir() if p.name.endswith(".part")]
