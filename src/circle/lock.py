"""One circle at a time writes to a database: a lock file beside it.

SQLite itself would let two windows append to the same session, and each would
show a different truth. The lock is advisory (flock), so it disappears with the
process, even after kill -9.
"""

from __future__ import annotations

import os
from pathlib import Path

from circle.errors import CircleError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; run without the lock
    fcntl = None  # type: ignore[assignment]


class LockedError(CircleError):
    pass


class DatabaseLock:
    def __init__(self, db: Path):
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> DatabaseLock:
        if fcntl is None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockedError(
                f"cannot create {self.path} ({exc.strerror}): circle needs to write in that folder; "
                "to look without changing anything: circle --read-only"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LockedError(
                f"{self.path.with_suffix('')} is open in another circle (process {holder}); close that one, "
                "or look without changing anything: circle --read-only"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
