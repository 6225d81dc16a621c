"""What a screen may have of the app, typed, and what it may ask the app to do.

Screens are given what they use when they are made; home, the app's first screen, is made by
Textual and reads it here. A screen never calls the app to move on: it posts one of the messages
below, and the app (which owns the screen stack) handles it.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Protocol, cast

from textual.message import Message

from circle.core.clock import Clock
from circle.store import Store

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from circle.engine import Session
    from circle.games.reciprocity.scoring import ScoringRules


class Host(Protocol):
    """The app, as its screens see it."""

    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def tz(self) -> tzinfo | None: ...

    @property
    def rules(self) -> ScoringRules: ...


def host(node: DOMNode) -> Host:
    """The app ``node`` is mounted in, as a :class:`Host` (circle's screens run only in CircleApp)."""
    return cast(Host, node.app)


class StartSession(Message):
    """Start this protocol with these people (for a saved group, when ``group`` is given)."""

    def __init__(self, protocol_id: str, names: list[str], group: str | None = None) -> None:
        super().__init__()
        self.protocol_id, self.names, self.group = protocol_id, names, group


class OpenSession(Message):
    """Open a session from the recent list: its summary, or an offer to resume it."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id


class ShowSummary(Message):
    """A session has ended: show its summary."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class GoHome(Message):
    """Back to home, refilled from the database."""


class EditProtocol(Message):
    """Open this protocol in the editor (a bundled one as a copy in the user's folder)."""

    def __init__(self, protocol_id: str) -> None:
        super().__init__()
        self.protocol_id = protocol_id
