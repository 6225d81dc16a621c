"""Fixtures for Pilot tests: the gallery's world (frozen clock, demo data, UTC)."""

from __future__ import annotations

import pytest

from tools.gallery import World, new_world
from tools.shown import watch_notices


@pytest.fixture
def world(tmp_path) -> World:
    return new_world(tmp_path)


@pytest.fixture
def clock(world):
    return world.clock


@pytest.fixture
def store(world):
    return world.store


@pytest.fixture
def library(world):
    return world.library


@pytest.fixture
def app_factory(world):
    return world.app


@pytest.fixture
def notices(monkeypatch) -> list[tuple[str, str]]:
    """Every toast the app shows during the test, as (message, severity)."""
    return watch_notices(monkeypatch)
