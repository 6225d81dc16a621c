"""Following along on phones: the page is served from inside the app, and remembered per session."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from circle.core.clock import Clock
from circle.core.errors import CircleError
from circle.store import Store

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from circle.engine import Session
    from circle.follow.hands import Act
    from circle.follow.server import FollowServer


class Notify(Protocol):
    """A toast (``App.notify``)."""

    def __call__(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float | None = None
    ) -> None: ...


class Following:
    """The follow-along page: where it is served, and which session it shares."""

    def __init__(self, store: Store, clock: Clock, address: tuple[str, int], notify: Notify):
        self.store, self.clock, self.notify = store, clock, notify
        self.address = address  # "lan" or an address, and a port (0 picks one)
        self.server: FollowServer | None = None
        self._sharing: str | None = None  # the session being shared
        # Runs a command from the facilitator's remote (the live screen's own actions), set by that screen.
        self.commander: Callable[[str, str], Awaitable[dict]] | None = None
        self._hands: tuple[Act, Callable[[str], None]] | None = None  # the wall's, for phones' hands

    @property
    def followers(self) -> int:
        return self.server.followers if self.server else 0

    async def start(self, session_id: str | None = None) -> str | None:
        """Serve the follow-along page (if it is not served already); its URL, or None with a notice.

        A session keeps its address (port and token) from one run of circle to the next, so phones
        that followed it before a crash or a quit find it again by themselves."""
        if self.server is not None and self.server.running:
            return self.server.url
        from circle.follow.server import FollowError, FollowServer  # aiohttp loads when first needed

        host, port = self.address
        saved = self.store.share(session_id) if session_id else None
        token = saved.token if saved else None
        remote = saved.remote_token if saved else None  # the facilitator's phone keeps working too

        def serving(at: int) -> FollowServer:
            return FollowServer(host, at, token=token, remote_token=remote, commander=self._command)

        server = serving(saved.port if saved and not port else port)
        try:
            url = await server.start()
        except FollowError as exc:
            if not saved:
                self.notify(str(exc), severity="error", timeout=10)
                return None
            server = serving(port)  # the old port is taken now: another one
            try:
                url = await server.start()
            except FollowError as again:
                self.notify(str(again), severity="error", timeout=10)
                return None
            self.notify("phones follow at a new address (the old port was taken): show them the code (q)")
        self.server = server
        if self._hands is not None:
            server.desk.act, server.desk.ask = self._hands
        self._remember(session_id, active=True, server=server)
        return url

    def take_hands(self, act: Act, ask: Callable[[str], None]) -> None:
        """Phones' hands go to ``act`` (the wall's command); ``ask`` asks the facilitator to let a
        second phone pick a name already picked."""
        self._hands = (act, ask)
        if self.server is not None:
            self.server.desk.act, self.server.desk.ask = act, ask

    def decide(self, name: str, yes: bool) -> None:
        """The facilitator's answer to a second phone asking for ``name``."""
        if self.server is not None:
            self.server.desk.decide(name, yes)

    async def stop(self, ended: bool = True) -> None:
        """Stop serving; ``ended`` (stopped by hand, or the session ended) also stops it coming back."""
        if self.server is not None:
            server, self.server = self.server, None
            if ended:
                self._remember(self._sharing, active=False, server=server)
            await server.stop()

    def _remember(self, session_id: str | None, active: bool, server: FollowServer) -> None:
        if session_id is None or self.store.readonly:
            return
        self._sharing = session_id if active else None
        with contextlib.suppress(CircleError):  # a full disk: sharing still works, just not remembered
            self.store.set_share(session_id, server.port, server.token, active, server.remote_token, server.host)

    @property
    def remote_url(self) -> str | None:
        """The address of the facilitator's remote, while the page is served."""
        return self.server.remote_url if self.server is not None and self.server.running else None

    def revoke_remote(self) -> str:
        """A new address for the remote (the old one is 404 at once), remembered for `circle remote`."""
        assert self.server is not None
        url = self.server.revoke_remote()
        if self._sharing is not None:
            self._remember(self._sharing, active=True, server=self.server)
        return url

    async def _command(self, command: str, text: str) -> dict:
        from circle.follow.server import CommandRefused

        if self.commander is None:
            raise CommandRefused(409, "the wall is not on its live screen now")
        return await self.commander(command, text)

    def update(self, session: Session, now: float | None = None) -> None:
        """Called as the wall repaints: followers get what changed (and a fresh clock now and then).
        ``now`` is the moment the wall shows (the last one saved, while nothing can be saved)."""
        if self.server is not None:
            self.server.update(session.state, self.clock.now() if now is None else now)
