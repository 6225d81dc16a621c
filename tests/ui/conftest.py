"""Fixtures for Pilot tests: the gallery's world (frozen clock, demo data, UTC)."""

from __future__ import annotations

import os
import shutil

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


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
async def browser():
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CIRCLE_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip("no Chromium here; .ci/run installs it (Debian's chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def phone(browser):
    """A phone-sized page."""
    return await browser.new_page(viewport={"width": 390, "height": 844})
