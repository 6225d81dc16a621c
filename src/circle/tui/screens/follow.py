"""The follow-along overlay: a QR code for the room to scan, and the address beside it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from circle.follow.qr import qr_lines, qr_scale

TEXT_WIDTH = 34  # the column beside the code (follow.tcss)


class FollowDialog(ModalScreen[str | None]):
    """Shows where to follow along. Returns "stop" to stop serving, or None to just close."""

    CSS_PATH = "follow.tcss"
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="close"),
        Binding("x", "dismiss('stop')", "Stop sharing", id="stop-sharing"),
    ]

    def __init__(self, url: str, followers: Callable[[], int] = lambda: 0, clock: Callable[[], str] = lambda: ""):
        """``clock``: the wall's countdown as a line ("Ben · 1:55"), kept in sight while the code
        covers the big digits: people scan during a turn, and the room still sees its time."""
        super().__init__()
        self.url = url
        self.followers = followers
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Horizontal(id="follow-box"):
            yield Static(id="qr")
            with Vertical(id="follow-text"):
                yield Label("Follow along on your phone", id="follow-title")
                yield Static(id="follow-clock")
                yield Static("Scan the code, or type:", classes="follow-muted")
                yield Static(Content(self.url), id="follow-url")
                yield Static(
                    "The page shows the step, who speaks and the time left; never the notes.",
                    classes="follow-muted",
                )
                yield Static(id="follow-count")
                yield Static("q or escape closes this (sharing goes on) · x stops sharing", classes="follow-keys")

    def on_mount(self) -> None:
        self._draw()
        self._count()
        self._time()
        self.set_interval(1.0, self._count)
        self.set_interval(0.25, self._time)

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """The code as large as the screen allows beside the text (bigger is easier from the back)."""
        size = self.app.size
        scale = qr_scale(self.url, size.width - TEXT_WIDTH - 6, size.height - 3)
        if scale != getattr(self, "_scale", None):
            self._scale = scale
            self.query_one("#qr", Static).update(Content("\n".join(qr_lines(self.url, scale=scale))))

    def _time(self) -> None:
        line = self.clock()
        shown = self.query_one("#follow-clock", Static)
        shown.display = bool(line)
        if str(shown.content) != line:
            shown.update(Content(line))

    def _count(self) -> None:
        n = self.followers()
        self.query_one("#follow-count", Static).update(f"{n} following now" if n != 1 else "1 following now")
