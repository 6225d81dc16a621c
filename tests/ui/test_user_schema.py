"""Plain `circle` gives the user's protocol folder the schema their editor looks for."""

from __future__ import annotations

from circle.core.clock import FakeClock
from circle.core.resources import bundled_dir, user_protocols_dir
from circle.protocol.schema import SCHEMA_NAME
from circle.tui.app import make_app
from tools.gallery import home_ready


async def test_the_app_start_writes_the_schema_beside_the_users_protocols(tmp_path, notices):
    assert not user_protocols_dir().exists()
    app = make_app(tmp_path / "circle.db", clock=FakeClock(), check_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        written = (user_protocols_dir() / SCHEMA_NAME).read_bytes()
        assert written == (bundled_dir("protocols") / SCHEMA_NAME).read_bytes()
        assert notices == []  # nothing to tell the facilitator


async def test_a_home_that_cannot_be_written_still_starts_without_a_word(tmp_path, monkeypatch, notices):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("CIRCLE_HOME", str(blocker))
    app = make_app(tmp_path / "circle.db", clock=FakeClock(), check_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert app.home.query_one("#protocols").row_count > 0
        assert notices == []
