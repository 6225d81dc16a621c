"""Every bundled protocol survives a facilitator pressing every live key, in any step."""

from __future__ import annotations

import pytest

from circle.protocol.loader import load_library

PROTOCOLS = [p.id for p in load_library().sorted()]
KEYS = ["space", "n", "p", "plus", "minus", "b", "s", "k", "question_mark", "escape", "n", "space", "n", "n"]


@pytest.mark.parametrize("protocol_id", PROTOCOLS)
async def test_every_key_in_every_step(app_factory, clock, protocol_id):
    app = app_factory()
    protocol = app.library.get(protocol_id)
    names = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana", "Ines", "Jo"][: max(3, protocol.group_size.min)]
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.start_session(protocol_id, names)
        await pilot.pause()
        live = app.screen
        for _ in range(len(protocol.steps) + 1):
            for key in KEYS:
                await pilot.press(key)
                clock.advance(7)
            live.refresh_view()
        await pilot.press("e", "y")
        await pilot.pause()
        assert live.session.state.ended
