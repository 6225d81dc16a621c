"""Where bundled files and the user's own files live."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


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
    return Path(os.environ.get("CIRCLE_HOME") or user_data_dir("circle", appauthor=False))


def default_db_path() -> Path:
    env = os.environ.get("CIRCLE_DB")
    return Path(env) if env else user_dir() / "circle.db"
