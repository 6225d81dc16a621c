"""The settings file: what circle remembers, read without ever stopping circle, written whole."""

from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path

import pytest

from circle.core import settings
from circle.core.resources import settings_path
from circle.core.settings import Settings, SettingsError


def test_what_is_saved_is_read_back(tmp_path):
    path = tmp_path / "settings.toml"
    assert settings.save(path, theme="nord", export_dir=tmp_path / "notes") is None
    assert settings.read(path) == (Settings("nord", tmp_path / "notes"), [])
    settings.save(path, theme=None)  # None forgets it
    assert settings.read(path) == (Settings(None, tmp_path / "notes"), [])


def test_the_user_file_lives_in_the_user_folder():
    settings.save(theme="nord")
    assert settings_path().parent == Path(os.environ["CIRCLE_HOME"])
    assert settings.read() == (Settings("nord"), [])


def test_no_file_is_the_defaults_and_nothing_to_say(tmp_path):
    assert settings.read(tmp_path / "settings.toml") == (Settings(), [])


def test_keys_circle_does_not_know_are_kept(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('future = "yes"\ntheme = "nord"\n\n[editor]\nwrap = 80\n')
    settings.save(path, export_dir="/srv/notes")
    assert tomllib.loads(path.read_text()) == {
        "future": "yes",
        "theme": "nord",
        "export_dir": "/srv/notes",
        "editor": {"wrap": 80},
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b'theme = "nord\n', "not valid TOML"), (b'theme = "\xff"\n', "not UTF-8 text"), (b"[[[", "not valid TOML")],
)
def test_a_damaged_file_gives_the_defaults_and_one_line_naming_it(tmp_path, content, reason):
    path = tmp_path / "settings.toml"
    path.write_bytes(content)
    found, problems = settings.read(path)
    assert found == Settings()
    assert len(problems) == 1 and problems[0].startswith(f"{path}: {reason}")
    assert "\n" not in problems[0]


def test_a_damaged_file_is_kept_aside_before_a_new_one_is_written(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes(b"theme = [broken")
    assert settings.save(path, theme="nord") == tmp_path / "settings.toml.damaged"
    assert (tmp_path / "settings.toml.damaged").read_bytes() == b"theme = [broken"
    assert settings.read(path) == (Settings("nord"), [])
    path.write_bytes(b"again = [broken")  # a second damaged copy does not replace the first
    assert settings.save(path, theme="nord") == tmp_path / "settings.toml.damaged-2"
    assert (tmp_path / "settings.toml.damaged").read_bytes() == b"theme = [broken"


def test_a_value_of_the_wrong_type_is_named_and_the_rest_still_counts(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('theme = 7\nexport_dir = "/srv/notes"\n')
    found, problems = settings.read(path)
    assert found == Settings(None, Path("/srv/notes"))
    assert problems == [f"{path}: theme should be a str (got 7); left at its default"]


def test_a_file_that_cannot_be_read_is_said_and_never_written_over(tmp_path):
    path = tmp_path / "settings.toml"
    path.mkdir()  # what is there is not a file circle can read
    assert settings.read(path)[1] == [f"{path}: Is a directory; starting with the default settings"]
    with pytest.raises(SettingsError, match="cannot save settings"):
        settings.save(path, theme="nord")
    assert path.is_dir()


def test_a_write_that_fails_leaves_the_old_file_whole_and_no_part_of_the_new(tmp_path, monkeypatch):
    path = tmp_path / "settings.toml"
    settings.save(path, theme="nord")
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("circle.core.files.os.fsync", full)
    with pytest.raises(SettingsError, match=f"cannot save settings to {path}: No space left on device"):
        settings.save(path, theme="dracula", export_dir="/srv/notes")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml"]


def test_a_full_disk_when_saving_is_one_line(small_disk):
    path = small_disk.path / "settings.toml"
    settings.save(path, theme="nord")
    small_disk.fill()
    try:
        with pytest.raises(SettingsError, match="No space left on device"):
            settings.save(path, export_dir="/srv/" + "n" * 8000)
        assert settings.read(path) == (Settings("nord"), [])
    finally:
        small_disk.free()


def test_the_folder_is_made_when_the_first_setting_is_saved(tmp_path):
    path = tmp_path / "new" / "home" / "settings.toml"
    settings.save(path, theme="nord")
    assert settings.read(path) == (Settings("nord"), [])
