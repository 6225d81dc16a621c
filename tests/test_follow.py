"""Follow along on a phone: what is served, to whom, and what is never served."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest

from circle.engine import Person, Session
from circle.follow.qr import qr_lines, qr_scale
from circle.follow.server import FollowServer, RateLimit, lan_address
from circle.protocol.loader import load_protocol
from circle.views.follow import follow_state

FIXTURES = Path(__file__).parent / "fixtures"

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def session_with_secrets(clock) -> Session:
    protocol = load_protocol(FIXTURES / "round-open.yaml")
    people = [
        Person("4c1d3a0e-0000-4000-8000-000000000001", "Ana"),
        Person("4c1d3a0e-0000-4000-8000-000000000002", "Ben"),
    ]
    session = Session.create(protocol, people, clock)
    session.start()
    clock.advance(50)
    session.note("Ana shared about her divorce")
    return session


def test_followers_get_the_wall_and_never_the_notes(clock):
    session = session_with_secrets(clock)
    state = follow_state(session.state, clock.now())
    text = json.dumps(state)
    assert state["speaker"] == "Ana" and state["next"] == "Ben" and state["running"]
    assert state["remaining"] == 70 and state["warn"] == 20
    assert "divorce" not in text and "note" not in text
    assert not UUID.search(text)  # no ids
    assert "script" not in state


def test_a_breakout_is_served_by_display_names(clock):
    protocol = load_protocol(FIXTURES / "breakouts.yaml")
    people = [Person(f"id-{n}", f"P{n}") for n in range(8)]
    session = Session.create(protocol, people, clock)
    groups = follow_state(session.state, clock.now())["groups"]
    assert [g["name"] for g in groups] == ["Pair 1", "Pair 2", "Pair 3", "Pair 4"]
    assert sorted(m for g in groups for m in g["members"]) == [f"P{n}" for n in range(8)]


def test_the_lan_address_is_never_every_interface():
    address = lan_address()
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address) and address != "0.0.0.0"
    assert FollowServer().host == address


def test_the_rate_limit_allows_a_burst_then_a_steady_few():
    limit = RateLimit(burst=3, per_second=1)
    assert [limit.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b", now=0)  # another address has its own allowance
    assert limit.allow("a", now=1.5)


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_the_qr_code_on_the_wall_reads_back_as_the_url(scale):
    """Drawn as the terminal draws it (a character is one pixel wide, two tall), a reader decodes it."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    url = "http://192.168.1.23:54321/AbCdEfGhIjKlMnOpQrStUvWx/"
    lines = qr_lines(url, scale=scale)
    image = Image.new("L", (len(lines[0]) * 4, len(lines) * 8), 0)
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            for half, lit in ((0, char in "█▀"), (1, char in "█▄")):
                if lit:
                    image.paste(255, (x * 4, (2 * y + half) * 4, x * 4 + 4, (2 * y + half) * 4 + 4))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [url]


@pytest.fixture
async def server():
    srv = FollowServer("127.0.0.1", 0)
    await srv.start()
    yield srv
    await srv.stop()


async def read_events(response, count: int) -> list[dict]:
    """The next ``count`` states on an event stream."""
    states = []
    while len(states) < count:
        raw = await asyncio.wait_for(response.content.readline(), 10)
        if not raw:
            raise AssertionError(f"the stream ended (HTTP {response.status})")
        line = raw.decode().strip()
        if line.startswith("data: "):
            states.append(json.loads(line[6:]))
    return states


async def test_without_the_token_there_is_nothing_to_see(server):
    base = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as http:
        for path in ("/", "/state", "/events", "/not-the-token/", f"/{server.token[:-1]}/state"):
            async with http.get(base + path) as response:
                assert response.status == 404, path
                assert "Ana" not in await response.text()
        async with http.get(server.url) as response:
            assert response.status == 200 and "<html" in await response.text()
        async with http.post(server.url + "state", data="x") as response:
            assert response.status == 405  # nothing can be changed from a phone


async def test_the_stream_sends_the_state_and_every_change(server):
    server.publish({"speaker": "Ana"})
    async with aiohttp.ClientSession() as http, http.get(server.url + "events") as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert (await read_events(response, 1))[0]["speaker"] == "Ana"
        server.publish({"speaker": "Ben"})
        assert (await read_events(response, 1))[0]["speaker"] == "Ben"
        assert server.followers == 1
        await server.stop()  # sharing stops: the stream ends
        assert (await asyncio.wait_for(response.content.read(), 10)).strip() == b""


async def test_too_many_requests_from_one_address_are_refused():
    server = FollowServer("127.0.0.1", 0, rate=RateLimit(burst=2, per_second=0.01))
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            codes = []
            for _ in range(3):
                async with http.get(server.url + "state") as response:
                    codes.append(response.status)
        assert codes == [200, 200, 429]
    finally:
        await server.stop()


async def test_a_hundred_followers_each_see_every_change():
    """Load on loopback: every follower gets every state, in order. All hundred come from one
    address here, and connect at once, so this server allows them a burst that large."""
    server = FollowServer("127.0.0.1", 0, rate=RateLimit(burst=150))
    await server.start()
    changes = [{"speaker": f"Speaker {n}"} for n in range(5)]
    server.publish({"speaker": "start"})
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        streams = [await http.get(server.url + "events") for _ in range(100)]
        try:
            for response in streams:
                assert (await read_events(response, 1))[0]["speaker"] == "start"
            assert server.followers == 100
            for change in changes:
                server.publish(change)
                seen = await asyncio.gather(*(read_events(response, 1) for response in streams))
                assert all(states == [change] for states in seen)
        finally:
            for response in streams:
                response.close()
            await server.stop()


def test_the_code_grows_to_fill_a_large_screen_and_never_shrinks_below_one():
    url = "http://192.168.1.23:54321/AbCdEfGhIjKlMnOpQrStUvWx/"
    assert qr_scale(url, 40, 20) == 1
    assert qr_scale(url, 10, 5) == 1
    assert qr_scale(url, 120, 45) == 2
    lines = qr_lines(url, scale=2)
    assert len(lines[0]) <= 120 and len(lines) <= 45


async def test_a_silent_or_half_sent_request_is_closed_and_new_phones_still_join():
    """Half-sent requests used to stay open for minutes; enough of them and no phone could join."""
    from circle.follow.server import Guard

    server = FollowServer("127.0.0.1", 0)
    server.guard = Guard(per_address=50, headers_within=0.5)
    await server.start()
    try:
        hanging = []
        for _ in range(80):  # more than one address may hold: the rest are refused at once
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(f"GET /{server.token}/state HTTP/1.1\r\nHost: x\r\n".encode())  # never finished
            await writer.drain()
            hanging.append((reader, writer))
        await asyncio.sleep(0.1)
        assert server.guard.open["127.0.0.1"] <= 50
        await asyncio.sleep(0.8)  # past the time to send headers: they are all closed
        closed = [await asyncio.wait_for(reader.read(), 2) == b"" for reader, _ in hanging]
        assert all(closed) and not server.guard.open
        async with aiohttp.ClientSession() as http, http.get(server.url + "state") as response:
            assert response.status == 200  # a new phone joins
        for _, writer in hanging:
            writer.close()
    finally:
        await server.stop()


# -- the facilitator's remote -----------------------------------------------------------------


class Commands:
    """A stand-in for the wall: records the commands it is given, refuses what it is told to."""

    def __init__(self):
        self.given: list[tuple[str, str]] = []

    async def __call__(self, command: str, text: str) -> dict:
        from circle.follow.server import CommandRefused

        if command == "refused":
            raise CommandRefused(409, "not now")
        self.given.append((command, text))
        return {"speaker": "Ben", "after": command}


@pytest.fixture
async def remote():
    commands = Commands()
    srv = FollowServer("127.0.0.1", 0, commander=commands)
    await srv.start()
    yield srv, commands
    await srv.stop()


def post(http, url, token, body=None, **headers):
    return http.post(url, json=body or {"command": "next"}, headers={"X-Circle-Remote": token, **headers})


async def test_the_remote_has_its_own_unguessable_token():
    server = FollowServer("127.0.0.1", 0)
    assert server.remote_token != server.token and len(server.remote_token) >= 32  # 192 bits, URL-safe
    assert FollowServer("127.0.0.1", 0).remote_token != server.remote_token
    assert FollowServer("127.0.0.1", 0, token="t", remote_token="t").remote_token != "t"  # never the follow token


async def test_the_remote_page_and_state_are_served_under_its_token(remote):
    server, _ = remote
    server.publish({"speaker": "Ana"})
    async with aiohttp.ClientSession() as http:
        async with http.get(server.remote_url) as response:
            page = await response.text()
            assert response.status == 200 and 'data-command="toggle"' in page
            assert "Set-Cookie" not in response.headers
        async with http.get(server.remote_url + "state") as response:
            assert (await response.json())["speaker"] == "Ana"
        async with http.get(server.url) as response:
            assert 'data-command="toggle"' not in await response.text()  # the follow page has no buttons
        async with http.get(server.remote_url + "events") as response:
            assert (await read_events(response, 1))[0]["speaker"] == "Ana"
            assert server.followers == 0  # the remote is not counted as following


async def test_a_command_is_a_post_of_json_with_the_token_in_a_header(remote):
    server, commands = remote
    command = server.remote_url + "command"
    async with aiohttp.ClientSession() as http:
        async with post(http, command, server.remote_token, {"command": "note", "text": "a good start"}) as response:
            assert response.status == 200 and (await response.json())["after"] == "note"
        assert commands.given == [("note", "a good start")]
        async with http.get(command, headers={"X-Circle-Remote": server.remote_token}) as response:
            assert response.status == 405  # a GET does nothing
        async with http.post(command, json={"command": "next"}) as response:
            assert response.status == 403  # no header
        async with post(http, command, server.token) as response:
            assert response.status == 403  # a header with another token
        async with post(http, command, server.remote_token[:-1]) as response:
            assert response.status == 403
        form = {"X-Circle-Remote": server.remote_token}
        async with http.post(command, data={"command": "next"}, headers=form) as response:
            assert response.status == 415  # what a cross-site form sends
        async with http.post(command, data="not json", headers={**form, "Content-Type": "application/json"}) as r:
            assert r.status == 400 and (await r.text()).count("\n") == 1
        async with post(http, command, server.remote_token, {"command": 3}) as response:
            assert response.status == 400 and "Traceback" not in await response.text()
        async with post(http, command, server.remote_token, {"command": "refused"}) as response:
            assert response.status == 409 and (await response.json()) == {"error": "not now"}
    assert commands.given == [("note", "a good start")]  # nothing else reached the wall


async def test_the_follow_token_can_never_command(remote):
    server, commands = remote
    async with aiohttp.ClientSession() as http:
        for token in (server.token, "not-a-token"):
            async with post(http, f"http://127.0.0.1:{server.port}/{token}/command", server.remote_token) as response:
                assert response.status == 404
            async with post(http, f"http://127.0.0.1:{server.port}/{token}/command", token) as response:
                assert response.status == 404
            async with http.get(f"http://127.0.0.1:{server.port}/{token}/command") as response:
                assert response.status == 404
    assert commands.given == []


async def test_a_revoked_remote_is_refused_at_once_and_the_new_one_works(remote):
    server, commands = remote
    old, old_token = server.remote_url, server.remote_token
    async with aiohttp.ClientSession() as http, http.get(old + "events") as stream:
        await read_events(stream, 1)
        new = server.revoke_remote()
        assert new != old and server.remote_token != old_token
        assert (await asyncio.wait_for(stream.content.read(), 10)).strip() == b""  # its open page is ended
        for path in ("", "state", "events"):
            async with http.get(old + path) as response:
                assert response.status == 404
        async with post(http, old + "command", old_token) as response:
            assert response.status == 404
        async with post(http, new + "command", server.remote_token) as response:
            assert response.status == 200
    assert commands.given == [("next", "")]


async def test_commands_are_rate_limited_like_the_rest():
    server = FollowServer("127.0.0.1", 0, rate=RateLimit(burst=2, per_second=0.01), commander=Commands())
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            codes = []
            for _ in range(3):
                async with post(http, server.remote_url + "command", server.remote_token) as response:
                    codes.append(response.status)
        assert codes == [200, 200, 429]
    finally:
        await server.stop()


async def test_a_command_too_long_or_a_fault_on_the_wall_is_one_line():
    async def broken(command: str, text: str) -> dict:
        raise RuntimeError("the wall\nfell over")

    server = FollowServer("127.0.0.1", 0, commander=broken)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            long = {"command": "note", "text": "x" * 20_000}
            async with post(http, server.remote_url + "command", server.remote_token, long) as response:
                assert response.status == 413 and (await response.text()).count("\n") == 1
            async with post(http, server.remote_url + "command", server.remote_token) as response:
                assert response.status == 500
                assert (await response.json()) == {"error": "the wall could not do it: the wall fell over"}
    finally:
        await server.stop()


async def test_hands_are_the_rooms_and_the_remote_cannot_raise_one(remote):
    server, _ = remote
    hand = {"phone": "p", "name": "Ana", "action": "raise"}
    async with aiohttp.ClientSession() as http, http.post(server.remote_url + "hand", json=hand) as response:
        assert response.status == 404
