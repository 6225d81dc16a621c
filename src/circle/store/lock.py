"""One circle at a time writes to a database: a lock file beside it.

SQLite itself would let two windows append to the same session, and each would
show a different truth. The lock is advisory (flock), so it disappears with the
process, even after kill -9.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from circle.core.errors import CircleError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; run without the lock
    fcntl = None  # type: ignore[assignment]


class LockedError(CircleError):
    pass


def real_path(db: Path | str) -> Path:
    """The database file itself, whatever name it was reached by: a symbolic link is followed, so
    two windows opening it by two names still share one lock (and one journal). A hard link cannot
    be told from the file, so it is refused: two names would be two locks on one log."""
    path = Path(os.path.realpath(db))
    try:
        links = os.stat(path).st_nlink
    except OSError:
        return path  # a new file
    if links > 1:
        raise LockedError(
            f"{db} has {links} names on disk (a hard link): circle cannot tell whether another circle "
            "has it open by its other name; open it by one name only (copy it, or use a symbolic link)"
        )
    return path


class DatabaseLock:
    def __init__(self, db: Path):
        db = real_path(db)
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> DatabaseLock:
        if fcntl is None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existed = self.path.exists()
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
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError as exc:  # a full disk: say so, and leave nothing behind
            os.close(fd)
            if not existed:
                with contextlib.suppress(OSError):
                    self.path.unlink()
            raise LockedError(
                f"cannot write {self.path} ({exc.strerror}): free some space for circle to keep a session; "
                "to look without changing anything: circle --read-only"
            ) from None
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
