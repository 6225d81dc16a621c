"""Fixtures for Pilot tests: the gallery's world (frozen clock, demo data, UTC)."""

from __future__ import annotations

import pytest

from tools.gallery import World, new_world


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
