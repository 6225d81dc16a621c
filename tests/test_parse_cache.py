"""The parse cache: an unchanged file is not parsed again; anything else behaves as if it were not there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from circle.protocol import cache as parse_cache
from circle.protocol import loader
from circle.protocol.loader import LoadError, load_library, load_protocol

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Labels of the files the slow YAML parser was asked to read."""
    seen: list[str] = []
    real = loader.read_yaml

    def counting(text: str, label: str):
        seen.append(label)
        return real(text, label)

    monkeypatch.setattr(loader, "read_yaml", counting)
    return seen


def test_an_unchanged_file_is_parsed_once(tmp_path, parses):
    path = shutil.copy(FIXTURES / "round-open.yaml", tmp_path / "p.yaml")
    first = load_protocol(path)
    second = load_protocol(path)
    assert parses == [str(path)]
    assert first == second


def test_the_bundled_library_loads_from_the_cache_the_second_time(parses):
    first = load_library()
    parsed = len(parses)
    assert parsed == len(first.protocols)
    second = load_library()
    assert len(parses) == parsed  # nothing parsed again
    assert second.protocols == first.protocols


def test_an_edited_file_is_parsed_again_and_errors_keep_their_place(tmp_path, parses):
    path = tmp_path / "p.yaml"
    good = (FIXTURES / "round-open.yaml").read_text()
    path.write_text(good)
    load_protocol(path)
    path.write_text(good.replace("turn: 2m", "turn: -5m"))
    with pytest.raises(LoadError) as caught:
        load_protocol(path)
    assert len(parses) == 2
    problem = caught.value.problems[0]
    assert problem.line > 1 and "duration" in problem.message


def test_cached_data_the_models_no_longer_accept_is_parsed_for_located_errors(tmp_path, parses):
    """A newer circle may refuse what an older one cached: the file is read again, errors located."""
    path = shutil.copy(FIXTURES / "round-open.yaml", tmp_path / "p.yaml")
    text = Path(path).read_text()
    cache = parse_cache.shared()
    cache.entries[parse_cache.key(text)] = {"id": "Not A Valid Id"}  # as if the rules had changed
    load_protocol(path)
    assert parses == [str(path)]


def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path, parses, monkeypatch):
    monkeypatch.setenv("CIRCLE_HOME", str(tmp_path / "home"))
    target = parse_cache.default_path()
    target.parent.mkdir(parents=True)
    target.write_text("{ not json")
    path = shutil.copy(FIXTURES / "round-open.yaml", tmp_path / "p.yaml")
    assert load_protocol(path).id
    assert json.loads(target.read_text())["format"] == parse_cache.FORMAT


def test_a_cache_folder_that_cannot_be_written_changes_nothing(tmp_path, parses, monkeypatch):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("CIRCLE_HOME", str(blocker))
    path = shutil.copy(FIXTURES / "round-open.yaml", tmp_path / "p.yaml")
    assert load_protocol(path) == load_protocol(path)


def test_only_what_json_holds_exactly_is_kept(tmp_path):
    cache = parse_cache.ParseCache(tmp_path / "c.json")
    cache.put("a: 2026-01-01", {"a": __import__("datetime").date(2026, 1, 1)})
    cache.put("b: 1", {"b": 1})
    cache.save()
    again = parse_cache.ParseCache(tmp_path / "c.json")
    assert again.get("a: 2026-01-01") is None
    assert again.get("b: 1") == {"b": 1}


def test_the_cache_keeps_only_the_most_recently_used(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    cache = parse_cache.ParseCache(tmp_path / "c.json")
    for n in range(3):
        cache.put(f"n: {n}", {"n": n})
    cache.get("n: 0")  # used again: kept
    cache.put("n: 3", {"n": 3})
    assert cache.get("n: 1") is None
    assert [cache.get(f"n: {n}") for n in (0, 2, 3)] == [{"n": 0}, {"n": 2}, {"n": 3}]
