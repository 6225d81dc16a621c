"""Fixtures for Pilot and snapshot tests: a fixed clock, fixed data, UTC."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from circle.app import CircleApp, make_app
from circle.clock import FakeClock
from circle.export import UTC
from circle.loader import load_library
from circle.resources import bundled_dir
from circle.sessions import start_session
from circle.store import Store

START = 1_795_000_000.0  # a fixed Tuesday evening, 2026-11-17 09:06 UTC


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def library():
    return load_library(dirs=[bundled_dir("protocols")])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "circle.db")


@pytest.fixture
def app_factory(store, clock, library, tmp_path):
    def build(**kwargs) -> CircleApp:
        kwargs.setdefault("check_resume", False)
        return make_app(store, clock=clock, library=library, tz=UTC, export_dir=tmp_path / "exports", **kwargs)

    return build


def past_session(store: Store, library, clock: FakeClock, protocol_id: str, names: list[str], end: bool = True):
    """Log a small finished session, as if run earlier."""
    session = start_session(store, library.get(protocol_id), names, clock, rng=random.Random(1))
    session.start()
    clock.advance(40)
    session.next()
    session.start()
    for _ in names:
        clock.advance(70)
        session.next()
    if end:
        session.end()
    clock.advance(3600)
    return session
