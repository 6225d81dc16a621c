import json
import os
from pathlib import Path

import pytest

from circle.cli import main
from circle.sessions import start_session
from circle.store import Store

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
BAD_FIXTURES = sorted(FIXTURES.glob("bad-*.yaml"))
GOOD_FIXTURES = [FIXTURES / "round-open.yaml", FIXTURES / "all-kinds.yaml"]
STEP_KINDS = {
    "round",
    "open",
    "pairs",
    "groups",
    "silence",
    "meal",
    "break",
    "performance",
    "breakout",
    "method",
    "open_space",
}


@pytest.fixture
def db(tmp_path):
    return tmp_path / "x.db"


@pytest.fixture
def logged(db, protocol, clock):
    """A database holding one session in which Ana spoke for 40s and a note was taken."""
    store = Store(db)
    session = start_session(store, protocol, ["Ana", "Ben"], clock)
    session.start()
    clock.advance(40)
    session.next()
    session.note("a quiet evening")
    session.pause()
    store.close()
    return session.state.session_id


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(code, out, err, *words):
    assert code == 1
    assert out == ""
    assert err.startswith("circle: ")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "Traceback" not in err
    for word in words:
        assert word in err


# -- protocols, validate, schema ----------------------------------------------------------


def test_protocols_lists_the_bundled_feelz_protocols(capsys):
    code, out, err = run(capsys, "protocols")
    assert (code, err) == (0, "")
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert {"feelz-checkin", "feelz-appreciation", "feelz-reflect"} <= set(rows)
    # the check-in is 30s of silence and 90s turns, for 2 to 8 people
    checkin = rows["feelz-checkin"]
    assert "Feelz: arrival check-in" in checkin
    assert "3m 30s-12m 30s" in checkin
    assert checkin.rstrip().endswith("2-8")


def test_protocols_includes_extra_files_and_reports_bad_ones(capsys, tmp_path, monkeypatch):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "broken.yaml").write_text("id: broken\ntitle: Broken\nsteps: []\n")
    monkeypatch.setenv("CIRCLE_PROTOCOLS", str(user))
    code, out, err = run(capsys, "protocols", "--protocols", FIXTURES / "all-kinds.yaml")
    assert code == 0
    assert "test-all-kinds" in out and "feelz-checkin" in out
    assert err == (f"circle: skipped {user / 'broken.yaml'}:3:1: steps: a protocol needs at least one step\n")


def test_validate_accepts_good_files_with_one_line(capsys):
    code, out, err = run(capsys, "validate", ROOT / "protocols", *GOOD_FIXTURES)
    files = len(list((ROOT / "protocols").glob("*.yaml"))) + len(GOOD_FIXTURES)
    assert (code, out, err) == (0, f"{files} files, {files} protocols: all valid\n", "")


@pytest.mark.parametrize("path", BAD_FIXTURES, ids=lambda p: p.name)
def test_validate_reports_located_lines_for_a_bad_file(capsys, path):
    code, out, err = run(capsys, "validate", FIXTURES / "round-open.yaml", path)
    assert code == 1
    lines = out.splitlines()
    assert lines
    for line in lines:
        location, _, message = line.partition(": ")
        file, row, col = location.rsplit(":", 2)
        assert file == str(path)
        assert int(row) >= 1 and int(col) >= 1
        assert message


def test_schema_describes_every_step_kind(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    kinds = set()
    for definition in schema["$defs"].values():
        kind = definition.get("properties", {}).get("kind", {})
        kinds |= {kind["const"]} if "const" in kind else set(kind.get("enum", []))
    assert kinds == set(STEP_KINDS)
    assert schema["additionalProperties"] is False
    assert {"id", "title", "steps"} <= set(schema["required"])


def test_the_bundled_schema_file_is_up_to_date(capsys):
    """protocols/protocol.schema.json is what editors use; regenerate it with `circle schema`."""
    code, out, _ = run(capsys, "schema")
    assert code == 0
    bundled = ROOT / "protocols" / "protocol.schema.json"
    assert json.loads(bundled.read_text(encoding="utf-8")) == json.loads(out), (
        "run: circle schema > protocols/protocol.schema.json"
    )


# -- sessions and export ---------------------------------------------------------------


def test_sessions_lists_logged_sessions(capsys, db, logged):
    code, out, err = run(capsys, "sessions", "--db", db)
    assert (code, err) == (0, "")
    (line,) = out.splitlines()
    assert line.startswith(logged[:8])
    assert "Test round and talk" in line
    assert "(2 people, unfinished)" in line


def test_sessions_on_an_empty_database(capsys, db):
    Store(db).close()
    code, out, _ = run(capsys, "sessions", "--db", db)
    assert code == 0
    assert out == f"no sessions logged in {db} yet\n"


def test_export_latest_as_markdown(capsys, db, logged):
    code, out, err = run(capsys, "export", "latest", "--db", db)
    assert (code, err) == (0, "")
    assert out.startswith("# Test round and talk\n")
    assert "| Ana | 40s | 2m |  | done |" in out
    assert "a quiet evening" in out


def test_export_by_id_prefix_as_json(capsys, db, logged):
    code, out, _ = run(capsys, "export", logged[:6], "--format", "json", "--db", db)
    assert code == 0
    data = json.loads(out)
    assert data["session"]["id"] == logged
    assert data["events"][0]["kind"] == "session_created"


def test_export_to_a_file(capsys, db, logged, tmp_path):
    target = tmp_path / "notes.md"
    code, out, err = run(capsys, "export", "latest", "--db", db, "--out", target)
    assert (code, out) == (0, "")
    assert err == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8").startswith("# Test round and talk\n")


# -- bad input: one line, exit 1, never a traceback --------------------------------------


def test_unknown_protocol_id(capsys, db):
    code, out, err = run(capsys, "run", "feelz-chekin", "--db", db)
    assert_one_error_line(code, out, err, "no protocol 'feelz-chekin'", "feelz-checkin")


@pytest.mark.parametrize("bug", [KeyError("steps"), ValueError("math domain error")])
def test_a_bug_is_not_worded_as_a_user_mistake(capsys, db, tmp_path, monkeypatch, bug):
    """A KeyError or ValueError that escapes is circle's fault: the last resort says so, with a file."""
    import circle.cli as cli

    def broken(args):
        raise bug

    monkeypatch.setenv("CIRCLE_HOME", str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "sessions", broken)
    code, out, err = run(capsys, "sessions", "--db", db)
    assert (code, out) == (1, "")
    assert err.startswith("circle stopped on an unexpected problem (") and type(bug).__name__ in err
    assert len(list((tmp_path / "logs").glob("crash-*.txt"))) == 1


def test_export_with_no_session(capsys, db):
    Store(db).close()
    code, out, err = run(capsys, "export", "latest", "--db", db)
    assert_one_error_line(code, out, err, "no sessions are logged")


def test_export_of_an_unknown_session(capsys, db, logged):
    code, out, err = run(capsys, "export", "zzzz", "--db", db)
    assert_one_error_line(code, out, err, "no session 'zzzz'")


def test_export_without_a_database(capsys, db):
    code, out, err = run(capsys, "export", "latest", "--db", db)
    assert_one_error_line(code, out, err, f"no database at {db}")
    assert not db.exists()


def test_export_in_an_unknown_format(capsys, db, logged):
    code, out, err = run(capsys, "export", "latest", "--format", "pdf", "--db", db)
    assert_one_error_line(code, out, err, "invalid choice: 'pdf'")


def test_export_to_a_folder_that_does_not_exist(capsys, db, logged, tmp_path):
    target = tmp_path / "missing" / "notes.md"
    code, out, err = run(capsys, "export", "latest", "--db", db, "--out", target)
    assert_one_error_line(code, out, err, f"cannot write {target}")


def test_an_unknown_command(capsys):
    code, out, err = run(capsys, "dance")
    assert_one_error_line(code, out, err, "invalid choice: 'dance'")


# Plain `circle` and `circle run` open the database before any screen: a bad file is one line, untouched.
@pytest.mark.parametrize(
    "command", [["sessions"], ["export", "latest"], [], ["run", "feelz-checkin", "--people", "Ana,Ben"]]
)
def test_a_db_that_is_not_a_database(capsys, tmp_path, command):
    db = tmp_path / "notes.txt"
    db.write_text("shopping list: eggs, milk\n" * 50)
    before = db.read_bytes()
    code, out, err = run(capsys, *command, "--db", db)
    assert_one_error_line(code, out, err, f"{db} is not a circle database")
    assert db.read_bytes() == before


def test_export_formats_offered_are_the_ones_export_writes():
    from circle import cli
    from circle.views import export

    assert cli.EXPORT_FORMATS == export.FORMATS


def test_the_screens_without_a_terminal_say_so_in_one_line(tmp_path):
    """`circle --read-only </dev/null >out` used to hang, writing escape codes into out."""
    import subprocess
    import sys

    db = tmp_path / "c.db"
    Store(db).close()
    for argv in (["--read-only"], []):
        done = subprocess.run(
            [sys.executable, "-m", "circle.cli", *argv, "--db", str(db)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "CIRCLE_HOME": str(tmp_path)},
        )
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "need a terminal" in done.stderr
