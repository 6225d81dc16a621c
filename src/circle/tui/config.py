"""What the app is opened with: the command line, the tests and the gallery each build one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circle.core.clock import Clock, SystemClock
from circle.core.resources import settings_path
from circle.store import Store

if TYPE_CHECKING:
    from circle.games.reciprocity.scoring import ScoringRules
    from circle.protocol.loader import Library
    from circle.sessions import StartRequest


@dataclass(frozen=True)
class EditRequest:
    """Open the protocol editor at once: on ``protocol_id``, or a new one (from ``based_on``)."""

    protocol_id: str
    new: bool = False
    based_on: str | None = None


@dataclass(frozen=True)
class AppConfig:
    """The database, the protocols and the clock, and how the app starts.

    ``store`` says whether it is read-only (``circle --read-only``: only looking).
    """

    store: Store
    clock: Clock = field(default_factory=SystemClock)
    library: Library | None = None  # None: read once home is on screen, from protocol_paths and the usual places
    protocol_paths: tuple[Path | str, ...] = ()
    start: StartRequest | None = None  # start this session at once (circle run)
    check_resume: bool = True  # offer to resume a session that was never ended
    tz: tzinfo | None = None  # None: this machine's zone
    export_dir: Path = field(default_factory=Path.cwd)  # where exports go until a folder is chosen and remembered
    theme: str | None = None  # None: the theme remembered from the palette, else projector
    settings: Path | None = field(default_factory=settings_path)  # what is remembered; None: nothing is
    rules: ScoringRules | None = None  # None: the Reciprocity Game's own, read when first needed
    follow: tuple[str, int] = ("lan", 0)  # where phones follow along: "lan" or an address, and a port (0 picks one)
    follow_at_start: bool = False  # circle run --follow: the code is on the wall from the start
    edit: EditRequest | None = None  # circle new / circle edit: the protocol editor at once


def config_for(db: Path | str | Store, **options: Any) -> AppConfig:
    """An ``AppConfig`` for a database path (or an open store): ``options`` are its fields by name,
    and one given as None keeps its default (as the command line passes what it was not told)."""
    given = {name: value for name, value in options.items() if value is not None}
    if "protocol_paths" in given:
        given["protocol_paths"] = tuple(given["protocol_paths"])
    return AppConfig(db if isinstance(db, Store) else Store(db), **given)
