"""Shared fixtures for the domain tests: a fake clock, a database, a protocol."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from circle.core.clock import FakeClock
from circle.protocol.loader import load_protocol
from circle.protocol.models import Protocol
from circle.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

# CI checks the same examples every run, so a landing never hangs on a newly drawn input;
# runs elsewhere draw new ones, and benchmarks/fuzz_inputs.py draws 20,000 at a time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_user_dir(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user's protocols and database."""
    monkeypatch.setenv("CIRCLE_HOME", str(tmp_path_factory.mktemp("circle-home")))
    monkeypatch.delenv("CIRCLE_PROTOCOLS", raising=False)
    monkeypatch.delenv("CIRCLE_DB", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    store = Store(tmp_path / "circle.db")
    yield store
    store.close()


@pytest.fixture
def protocol() -> Protocol:
    """A round (2m turns, 20s warning, passing allowed), 5m open talk, 30s silence."""
    return load_protocol(FIXTURES / "round-open.yaml")


class SmallDisk:
    """A real file system of a few hundred KiB (tmpfs), to be filled: ENOSPC as a full disk gives it."""

    def __init__(self, path: Path):
        self.path = path
        self._filler = path / ".filler"

    def fill(self) -> None:
        """Take every free byte (the files already there keep what they have)."""
        import errno

        fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            for size in (65536, 4096, 512, 64, 1):
                try:
                    while os.write(fd, b"\0" * size):
                        pass
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path):
    import subprocess

    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        yield SmallDisk(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
