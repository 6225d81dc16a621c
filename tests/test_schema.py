"""The protocol schema where editors use it: its messages, its file beside the user's protocols,
`circle schema --write`, and the loader's own words for the same mistakes."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from circle.cli import main
from circle.core.durations import parse_duration
from circle.core.resources import bundled_dir, user_protocols_dir
from circle.protocol import schema as schema_file
from circle.protocol.loader import LoadError, load_library, load_protocol
from circle.protocol.models import DURATION_PATTERN, STEP_KINDS
from circle.protocol.schema import SCHEMA_NAME, ensure_user_protocols_dir, json_schema, schema_text

BUNDLED = bundled_dir("protocols")
KINDS = ", ".join(STEP_KINDS)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def schema_errors(doc: dict) -> list[jsonschema.ValidationError]:
    """What an editor checking ``doc`` against the bundled schema file finds."""
    import json

    schema = json.loads((BUNDLED / SCHEMA_NAME).read_text(encoding="utf-8"))
    return list(jsonschema.Draft202012Validator(schema).iter_errors(doc))


def protocol(*steps: dict) -> dict:
    return {"id": "t", "title": "T", "steps": list(steps)}


ROUND = {"kind": "round", "title": "Check-in", "turn": "1m"}


# -- the loader's words ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_a_misspelt_kind_lists_the_kinds_and_names_the_close_one(tmp_path):
    path = write(tmp_path, "id: t\ntitle: T\nsteps:\n  - title: Check-in\n    kind: roud\n    turn: 1m\n")
    with pytest.raises(LoadError) as exc:
        load_protocol(path)
    assert str(exc.value) == (f"{path}:5:5: unknown step kind 'roud' (did you mean 'round'?); expected one of: {KINDS}")


def test_a_key_of_another_kind_is_refused_on_that_step(tmp_path):
    path = write(
        tmp_path,
        "id: t\ntitle: T\nsteps:\n  - kind: open\n    title: Talk\n    duration: 5m\n"
        "  - kind: round\n    title: Check-in\n    turn: 1m\n    size: 3\n",
    )
    with pytest.raises(LoadError) as exc:
        load_protocol(path)
    (line,) = str(exc.value).splitlines()
    assert line.startswith(f"{path}:10:5: unknown key 'size' for a round step (a key of groups); allowed: ")
    assert "turn" in line.split("allowed: ")[1].split(", ")


# -- the schema's words, as an editor checks a file -------------------------------------------


def test_every_bundled_protocol_and_good_fixture_is_valid_under_the_schema():
    from ruamel.yaml import YAML

    fixtures = Path(__file__).parent / "fixtures"
    files = [*sorted(BUNDLED.glob("*.yaml")), *(fixtures / n for n in ("all-kinds.yaml", "breakouts.yaml"))]
    for path in files:
        assert schema_errors(YAML(typ="safe").load(path.read_text())) == [], path.name


def test_an_unknown_kind_in_an_editor_is_one_message_listing_the_kinds():
    (error,) = schema_errors(protocol({**ROUND, "kind": "roud"}))
    assert list(error.absolute_path) == ["steps", 0, "kind"]
    assert error.validator == "enum" and error.validator_value == list(STEP_KINDS)


def test_an_editor_checks_each_kind_against_its_own_fields():
    (error,) = schema_errors(protocol({**ROUND, "duration": "5m"}))
    assert list(error.absolute_path) == ["steps", 0]
    assert error.validator == "additionalProperties" and "'duration'" in error.message
    (missing,) = schema_errors(protocol({"kind": "silence", "title": "Quiet"}))
    assert missing.validator == "required" and "'duration'" in missing.message


def test_a_duration_an_editor_cannot_read_is_refused_by_its_pattern_with_words_for_people():
    (error,) = schema_errors(protocol({**ROUND, "turn": "soonish"}))
    assert list(error.absolute_path) == ["steps", 0, "turn"]
    assert error.validator == "pattern"  # not "Expected integer" from a branch of a choice
    duration = error.schema
    assert "90s, 2m or 1h30m" in duration["patternErrorMessage"]
    for good in (90, "90s", "1h 30m"):
        assert schema_errors(protocol({**ROUND, "turn": good})) == []


SAMPLES = [
    *("90", "90s", "2m", "1h30m", "1m 30s", "1h", "2 m", "1H30M", " 2m ", "1h 05m 30s", "1h59m", "0", "168h"),
    *("1h0m", "2m 59s", "90\n", "1.5", "5m3h", "2 minutes", "m", "", "  ", "1h1h", "-5s", "1h70m", "1m60s"),
    *("1h 30", "30s 1m", "+5", "1,5m", "5 m 5", "²s", "1h30m!", "0x10s", "1 2"),
]


@pytest.mark.parametrize("sample", SAMPLES, ids=repr)
def test_the_schemas_duration_pattern_agrees_with_the_parser(sample):
    """Beyond a week, which a pattern cannot count, an editor accepts what circle accepts."""
    try:
        parse_duration(sample)
        accepted = True
    except ValueError:
        accepted = False
    assert bool(re.search(DURATION_PATTERN, sample)) == accepted


# -- the file ---------------------------------------------------------------------------------


def test_the_bundled_schema_file_is_the_generated_schema_byte_for_byte():
    """Start-up compares the user's copy with the bundled file's bytes; they must be the schema."""
    assert (BUNDLED / SCHEMA_NAME).read_text(encoding="utf-8") == schema_text(), (
        "run: circle schema > protocols/protocol.schema.json"
    )


def test_schema_write_puts_the_file_in_a_folder_and_says_where(capsys, tmp_path):
    code, out, err = run(capsys, "schema", "--write", tmp_path)
    target = tmp_path / SCHEMA_NAME
    assert (code, out, err) == (0, f"wrote {target}\n", "")
    assert target.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("what", ["missing", "a file"])
def test_schema_write_into_no_folder_is_one_line(capsys, tmp_path, what):
    folder = tmp_path / "nowhere"
    if what == "a file":
        folder.write_text("not a folder")
    code, out, err = run(capsys, "schema", "--write", folder)
    reason = "no such folder" if what == "missing" else "is not a folder"
    assert (code, out, err) == (1, "", f"circle: cannot write the schema into {folder}: {reason}\n")


def test_loading_the_library_gives_the_user_folder_its_schema(capsys):
    folder = user_protocols_dir()
    assert not folder.exists()
    code, _, _ = run(capsys, "protocols")
    assert code == 0
    assert (folder / SCHEMA_NAME).read_bytes() == (BUNDLED / SCHEMA_NAME).read_bytes()


def test_an_old_schema_in_the_user_folder_is_replaced(tmp_path):
    folder = user_protocols_dir()
    folder.mkdir(parents=True)
    (folder / SCHEMA_NAME).write_text('{"title": "an older circle protocol"}')
    (folder / "mine.yaml").write_text("id: mine\ntitle: Mine\nsteps:\n  - {kind: silence, title: Q, duration: 1m}\n")
    library = load_library()
    assert "mine" in library.protocols
    assert (folder / SCHEMA_NAME).read_bytes() == (BUNDLED / SCHEMA_NAME).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["mine.yaml", SCHEMA_NAME]  # no temporary file left


def test_a_current_schema_is_not_generated_again(monkeypatch):
    """Every start reaches this: with the file current it only compares bytes."""
    assert ensure_user_protocols_dir() == user_protocols_dir()
    written = (user_protocols_dir() / SCHEMA_NAME).stat().st_mtime_ns

    def never(*args, **kwargs):
        raise AssertionError("the schema was generated or written again")

    monkeypatch.setattr(schema_file, "schema_text", never)
    monkeypatch.setattr(schema_file, "write_bytes", never)
    monkeypatch.setattr(schema_file, "json_schema", never)
    assert ensure_user_protocols_dir() == user_protocols_dir()
    assert (user_protocols_dir() / SCHEMA_NAME).stat().st_mtime_ns == written


def test_a_user_folder_that_cannot_be_made_changes_nothing(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")  # as root, chmod cannot refuse a write
    monkeypatch.setenv("CIRCLE_HOME", str(blocker))
    assert ensure_user_protocols_dir() is None
    code, out, err = run(capsys, "protocols")
    assert (code, err) == (0, "") and "feelz-checkin" in out


def test_the_schema_command_still_prints_it(capsys):
    code, out, err = run(capsys, "schema")
    assert (code, err) == (0, "")
    assert out == schema_text()
    assert out.startswith("{") and '"title": "circle protocol"' in out
    assert json_schema()["properties"]["steps"]["items"]["properties"]["kind"]["enum"] == list(STEP_KINDS)


# -- circle validate says when all is well ------------------------------------------------------


def test_validate_says_how_much_it_checked_when_all_is_valid(capsys):
    fixtures = Path(__file__).parent / "fixtures"
    code, out, err = run(capsys, "validate", fixtures / "round-open.yaml")
    assert (code, out, err) == (0, "1 file, 1 protocol: all valid\n", "")
    protocols = len(list(BUNDLED.glob("*.yaml")))
    code, out, err = run(capsys, "validate", BUNDLED, bundled_dir("data") / "methods.yaml")
    assert (code, err) == (0, "")
    assert out == f"{protocols + 1} files, {protocols} protocols, 1 data file: all valid\n"


def test_validate_of_a_folder_with_no_protocols_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "validate", tmp_path)
    assert (code, out, err) == (1, "", f"circle: nothing to check: no .yaml or .yml files in {tmp_path}\n")
