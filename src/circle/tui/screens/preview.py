"""How the wall will look for a step being edited: the live screen, run with sample names on a
scratch database (nothing reaches the real log), left with escape."""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual.binding import Binding
from textual.screen import Screen

from circle.core.clock import FakeClock
from circle.protocol.models import Protocol
from circle.sessions import start_session
from circle.store import Store
from circle.tui.following import Following
from circle.tui.host import host
from circle.tui.screens.live import LiveScreen

SAMPLE_NAMES = ["Ana", "Ben", "Caro", "Dee", "Esi", "Femi", "Gus", "Hana"]
NOT_IN_PREVIEW = {"follow", "remote", "end", "add_person", "remove_person"}


class PreviewScreen(LiveScreen):
    """The live screen of a scratch session; escape goes back to the editor."""

    BINDINGS = [Binding("escape", "close_preview", "Back to the editor", id="close-preview")]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NOT_IN_PREVIEW:
            return False
        return super().check_action(action, parameters)

    def key_escape(self) -> None:
        self.action_close_preview()

    def action_close_preview(self) -> None:
        self.store.close()
        self.dismiss()


def preview(over: Screen, protocol: Protocol, step: int) -> None:
    """Show ``protocol`` at ``step`` as the wall will, with sample names, its clock not yet started."""
    app = host(over)
    folder = Path(tempfile.mkdtemp(prefix="circle-preview-"))
    store = Store(folder / "preview.db")
    clock = FakeClock(app.clock.now())
    people = SAMPLE_NAMES[: max(protocol.group_size.min, min(protocol.group_size.max, len(SAMPLE_NAMES)))]
    session = start_session(store, protocol, people, clock)
    for _ in range(step):
        session.skip_step()
    following = Following(store, clock, ("127.0.0.1", 0), over.notify)
    screen = PreviewScreen(session, store, clock, app.tz, rules=app.rules, following=following)
    over.app.push_screen(screen)
