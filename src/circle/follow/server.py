"""Follow along on a phone: a small read-only web page served from inside the app.

aiohttp runs in the app's own asyncio loop; nothing here parses HTTP by hand.
Every path starts with an unguessable token (a wrong or missing one gets 404).
Under the follow token the GET routes are the page, the state as JSON, and a
stream of server-sent events that carries the state again whenever it changes
(the browser reconnects by itself); one POST takes a participant's hand (JSON
only, so a form on another site cannot send one; see circle.follow.hands). Each
address may make a burst of requests and then a steady few a second; beyond
that it gets 429.

The facilitator's own phone is a remote for the wall, under a second token of its
own (never the follow token, never on the wall unless asked): the same page and
state, and one more path, ``command``, which takes a POST of JSON carrying the
token again in the ``X-Circle-Remote`` header (a cross-site form can set neither).
No cookies are used. A command is handed to the app, which runs it as the key
would and answers once it is saved.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from circle.engine import State
from circle.follow.hands import HandDesk
from circle.views.follow import follow_state

PAGE = Path(__file__).with_name("page.html")
REMOTE_PAGE = Path(__file__).with_name("remote.html")
REMOTE_HEADER = "X-Circle-Remote"
MAX_COMMAND = 16_384  # bytes a command's body may hold (a note of a few lines, in any script)
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


class CommandRefused(Exception):
    """A command from the remote that was not done: ``status`` (400, 409, 503) and one line why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# What the remote may ask for: a command's name and the text it carries (a note's), answered with the
# state after it (the wall's, as the follow page has it) or CommandRefused.
Commander = Callable[[str, str], Awaitable[dict]]


class FollowError(Exception):
    """The page could not be served (the port is taken, the address is not this machine's)."""


class FollowServer:
    """Serves the follow-along page while a session runs; :meth:`publish` sends the latest state."""

    def __init__(
        self,
        host: str = "lan",
        port: int = 0,
        rate: RateLimit | None = None,
        token: str | None = None,
        remote_token: str | None = None,
        commander: Commander | None = None,
    ):
        self.host = lan_address() if host == "lan" else host
        self.port = port
        self.token = token or secrets.token_urlsafe(18)  # a resumed session keeps its own
        # The remote's token: 192 bits, never the follow token (a resumed session keeps its own).
        self.remote_token = remote_token if remote_token and remote_token != self.token else new_token()
        self.commander = commander  # runs a remote's command (None: the remote can only look)
        self.rate = rate or RateLimit()
        self.state: dict = {"phase": "waiting"}
        self.streams: set[asyncio.Queue] = set()
        self.remote_streams: set[asyncio.Queue] = set()  # the remote's own page (not counted as following)
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._published: tuple[int | None, float] = (None, 0.0)  # (event count, when) last sent
        self._closing = False
        self._server: asyncio.Server | None = None
        self.guard = Guard()
        self.desk = HandDesk()  # hands from phones; the wall wires it up (circle.tui.following)
        self._page = PAGE.read_text(encoding="utf-8")
        self._remote_page = REMOTE_PAGE.read_text(encoding="utf-8")

    # -- running ------------------------------------------------------------------
    async def start(self) -> str:
        """Start serving; returns the URL to share (the QR code's)."""
        app = web.Application(middlewares=[self._limit], client_max_size=MAX_COMMAND)  # a hand or a note
        # The token is read from the path and checked by each handler: the remote's can change
        # while serving (revoked), and a token that is not this server's is 404 wherever it is.
        app.router.add_get("/{key}", self._to_page)
        app.router.add_get("/{key}/", self._page_handler)
        app.router.add_get("/{key}/state", self._state_handler)
        app.router.add_get("/{key}/events", self._events_handler)
        app.router.add_post("/{key}/hand", self._hand_handler)
        app.router.add_route("*", "/{key}/command", self._command_handler)
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
        self.url = self._address(self.token)
        return self.url

    def _address(self, token: str) -> str:
        shown = lan_address() if self.host in ("0.0.0.0", "") else self.host
        return f"http://{shown}:{self.port}/{token}/"

    @property
    def remote_url(self) -> str:
        """The remote's address (for the facilitator's phone only)."""
        return self._address(self.remote_token)

    def revoke_remote(self) -> str:
        """A new remote token: the old one is 404 from now on, and its open pages are ended."""
        self.remote_token = new_token()
        for queue in list(self.remote_streams):
            self.remote_streams.discard(queue)
            self._offer(queue, None)
        return self.remote_url

    async def stop(self) -> None:
        """Stop serving: open streams end, the port is released."""
        self._closing = True
        for queue in [*self.streams, *self.remote_streams]:
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
        for queue in [*self.streams, *self.remote_streams]:
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

    def _who(self, request: web.Request) -> str:
        """Whose address this is: "follow" or "remote"; any other token is 404."""
        key = request.match_info.get("key", "")
        if secrets.compare_digest(key.encode(), self.token.encode()):
            return "follow"
        if secrets.compare_digest(key.encode(), self.remote_token.encode()):
            return "remote"
        raise web.HTTPNotFound(text="not found\n")

    async def _to_page(self, request: web.Request) -> web.StreamResponse:
        self._who(request)
        raise web.HTTPFound(f"/{request.match_info['key']}/")

    async def _page_handler(self, request: web.Request) -> web.Response:
        page = self._remote_page if self._who(request) == "remote" else self._page
        return web.Response(text=page, content_type="text/html", headers=_PRIVATE)

    async def _state_handler(self, request: web.Request) -> web.Response:
        self._who(request)
        return web.json_response(self.state, headers=_PRIVATE)

    async def _hand_handler(self, request: web.Request) -> web.Response:
        if self._who(request) != "follow":  # hands are the room's: the remote has its own commands
            raise web.HTTPNotFound(text="not found\n")
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

    async def _command_handler(self, request: web.Request) -> web.Response:
        """A command from the remote: POST, JSON, the token in the header too; answered with the
        state after it, or a status and one line why not. The follow token never commands."""
        if self._who(request) != "remote":
            raise web.HTTPNotFound(text="not found\n")
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"], text="commands are sent with POST\n")
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="a command is JSON (Content-Type: application/json)\n")
        sent = request.headers.get(REMOTE_HEADER, "")
        if not secrets.compare_digest(sent.encode(), self.remote_token.encode()):
            raise web.HTTPForbidden(text=f"a command carries the remote's token in {REMOTE_HEADER}\n")
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            too_long = "a command is at most 16 KB; send a shorter note\n"
            raise web.HTTPRequestEntityTooLarge(MAX_COMMAND, request.content_length or 0, text=too_long) from None
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="a command is a JSON object\n") from None
        command = body.get("command") if isinstance(body, dict) else None
        text = body.get("text", "") if isinstance(body, dict) else ""
        if not isinstance(command, str) or not isinstance(text, str):
            raise web.HTTPBadRequest(text='a command is {"command": NAME, "text": "..."}\n')
        if self.commander is None:
            raise web.HTTPServiceUnavailable(text="the wall takes no commands now\n")
        try:
            state = await self.commander(command, text)
        except CommandRefused as refused:
            return web.json_response({"error": str(refused)}, status=refused.status, headers=_PRIVATE)
        except Exception as exc:  # noqa: BLE001 - the phone gets one line, never a traceback
            message = f"the wall could not do it: {' '.join(str(exc).split()) or type(exc).__name__}"
            return web.json_response({"error": message}, status=500, headers=_PRIVATE)
        return web.json_response(state, headers=_PRIVATE)

    async def _events_handler(self, request: web.Request) -> web.StreamResponse:
        streams = self.remote_streams if self._who(request) == "remote" else self.streams
        response = web.StreamResponse(headers={**_PRIVATE, "Content-Type": "text/event-stream"})
        await response.prepare(request)
        queue: asyncio.Queue = asyncio.Queue(maxsize=1)
        streams.add(queue)
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
            streams.discard(queue)
        return response


def new_token() -> str:
    """An unguessable token for an address: 24 random bytes (192 bits), 32 URL-safe characters
    (a longer one would make the code on the wall too large for 80 columns)."""
    return secrets.token_urlsafe(24)


_QUIET = object()
_PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
