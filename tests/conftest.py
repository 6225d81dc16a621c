"""Shared fixtures for the domain tests: a fake clock, a database, a protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from circle.clock import FakeClock
from circle.loader import load_protocol
from circle.protocol import Protocol
from circle.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


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
