"""Parsed YAML kept by content, so an unchanged file is not parsed again.

ruamel.yaml's round-trip parser keeps every key's position (for located
errors) but is slow: reading the bundled protocols costs more than painting
the home screen. Files that loaded cleanly are kept here as plain data, keyed
by a hash of their text, and are still validated against the models on every
load. A file that changed has a new hash; data that no longer validates is
parsed again, so errors keep their line and column.

The cache is only ever a shortcut: when it cannot be read or written, circle
parses as if it were not there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the shape of the file changes
MAX_ENTRIES = 256  # oldest-used entries are dropped beyond this


def default_path() -> Path:
    """``parsed-yaml.json`` in circle's cache folder (see :func:`circle.core.resources.cache_dir`)."""
    from circle.core.resources import cache_dir

    return cache_dir() / "parsed-yaml.json"


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ParseCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, Any] = {}
        self.dirty = False
        if path is not None:
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("entries"), dict):
            self.entries = doc["entries"]

    def get(self, text: str) -> Any | None:
        """The data of a file with exactly this text, or None."""
        k = key(text)
        data = self.entries.pop(k, None)
        if data is not None:
            self.entries[k] = data  # most recently used last
        return data

    def put(self, text: str, data: Any) -> None:
        """Keep ``data`` (already checked against its model) if JSON holds it exactly."""
        if self.path is None:
            return
        try:
            if json.loads(json.dumps(data)) != data:
                return  # e.g. a date, which JSON would turn into something else
        except (TypeError, ValueError):
            return
        self.entries[key(text)] = data
        while len(self.entries) > MAX_ENTRIES:
            del self.entries[next(iter(self.entries))]
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically; a folder that cannot be written is left alone."""
        if self.path is None or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".parsed-yaml.", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "entries": self.entries}, out, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        self.dirty = False


_shared: ParseCache | None = None


def shared() -> ParseCache:
    """The cache of this process (read once, from :func:`default_path`)."""
    global _shared
    path = default_path()
    if _shared is None or _shared.path != path:
        _shared = ParseCache(path)
    return _shared
