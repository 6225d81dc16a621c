"""circle in the shell: --version, `circle paths`, completion, --help, options on either side of a command."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from circle.cli import _parser, main
from circle.cli.shell import actions
from circle.core import about
from circle.store import Store

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


# -- the name and the version -------------------------------------------------------------


def test_the_version_is_looked_up_under_the_distributions_name():
    # `circle` on the package index is another project: the metadata lives under this name.
    assert PROJECT["name"] == about.DISTRIBUTION == "circle-facilitator"
    assert PROJECT["scripts"] == {"circle": "circle.cli:main"}


def test_version_prints_one_line_to_stdout(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    out, err = capsys.readouterr()
    assert done.value.code == 0 and err == ""
    assert out == f"circle {about.version()}\n"


def test_python_dash_m_circle_runs_the_command(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "circle", "paths", "database"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "CIRCLE_HOME": str(tmp_path)},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{tmp_path / 'circle.db'}\n"


# -- paths ---------------------------------------------------------------------------------


def test_paths_says_where_each_file_is_whether_it_is_there_and_what_moves_it(capsys, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CIRCLE_HOME", str(home))
    code, out, err = run(capsys, "paths")
    assert (code, err) == (0, "")
    rows = [re.split(r"\s{2,}", line) for line in out.splitlines()]  # columns: what, where, there yet, moved by
    assert [row[1] for row in rows] == [
        str(home / "circle.db"),
        str(home / "protocols"),
        str(home / "settings.toml"),
        str(home / "cache"),
    ]
    assert [row[2] for row in rows] == ["not yet"] * 4
    assert [row[3] for row in rows] == ["set by $CIRCLE_HOME"] * 4

    (home / "protocols").mkdir(parents=True)
    monkeypatch.setenv("CIRCLE_DB", str(tmp_path / "club.db"))
    Store(tmp_path / "club.db").close()
    lines = run(capsys, "paths")[1].splitlines()
    assert str(tmp_path / "club.db") in lines[0] and " there " in lines[0] and lines[0].endswith("set by $CIRCLE_DB")
    assert " there " in lines[1] and lines[1].endswith("set by $CIRCLE_HOME")
    assert lines[2].endswith("set by $CIRCLE_HOME") and "not yet" in lines[2]

    monkeypatch.delenv("CIRCLE_HOME")
    monkeypatch.delenv("CIRCLE_DB")
    rows = [re.split(r"\s{2,}", line) for line in run(capsys, "paths")[1].splitlines()]
    assert [row[3] for row in rows] == [
        "default; --db or $CIRCLE_DB or $CIRCLE_HOME moves it",
        "default; $CIRCLE_PROTOCOLS or $CIRCLE_HOME moves it",
        "default; $CIRCLE_HOME moves it",
        "default; $CIRCLE_HOME moves it",
    ]


@pytest.mark.parametrize(
    ("which", "variable", "value"),
    [
        ("database", "CIRCLE_DB", "elsewhere/my.db"),
        ("protocols", "CIRCLE_PROTOCOLS", "shared/protocols"),
        ("settings", "CIRCLE_HOME", "home"),
        ("cache", "CIRCLE_HOME", "home"),
    ],
)
def test_each_path_alone_is_the_one_circle_uses(capsys, tmp_path, monkeypatch, which, variable, value):
    from circle.core import resources

    monkeypatch.setenv(variable, str(tmp_path / value))
    used = {
        "database": resources.default_db_path,
        "protocols": resources.user_protocols_dir,
        "settings": resources.settings_path,
        "cache": resources.cache_dir,
    }[which]()
    code, out, _ = run(capsys, "paths", which)
    assert code == 0 and out == f"{used}\n"
    assert Path(out.strip()).is_relative_to(tmp_path / value)


def test_paths_names_the_database_given_with_db_after_the_command(capsys, tmp_path):
    code, out, _ = run(capsys, "paths", "database", "--db", tmp_path / "other.db")
    assert out == f"{tmp_path / 'other.db'}\n"
    assert run(capsys, "paths", "--db", tmp_path / "other.db")[1].splitlines()[0].endswith("set by --db")


def test_help_names_the_variables_and_where_the_files_are_now(capsys, tmp_path, monkeypatch):
    home = tmp_path / "100% circle"  # argparse reads "%" in a help text as a placeholder
    monkeypatch.setenv("CIRCLE_HOME", str(home))
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    flat = "".join(out.split())  # help wraps long lines, after a hyphen too

    def said(text) -> bool:
        return "".join(str(text).split()) in flat

    for variable, path in [
        ("CIRCLE_HOME", home),
        ("CIRCLE_DB", home / "circle.db"),
        ("CIRCLE_PROTOCOLS", home / "protocols"),
    ]:
        assert f"  {variable}  " in out and said(f"now {path}")
    assert said(f"default: {home / 'circle.db'};")  # --db says its default too


# -- completion ----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_scripts_offer_every_command(capsys, shell):
    code, out, err = run(capsys, "completion", shell)
    assert (code, err) == (0, "")
    assert out.startswith("#compdef circle" if shell == "zsh" else "# AUTOMATICALLY GENERATED")
    for name in commands(_parser()):
        assert name in out
    assert "--read-only" in out and "delete" in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_completes_commands_group_actions_and_options(capsys, tmp_path):
    script = tmp_path / "circle.bash"
    script.write_text(run(capsys, "completion", "bash")[1])

    def complete(*words: str) -> list[str]:
        line = f"source {script}; COMP_WORDS=(circle {' '.join(repr(w) for w in words)}); COMP_CWORD={len(words)}; "
        line += (
            f'_shtab_circle circle {words[-1]!r} {words[-2] if len(words) > 1 else "circle"}; echo "${{COMPREPLY[@]}}"'
        )
        return subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=30).stdout.split()

    assert complete("gr") == ["group"]
    assert complete("group", "") == ["list", "show", "create", "rename", "add", "remove", "delete"]
    assert complete("sessions", "--re") == ["--read-only"]


def test_completion_for_an_unknown_shell_is_one_line(capsys):
    code, out, err = run(capsys, "completion", "fish")
    assert code == 1 and out == "" and err.count("\n") == 1 and "invalid choice: 'fish'" in err


# -- options on either side of the command -------------------------------------------------


def minimal(parser: argparse.ArgumentParser, name: str) -> list[str]:
    """The fewest words that run ``name``: its required arguments, and the first of any commands it has."""
    words = [name]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            child, child_parser = next(iter(action.choices.items()))
            return words + minimal(child_parser, child)
    required_groups = [g for g in parser._mutually_exclusive_groups if g.required]
    for action in parser._actions:
        chosen = any(action is g._group_actions[0] for g in required_groups)
        if action.option_strings and (action.required or chosen):
            words += [action.option_strings[0], "2"]
        elif not action.option_strings and action.nargs not in ("?", "*"):
            words.append(next(iter(action.choices)) if action.choices else "x")
    return words


GLOBAL = [("--db", "/tmp/other.db", "db", "/tmp/other.db"), ("--read-only", None, "read_only", True)]


@pytest.mark.parametrize("command", sorted(commands(_parser())))
@pytest.mark.parametrize(("flag", "value", "dest", "expected"), GLOBAL)
def test_every_global_option_works_before_and_after_every_command(command, flag, value, dest, expected):
    parser = _parser()
    words = minimal(commands(parser)[command], command)
    given = [flag] + ([value] if value else [])
    before = parser.parse_args([*given, *words])
    after = _parser().parse_args([*words, *given])
    assert getattr(before, dest) == getattr(after, dest) == expected
    assert vars(before) == vars(after)


@pytest.mark.parametrize("command", sorted(commands(_parser())))
def test_protocols_works_before_and_after_every_command(command):
    words = minimal(commands(_parser())[command], command)
    before = _parser().parse_args(["--protocols", "mine/", *words])
    after = _parser().parse_args([*words, "--protocols", "mine/"])
    assert before.protocols == after.protocols == ["mine/"]


@pytest.mark.parametrize(
    ("flag", "value", "dest"), [("--follow-host", "127.0.0.1", None), ("--follow-port", "8080", 8080)]
)
def test_the_phones_options_work_before_and_after_run(flag, value, dest):
    before = _parser().parse_args([flag, value, "run", "feelz-checkin"])
    after = _parser().parse_args(["run", "feelz-checkin", flag, value])
    name = flag[2:].replace("-", "_")
    assert getattr(before, name) == getattr(after, name) == (dest if dest is not None else value)


@pytest.mark.parametrize("where", ["before", "after"])
def test_sessions_read_only_on_either_side(capsys, tmp_path, where, protocol, clock):
    """`circle sessions --read-only` was refused: --read-only was only known before the command."""
    from circle.sessions import start_session

    db = tmp_path / "c.db"
    store = Store(db)
    start_session(store, protocol, ["Ana", "Ben"], clock)
    store.close()
    argv = ["--read-only", "sessions", "--db", db] if where == "before" else ["sessions", "--db", db, "--read-only"]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert "(2 people, unfinished)" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["group", "create", "Crew"],
        ["loops", "Crew", "--move", "connect"],
        ["merge", "other.db"],
        ["run", "feelz-checkin", "--people", "Ana,Ben"],
    ],
)
@pytest.mark.parametrize("where", ["before", "after"])
def test_read_only_refuses_what_would_change_the_database(capsys, tmp_path, argv, where):
    db = tmp_path / "c.db"
    Store(db).close()
    before = db.read_bytes()
    words = [*argv, "--db", db]
    code, out, err = run(capsys, *(["--read-only", *words] if where == "before" else [*words, "--read-only"]))
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert "read-only" in err
    assert db.read_bytes() == before


# -- help for every argument ---------------------------------------------------------------


def test_every_argument_of_every_command_says_what_it_is():
    missing = [
        f"{parser_prog}: {'/'.join(action.option_strings) or action.dest}"
        for parser_prog, action in _every_action(_parser())
        if not action.help
    ]
    assert missing == []


def _every_action(parser):
    for action in parser._actions:
        yield parser.prog, action
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _every_action(child)


def test_the_walk_reaches_every_command():
    seen = {a.dest for a in actions(_parser())}
    assert {"which", "shell", "yes", "new_name", "paths", "move"} <= seen


def test_loops_help_lists_the_stages_from_the_model(capsys):
    from circle.games.two_loops import load_loops

    with pytest.raises(SystemExit):
        main(["loops", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    move = out[out.index("--move STAGE move") :]
    move = move[: move.index("--evidence")]
    for stage in load_loops().stages:
        assert stage.id in move
        assert all(name in move for name in stage.also)


def test_a_wrong_stage_is_refused_with_the_stages(capsys, tmp_path):
    from circle.games.two_loops import load_loops

    db = tmp_path / "c.db"
    run(capsys, "group", "create", "Riverside", "--kind", "community", "--db", db)
    code, out, err = run(capsys, "loops", "Riverside", "--move", "bloom", "--db", db)
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert err.startswith("circle: no stage 'bloom'; choose one of: ")
    for stage in load_loops().stages:
        assert stage.id in err
