"""What the app remembers between runs (the theme, the export folder), kept in the settings file.

Settings are not part of the log, so they are remembered in ``--read-only`` mode too. A problem
reading or saving them is one notice on screen; circle goes on with what it has.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from circle.core import settings


class Remembered:
    """The settings file, read once when the app opens, and saved when a choice changes."""

    def __init__(self, path: Path | None, start_dir: Path, notify: Callable[..., None]):
        self.path = path  # None: remember nothing (the gallery's scenes)
        self.start_dir = start_dir  # the folder circle was started from
        self.notify = notify
        self.settings, self.problems = settings.read(path) if path else (settings.Settings(), [])

    @property
    def theme(self) -> str | None:
        return self.settings.theme

    @property
    def export_dir(self) -> Path:
        """Where an export goes unless told otherwise: the folder last exported to, else the start folder."""
        return self.settings.export_dir or self.start_dir

    def remember(self, *, theme: str | None = None, export_dir: Path | None = None) -> None:
        """Save what changed; a file that cannot be written is one notice, and the choice lasts this run."""
        changes: dict[str, str | Path] = {}
        if theme is not None and theme != self.settings.theme:
            changes["theme"] = theme
        if export_dir is not None and export_dir != self.settings.export_dir:
            changes["export_dir"] = export_dir
        if not changes:
            return
        self.settings = settings.Settings(
            theme=theme or self.settings.theme, export_dir=export_dir or self.settings.export_dir
        )
        if self.path is None:
            return
        try:
            kept = settings.save(self.path, **changes)
        except settings.SettingsError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        if kept is not None:
            self.notify(f"{self.path} was damaged: kept as {kept.name}, and a new one written", severity="warning")
