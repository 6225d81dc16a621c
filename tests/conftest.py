"""Shared fixtures for the domain tests: a fake clock, a database, a protocol."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from circle.clock import FakeClock
from circle.loader import load_protocol
from circle.protocol import Protocol
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
