"""The facilitator's own phone as a remote for the wall: its QR code, shown only once asked.

The live screen first asks whether the projector is off (or the screen private): whoever has
this address runs the wall, so it is never put in front of the room by default.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, Static

from circle.tui.screens.follow import FollowDialog

PRIVACY_QUESTION = "Is the projector off, or is this screen private?"
PRIVACY_DETAIL = "The remote's code lets whoever scans it run the wall."


class RemoteDialog(FollowDialog):
    """The remote's code and address; x makes a new address (the old phone stops working)."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close", id="close"),
        Binding("x", "new_address", "New address", id="new-address"),
    ]

    def __init__(self, url: str, revoke: Callable[[], str], clock: Callable[[], str] = lambda: ""):
        """``revoke``: makes a new address and returns it (the old one is refused from then on)."""
        super().__init__(url, clock=clock)
        self.revoke = revoke

    def compose(self) -> ComposeResult:
        with Horizontal(id="follow-box"):
            yield Static(id="qr")
            with Vertical(id="follow-text"):
                yield Label("Your phone as the wall's remote", id="follow-title")
                yield Static(id="follow-clock")
                yield Static("Scan with your own phone, or type:", classes="follow-muted")
                yield Static(Content(self.url), id="follow-url")
                yield Static("Whoever has this address runs the wall: keep it to yourself.", classes="follow-muted")
                yield Static(
                    "x makes a new address (the old phone stops working) · escape closes", classes="follow-keys"
                )

    def _count(self) -> None:
        pass  # the remote is one phone: nobody to count

    def action_new_address(self) -> None:
        self.url = self.revoke()
        self._scale = None
        self.query_one("#follow-url", Static).update(Content(self.url))
        self._draw()
        self.notify("a new address: the old one no longer works")
