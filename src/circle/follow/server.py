"""Follow along on a phone: a small read-only web page served from inside the app.

aiohttp runs in the app's own asyncio loop; nothing here parses HTTP by hand.
Every path starts with an unguessable token (a wrong or missing one gets 404).
The GET routes are the page, the state as JSON, and a stream of server-sent
events that carries the state again whenever it changes (the browser reconnects
by itself). One POST takes a participant's hand (JSON only, so a form on
another site cannot send one; see circle.follow.hands). Each address may make a burst of requests and
then a steady few a second; beyond that it gets 429.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from circle.engine import State
from circle.follow.hands import HandDesk
from circle.views.follow import follow_state

PAGE = Path(__file__).with_name("page.html")
REPUBLISH = 5.0  # seconds between fresh states while nothing happens (phones' countdowns stay in step)
# Seconds of quiet before a stream says it is still there: a page that hears nothing for 3 s has
# lost the wall (the app killed, the laptop's network gone) and stops its clock, saying so.
ALIVE = 1.0
LOOPBACK = "127.0.0.1"


def lan_address() -> str:
    """This machine's address on the local network (the one its default route uses), or loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return LOOPBACK
    return LOOPBACK if address.startswith("0.") else address


@dataclass
class RateLimit:
    """A token bucket per address: ``burst`` requests at once, then ``per_second``."""

    burst: float = 60.0
    per_second: float = 20.0
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # address -> (tokens, when)

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, when = self.buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.per_second)
        if tokens < 1:
            self.buckets[address] = (tokens, now)
            return False
        self.buckets[address] = (tokens - 1, now)
        if len(self.buckets) > 10_000:  # a flood of addresses: forget the oldest
            for key in list(self.buckets)[:5_000]:
                del self.buckets[key]
        return True


HEADERS_WITHIN = 5.0  # seconds a new connection has to send its request's headers
PER_ADDRESS = 128  # open connections one address may hold: a phone needs one or two, a test of 100 phones 100


class Guard:
    """Counts each address's open connections, so one machine cannot hold every socket."""

    def __init__(self, per_address: int = PER_ADDRESS, headers_within: float = HEADERS_WITHIN):
        self.per_address = per_address
        self.headers_within = headers_within
        self.open: dict[str, int] = {}

    def admit(self, address: str) -> bool:
        if self.open.get(address, 0) >= self.per_address:
            return False
        self.open[address] = self.open.get(address, 0) + 1
        return True

    def release(self, address: str) -> None:
        left = self.open.get(address, 1) - 1
        if left > 0:
            self.open[address] = left
        else:
            self.open.pop(address, None)


class Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind two limits it does not have of its own: a
    connection must send its request's headers within a few seconds (a silent or half-sent
    request is closed), and an address may hold only so many connections at once."""

    def __init__(self, inner: asyncio.Protocol, guard: Guard):
        self.inner, self.guard = inner, guard
        self.address: str | None = None
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "?"
        if not self.guard.admit(address):
            transport.close()  # the inner protocol never hears of it
            return
        self.address, self.transport = address, transport  # type: ignore[assignment]
        self.timer = asyncio.get_running_loop().call_later(self.guard.headers_within, self._too_slow)
        self.inner.connection_made(transport)

    def _too_slow(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.address is None:
            return
        if self.timer is not None:
            self.head = (self.head + data)[-4096:]
            if b"\r\n\r\n" in self.head:  # the headers are in: the request is aiohttp's to time
                self.timer.cancel()
                self.timer = None
        self.inner.data_received(data)  # type: ignore[attr-defined]

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.address is not None else None  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.address is None:
            return
        if self.timer is not None:
            self.timer.cancel()
        self.guard.release(self.address)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class FollowError(Exception):
    """The page could not be served (the port is taken, the address is not this machine's)."""


class FollowServer:
    """Serves the follow-along page while a session runs; :meth:`publish` sends the latest state."""

    def __init__(self, host: str = "lan", port: int = 0, rate: RateLimit | None = None, token: str | None = None):
        self.host = lan_address() if host == "lan" else host
        self.port = port
        self.token = token or secrets.token_urlsafe(18)  # a resumed session keeps its own
        self.rate = rate or RateLimit()
        self.state: dict = {"phase": "waiting"}
        self.streams: set[asyncio.Queue] = set()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._published: tuple[int | None, float] = (None, 0.0)  # (event count, when) last sent
        self._closing = False
        self._server: asyncio.Server | None = None
        self.guard = Guard()
        self.desk = HandDesk()  # hands from phones; the wall wires it up (circle.tui.following)
        self._page = PAGE.read_text(encoding="utf-8")

    # -- running ------------------------------------------------------------------
    async def start(self) -> str:
        """Start serving; returns the URL to share (the QR code's)."""
        app = web.Application(middlewares=[self._limit], client_max_size=16 * 1024)  # a hand is a few bytes
        base = f"/{self.token}"
        app.router.add_get(base, self._to_page)
        app.router.add_get(f"{base}/", self._page_handler)
        app.router.add_get(f"{base}/state", self._state_handler)
        app.router.add_get(f"{base}/events", self._events_handler)
        app.router.add_post(f"{base}/hand", self._hand_handler)
        # An idle kept-alive connection is closed after a few seconds (phones reconnect at once).
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, keepalive_timeout=5.0)
        await runner.setup()
        served = runner.server
        assert served is not None
        try:
            self._server = await asyncio.get_running_loop().create_server(
                lambda: Guarded(served(), self.guard), self.host, self.port, reuse_address=True
            )
        except OSError as exc:
            await runner.cleanup()
            raise FollowError(f"cannot serve on {self.host}:{self.port}: {exc.strerror or exc}") from None
        self._runner = runner
        self.port = self._server.sockets[0].getsockname()[1]  # the port chosen when 0 was asked for
        shown = lan_address() if self.host in ("0.0.0.0", "") else self.host
        self.url = f"http://{shown}:{self.port}{base}/"
        return self.url

    async def stop(self) -> None:
        """Stop serving: open streams end, the port is released."""
        self._closing = True
        for queue in list(self.streams):
            if queue.empty():  # a stream with a state still to send sends it first, then finishes
                queue.put_nowait(None)
        if self._server is not None:
            server, self._server = self._server, None
            server.close()  # no new connections; the open ones are shut by the runner
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def followers(self) -> int:
        return len(self.streams)

    def update(self, state: State, now: float) -> None:
        """Publish the wall's state when anything happened, and every few seconds regardless."""
        if not self.running:
            return
        key = state.event_count
        if key != self._published[0] or now - self._published[1] >= REPUBLISH:
            self._published = (key, now)
            self.publish(follow_state(state, now))

    def publish(self, state: dict) -> None:
        """Send ``state`` to every follower now (each keeps only the latest, if it is slow)."""
        self.state = state
        for queue in list(self.streams):
            self._offer(queue, state)

    @staticmethod
    def _offer(queue: asyncio.Queue, item) -> None:
        if queue.full():
            queue.get_nowait()  # a slow phone skips to the latest state
        queue.put_nowait(item)

    # -- handlers -------------------------------------------------------------------
    @web.middleware
    async def _limit(self, request: web.Request, handler):
        if not self.rate.allow(request.remote or "?"):
            raise web.HTTPTooManyRequests(text="too many requests; wait a moment\n")
        return await handler(request)

    async def _to_page(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/{self.token}/")

    async def _page_handler(self, request: web.Request) -> web.Response:
        return web.Response(text=self._page, content_type="text/html", headers=_PRIVATE)

    async def _state_handler(self, request: web.Request) -> web.Response:
        return web.json_response(self.state, headers=_PRIVATE)

    async def _hand_handler(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.json_response({"error": "send JSON"}, status=415, headers=_PRIVATE)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.json_response({"error": "send a JSON object"}, status=400, headers=_PRIVATE)
        status, answer = self.desk.request(body.get("phone"), body.get("name"), body.get("action"))
        return web.json_response(answer, status=status, headers=_PRIVATE)

    async def _events_handler(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={**_PRIVATE, "Content-Type": "text/event-stream"})
        await response.prepare(request)
        queue: asyncio.Queue = asyncio.Queue(maxsize=1)
        self.streams.add(queue)
        try:
            await response.write(b"retry: 1000\n\n")
            item = self.state
            while True:
                if item is None:
                    break
                if item is not _QUIET:
                    data = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                    await response.write(f"data: {data}\n\n".encode())
                else:
                    await response.write(b"event: alive\ndata: 1\n\n")  # the page knows the wall is there
                if self._closing and queue.empty():
                    break
                try:
                    item = await asyncio.wait_for(queue.get(), ALIVE)
                except TimeoutError:
                    item = _QUIET
        except ConnectionResetError:
            pass  # the phone went away
        finally:
            self.streams.discard(queue)
        return response


_QUIET = object()
_PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
