"""Where bundled files and the user's own files live: one place names every path circle uses."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir


def bundled_dir(name: str) -> Path:
    """``protocols`` or ``data`` as shipped in the wheel.

    An editable install runs from the source tree, where the folders sit at the
    top of the repository rather than inside the package.
    """
    from importlib import resources  # here, not at the top: a quicker start for every command

    packaged = Path(str(resources.files("circle").joinpath(name)))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def user_dir() -> Path:
    """circle's own folder: ``$CIRCLE_HOME``, or the platform's user data folder."""
    return Path(os.environ.get("CIRCLE_HOME") or user_data_dir("circle", appauthor=False))


def default_db_path() -> Path:
    env = os.environ.get("CIRCLE_DB")
    return Path(env) if env else user_dir() / "circle.db"


def user_protocols_dir() -> Path:
    """The user's own protocols: ``$CIRCLE_PROTOCOLS``, or ``protocols/`` in the user folder."""
    env = os.environ.get("CIRCLE_PROTOCOLS")
    return Path(env) if env else user_dir() / "protocols"


def settings_path() -> Path:
    """What the facilitator chose and circle remembers (theme, export folder): a small TOML file."""
    return user_dir() / "settings.toml"


def cache_dir() -> Path:
    """Files circle can always make again (parsed YAML): ``cache/`` under ``$CIRCLE_HOME``, else the platform's."""
    home = os.environ.get("CIRCLE_HOME")
    return Path(home) / "cache" if home else Path(user_cache_dir("circle", appauthor=False))
