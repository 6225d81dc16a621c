"""What the facilitator chose and circle remembers between runs: the theme and the export folder.

A small TOML file (``circle.core.resources.settings_path()``). Reading never stops circle: a
file that cannot be read or parsed gives the defaults and one line saying what is wrong with
it. Saving reads the file again and changes only the keys it is given, so keys circle does not
know (a newer version's, or a hand-written one) are kept; a file that cannot be parsed is kept
beside it (``settings.toml.damaged``) before a new one is written, never overwritten unread.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circle.core.errors import CircleError
from circle.core.files import write_text
from circle.core.resources import settings_path


class SettingsError(CircleError):
    """Settings that could not be saved (a read-only folder, a full disk): one line."""


@dataclass(frozen=True)
class Settings:
    """What was remembered; None where nothing was (or what was there could not be used)."""

    theme: str | None = None
    export_dir: Path | None = None


# Each key circle knows, and the type its value must have in the file.
KEYS: dict[str, type] = {"theme": str, "export_dir": str}


def read(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings in ``path`` (the user's by default), and a line for each problem found.

    No file is no settings and no problem. A key whose value has the wrong type is left out
    (and named); the others still count."""
    path = path or settings_path()
    try:
        table = _parse(path)
    except (FileNotFoundError, NotADirectoryError):  # a user folder that is a file holds no settings either
        return Settings(), []
    except (OSError, ValueError) as exc:
        return Settings(), [f"{path}: {_reason(exc)}; starting with the default settings"]
    problems, values = [], {}
    for key, kind in KEYS.items():
        if key not in table:
            continue
        if isinstance(table[key], kind) and table[key]:
            values[key] = table[key]
        else:
            problems.append(f"{path}: {key} should be a {kind.__name__} (got {table[key]!r}); left at its default")
    export_dir = values.get("export_dir")
    return Settings(values.get("theme"), Path(export_dir) if export_dir else None), problems


def save(path: Path | None = None, **values: str | Path | None) -> Path | None:
    """Change ``values`` in the settings file (None removes a key), keeping every other key.

    Returns where a damaged file was kept before this one replaced it, or None. A folder that
    cannot be written (read-only, full) raises ``SettingsError`` and leaves the old file whole.
    """
    import tomli_w  # only when saving: reading is the standard library's tomllib

    path = path or settings_path()
    kept = None
    try:
        table = _parse(path)
    except FileNotFoundError:
        table = {}
    except ValueError:  # damaged: kept as it was, beside the new one
        kept, table = _keep_damaged(path), {}
    except OSError as exc:  # unreadable: writing over it would lose what is in it
        raise SettingsError(f"cannot save settings: {path}: {_reason(exc)}") from exc
    for key, value in values.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = str(value)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, tomli_w.dumps(table))
    except OSError as exc:
        raise SettingsError(f"cannot save settings to {path}: {_reason(exc)}") from exc
    return kept


def _parse(path: Path) -> dict[str, Any]:
    """The file's table; ValueError when it is not TOML (or not UTF-8)."""
    with path.open("rb") as file:
        return tomllib.load(file)


def _keep_damaged(path: Path) -> Path:
    """Move a damaged file aside under a name not yet taken, so no earlier copy is lost either."""
    kept = path.with_name(path.name + ".damaged")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.damaged-{n}")
    try:
        os.replace(path, kept)
    except OSError as exc:
        raise SettingsError(
            f"cannot save settings: {path} is damaged and cannot be moved aside: {_reason(exc)}"
        ) from exc
    return kept


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
