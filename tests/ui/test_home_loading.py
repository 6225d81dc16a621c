"""Plain `circle`: home is painted first, the protocols fill in once they are loaded."""

from __future__ import annotations

import threading

import pytest

from circle.core.clock import FakeClock
from circle.protocol import loader
from circle.sessions import start_session
from circle.tui.app import make_app
from circle.tui.screens.dialogs import ResumeDialog
from circle.tui.screens.live import LiveScreen
from tools.gallery import home_ready


@pytest.fixture
def held_loader(monkeypatch) -> threading.Event:
    """load_library waits until the returned event is set, so the loading state can be seen."""
    release = threading.Event()
    real = loader.load_library

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load_library", slow)
    return release


async def test_home_shows_a_loading_line_then_the_protocols(tmp_path, held_loader, notices):
    app = make_app(tmp_path / "circle.db", clock=FakeClock(), check_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.home.ready
        assert "Loading protocols" in str(app.home.query_one("#loading").content)
        await pilot.press("ctrl+s")  # too soon: said, not crashed
        await pilot.pause()
        assert any("still loading" in message for message, _ in notices)

        held_loader.set()
        await home_ready(pilot)
        table = app.home.query_one("#protocols")
        assert table.row_count == len(loader.load_library().protocols)
        assert not app.home.query("#loading")
        assert app.focused is table


async def test_a_bad_user_protocol_is_reported_once_home_has_loaded(tmp_path, monkeypatch, notices):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "broken.yaml").write_text("id: broken\ntitle: Broken\nsteps: []\n")
    monkeypatch.setenv("CIRCLE_PROTOCOLS", str(mine))
    app = make_app(tmp_path / "circle.db", clock=FakeClock(), check_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.pause()
        messages = [message for message, _ in notices]
        assert any(m.startswith("skipped ") and "broken.yaml:3:" in m for m in messages)


async def test_an_unfinished_session_is_offered_once_home_has_loaded(tmp_path):
    clock = FakeClock(1_795_000_000.0)
    db = tmp_path / "circle.db"
    setup = make_app(db, clock=clock)
    session = start_session(setup.store, loader.load_library().get("feelz-checkin"), ["Ana", "Ben"], clock)
    session.start()
    setup.store.close()

    app = make_app(db, clock=clock)  # as plain `circle` opens it: no library yet
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ResumeDialog)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.session.state.session_id == session.state.session_id
