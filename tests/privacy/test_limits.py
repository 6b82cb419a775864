"""Abuse limits of the room WebSocket: each one gives its own error, and the server goes on."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from tests.rooms.conftest import Client
from visavis.rooms import limits

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def limited(settings):
    def set_(**values):
        settings.VISAVIS = {**settings.VISAVIS, **values}

    return set_


async def from_address(address: str, headers=()) -> tuple[WebsocketCommunicator, Client]:
    from visavis.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/room",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), *headers],
    )
    communicator.scope["client"] = (address, 40000)
    connected, _ = await communicator.connect()
    assert connected
    return communicator, Client(communicator)


async def test_message_rate_is_capped_and_the_connection_recovers(connect, room, limited):
    limited(WS_MESSAGES_PER_SECOND=0.001, WS_MESSAGE_BURST=5)
    client = await connect()
    for _ in range(8):
        await client.send({"type": "ping"})
    answers = [await client.receive() for _ in range(8)]
    assert [a["type"] for a in answers[:5]] == ["pong"] * 5
    assert answers[5:] == [
        {"type": "error", "code": "too-many-messages", "message": "too many messages; slow down"}
    ] * 3
    # Only this connection is slowed down; the server serves everyone else as before.
    other = await connect()
    assert (await other.hello(room))["type"] == "welcome"


async def test_connections_per_room_are_capped(connect, room, limited):
    limited(MAX_CONNECTIONS_PER_ROOM=2)
    first, second, third = await connect(), await connect(), await connect()
    await first.hello(room)
    await second.hello(room)
    await third.send({"type": "hello", "version": 1, "room": room})
    error = await third.expect("error")
    assert error["code"] == "too-many-in-room"
    await first.send({"type": "ping"})
    assert (await first.expect("pong"))["type"] == "pong"
    # One leaves: its place in the count is free again.
    await first.close()
    assert (await third.hello(room))["type"] == "welcome"


async def test_a_failed_hello_does_not_use_up_the_room(connect, room, limited):
    limited(MAX_CONNECTIONS_PER_ROOM=1)
    client = await connect()
    await client.send({"type": "hello", "version": 1, "room": "no-such-room"})
    assert (await client.expect("error"))["code"] == "unknown-room"
    assert (await client.hello(room))["type"] == "welcome"


async def test_connections_per_address_are_capped(room, limited):
    limited(MAX_CONNECTIONS_PER_ADDRESS=2)
    opened = [await from_address("192.0.2.7") for _ in range(2)]
    communicator, refused = await from_address("192.0.2.7")
    assert await refused.expect("error") == {
        "type": "error", "code": "too-many-connections",
        "message": "too many connections from this address",
    }
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 1008}
    # Another address is not affected, and one closing frees a place.
    other_ws, other = await from_address("198.51.100.3")
    assert (await other.hello(room))["type"] == "welcome"
    await opened[0][0].disconnect()
    again_ws, again = await from_address("192.0.2.7")
    assert (await again.hello(room))["type"] == "welcome"
    for ws in (opened[1][0], other_ws, again_ws):
        await ws.disconnect()
    assert [limits.connections_from(a) for a in ("192.0.2.7", "198.51.100.3")] == [0, 0]


async def test_the_proxy_address_counts_only_behind_a_tls_proxy(room, limited):
    limited(MAX_CONNECTIONS_PER_ADDRESS=1)
    forwarded = [(b"x-forwarded-for", b"203.0.113.9")]
    # Not behind a proxy: the header is the client's own claim and is ignored.
    a, _ = await from_address("127.0.0.1", forwarded)
    b, refused = await from_address("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.10")])
    assert (await refused.expect("error"))["code"] == "too-many-connections"
    await a.disconnect()
    await b.disconnect()
    limited(BEHIND_TLS_PROXY=True)
    c, first = await from_address("127.0.0.1", forwarded)
    d, second = await from_address("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.10")])
    assert (await first.hello(room))["type"] == "welcome"
    assert (await second.hello(room))["type"] == "welcome"
    e, third = await from_address("127.0.0.1", forwarded)
    assert (await third.expect("error"))["code"] == "too-many-connections"
    for ws in (c, d, e):
        await ws.disconnect()


async def test_knocks_per_address_are_capped(connect, counselor, room, limited):
    limited(KNOCKS_PER_MINUTE=2)
    host = await connect(counselor)
    await host.hello(room)
    for name in ("One", "Two"):
        guest = await connect()
        await guest.hello(room)
        await guest.send({"type": "knock", "name": name})
        await guest.expect("waiting")
    third = await connect()
    await third.hello(room)
    await third.send({"type": "knock", "name": "Three"})
    assert await third.expect("error") == {
        "type": "error", "code": "too-many-knocks",
        "message": "too many knocks; try again in a minute",
    }
    # The host and the others go on as before.
    # (The knocks reach the host through the channel layer, the pong directly: with
    # Redis, in either order.)
    await host.send({"type": "ping"})
    lobbies = []
    pong = False
    while not (pong and lobbies and len(lobbies[-1]) == 2):
        message = await host.receive()
        pong = pong or message["type"] == "pong"
        if message["type"] == "waiting-room":
            lobbies.append([w["name"] for w in message["waiting"]])
    assert lobbies[-1] == ["One", "Two"]
    assert await host.silent()  # no waiting-room list with the third knock after it


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = limits.TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 1.0
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] = 100.0
    assert sum(bucket.take() for _ in range(10)) == 3


def test_defaults_are_generous_enough_for_a_call():
    from visavis.config import Config

    config = Config()
    assert (config.ws_messages_per_second, config.ws_message_burst) == (40, 200)
    assert (config.max_connections_per_room, config.max_connections_per_address) == (16, 20)
    assert config.knocks_per_minute == 5 and config.behind_tls_proxy is False
