"""Issue 16: the room WebSocket under deliberate abuse, through the real consumer, database
and channel layer (SQLite and the in-memory layer; PostgreSQL and Redis in the second
round). Each test failed before its fix."""

from __future__ import annotations

import json
import logging
import time

import pytest
from channels.testing import WebsocketCommunicator

from tests.rooms.conftest import Client, db
from visavis.rooms.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

TURN = {
    "TURN_URLS": ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp"],
    "TURN_SECRET": "test-turn-secret",
    "TURN_CREDENTIAL_TTL": 600,
}


@pytest.fixture
def with_turn(settings):
    def set_(**values):
        settings.VISAVIS = {**settings.VISAVIS, **TURN, **values}

    set_()
    return set_


async def enter_as_host(client: Client, room: str) -> tuple[dict, list[dict]]:
    """hello as the owner; the welcome and the messages up to ``status``."""
    welcome = await client.hello(room)
    assert welcome["role"] == "host", welcome
    following = []
    while not following or following[-1]["type"] != "status":
        following.append(await client.receive())
    return welcome, following


# --- item 3: TURN credentials only for participants in the call -----------------------


async def test_no_relay_credentials_in_the_lobby_or_the_waiting_room(connect, counselor, room,
                                                                    with_turn):
    guests = [await connect() for _ in range(6)]
    for guest in guests:
        welcome = await guest.hello(room)
        assert "ice_servers" not in welcome
        assert "credential" not in json.dumps(welcome)
    await guests[0].send({"type": "knock", "name": "Robin"})
    await guests[0].expect("waiting")
    assert await guests[0].silent()


async def test_host_and_admitted_guest_get_their_own_short_lived_credentials(
    connect, counselor, room, with_turn
):
    host = await connect(counselor)
    welcome, following = await enter_as_host(host, room)
    types = [m["type"] for m in following]
    assert types[:2] == ["ice-servers", "admitted"], types
    servers = following[0]
    expiry, user = servers["ice_servers"][1]["username"].split(":")
    assert user == welcome["id"]
    assert 590 <= int(expiry) - time.time() <= 601
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": guest_id})
    mine = await guest.expect("ice-servers")
    assert mine["ice_servers"][1]["username"].endswith(f":{guest_id}")
    await guest.expect("admitted")


async def test_credentials_are_renewed_in_the_call_and_stop_when_sent_back(
    connect, counselor, room, with_turn
):
    from visavis.rooms import services

    with_turn(TURN_CREDENTIAL_TTL=2)  # renewed after 1.5 s
    host = await connect(counselor)
    await enter_as_host(host, room)
    renewed = await host.expect("ice-servers", timeout=10)
    assert renewed["ice_servers"][1]["username"].split(":")[1]
    guest = await connect()
    guest_id = await guest.knock(room)
    guest_channel = await db(lambda: Participant.objects.get(pk=guest_id).channel_name)()
    await host.send({"type": "admit", "id": guest_id})
    await guest.expect("ice-servers")
    assert await db(services.renew_ice)(participant_id=guest_id, channel_name=guest_channel)
    await host.send({"type": "send-back", "id": guest_id})
    await guest.expect("admitted")
    await guest.expect("sent-back")
    # Back in the waiting room: no renewal any more.
    assert await db(services.renew_ice)(participant_id=guest_id, channel_name=guest_channel) == []


# --- item 4: the host is never locked out by the room's connection cap ----------------


async def test_host_enters_a_room_full_of_anonymous_connections(connect, counselor, room,
                                                                settings):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_CONNECTIONS_PER_ROOM": 16,
                        "MAX_CONNECTIONS_PER_ADDRESS": 40}
    for _ in range(16):
        await (await connect()).hello(room)
    extra = await connect()
    await extra.send({"type": "hello", "version": 1, "room": room})
    assert (await extra.expect("error"))["code"] == "too-many-in-room"
    host = await connect(counselor)
    welcome, _following = await enter_as_host(host, room)
    assert welcome["state"] == "admitted"


# --- item 6: deep nesting ---------------------------------------------------------------


@pytest.mark.parametrize("frame", [
    "[" * 10000 + "]" * 10000,
    '{"type": "ping", "x": ' + "[" * 10000 + "]" * 10000 + "}",
    '{"type": "hello", "version": 1, "room": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
])
async def test_deeply_nested_json_is_invalid_and_the_connection_stays(connect, room, frame,
                                                                      caplog):
    client = await connect()
    with caplog.at_level(logging.ERROR):
        await client.send(frame)
        error = await client.expect("error")
    assert error["code"] == "invalid"
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
    await client.send({"type": "ping"})
    await client.expect("pong")
    await client.hello(room)


async def test_a_failing_handler_still_gives_back_what_the_connection_counted(
    room, settings, monkeypatch
):
    """Cleanup runs however a connection ends, also when a handler fails (a bug, injected
    here): the address's place is free again at once and the lobby row is gone."""
    from visavis.asgi import application
    from visavis.rooms import consumer

    settings.VISAVIS = {**settings.VISAVIS, "MAX_CONNECTIONS_PER_ADDRESS": 1}

    async def open_one() -> tuple[WebsocketCommunicator, Client]:
        communicator = WebsocketCommunicator(
            application, "/ws/room",
            headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")],
        )
        communicator.scope["client"] = ("192.0.2.7", 40000)
        assert (await communicator.connect())[0]
        return communicator, Client(communicator)

    communicator, client = await open_one()
    await client.hello(room)

    async def broken(self, message):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(consumer.RoomConsumer, "_handle", broken)
    await client.send({"type": "ping"})
    with pytest.raises(RuntimeError):
        await communicator.receive_output(timeout=3)
    monkeypatch.undo()
    assert not await db(Participant.objects.exists)()
    again, second = await open_one()
    await second.send({"type": "ping"})
    assert (await second.receive())["type"] == "pong"  # not too-many-connections
    await again.disconnect()


# --- item 7: one connection, one participant; no rows for a loop ------------------------


async def test_hello_after_leave_on_the_same_connection_is_refused(connect, room):
    client = await connect()
    await client.hello(room)
    await client.send({"type": "leave"})
    for _ in range(20):
        await client.send({"type": "hello", "version": 1, "room": room})
        assert (await client.expect("error"))["code"] == "bad-state"
    assert await db(Participant.objects.count)() == 0


async def test_guests_who_never_knock_leave_no_rows(connect, room):
    for _ in range(30):
        client = await connect()
        await client.hello(room)
        await client.close()
    assert await db(Participant.objects.count)() == 0


# --- item 9: a revoked link or a cancelled appointment closes the waiting room ----------


@pytest.mark.parametrize("change", ["revoke", "cancel"])
async def test_waiting_guests_are_told_and_cannot_be_admitted(connect, counselor, room,
                                                              appointment, change):
    from visavis.appointments import services as appointments

    host = await connect(counselor)
    await enter_as_host(host, room)
    waiting = await connect()
    waiting_id = await waiting.knock(room)
    await host.expect("waiting-room")
    lobby = await connect()
    lobby_id = (await lobby.hello(room))["id"]
    if change == "revoke":
        await db(appointments.revoke_link)(owner=counselor, appointment_id=appointment.pk)
    else:
        await db(appointments.cancel_appointment)(owner=counselor, appointment_id=appointment.pk)
    for guest in (waiting, lobby):
        await guest.expect("link-closed")
        assert await guest.closed()
    assert (await host.expect("waiting-room"))["waiting"] == []
    await host.send({"type": "admit", "id": waiting_id})
    assert (await host.expect("error"))["code"] == "no-such-participant"
    assert not await db(Participant.objects.filter(pk=waiting_id, state="admitted").exists)()
    assert not await db(Participant.objects.filter(pk=lobby_id).exists)()


# --- item 11: the origin, and "log out everywhere" ---------------------------------------


@pytest.mark.parametrize(("origin", "host", "headers", "proxy", "accepted"), [
    ("http://127.0.0.1", "127.0.0.1", [], False, True),
    ("http://127.0.0.1:8000", "127.0.0.1:8000", [], False, True),
    ("http://127.0.0.1:8080", "127.0.0.1:8000", [], False, False),  # another port
    ("http://127.0.0.1:8000", "127.0.0.1", [], False, False),
    ("https://127.0.0.1", "127.0.0.1", [], False, False),  # another scheme
    ("http://localhost", "127.0.0.1", [], False, False),  # another (allowed) host
    ("https://localhost", "localhost", [(b"x-forwarded-proto", b"https")], True, True),
    ("http://localhost", "localhost", [(b"x-forwarded-proto", b"https")], True, False),
    # Without the proxy setting the header is anyone's: not believed.
    ("https://localhost", "localhost", [(b"x-forwarded-proto", b"https")], False, False),
    ("null", "127.0.0.1", [], False, False),
])
async def test_the_origin_must_be_the_sites_own(settings, origin, host, headers, proxy, accepted):
    from visavis.asgi import application

    settings.VISAVIS = {**settings.VISAVIS, "BEHIND_TLS_PROXY": proxy}
    communicator = WebsocketCommunicator(
        application, "/ws/room",
        headers=[(b"origin", origin.encode()), (b"host", host.encode()), *headers],
    )
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()


async def test_log_out_everywhere_closes_room_and_watch_connections(connect, counselor, room):
    from visavis.accounts import sessions

    host = await connect(counselor)
    host_id = (await enter_as_host(host, room))[0]["id"]
    watch = await connect(counselor, path="/ws/watch")
    await watch.expect("watching")
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": guest_id})
    await guest.expect("admitted")
    await db(sessions.end_all)(counselor)
    for connection in (host, watch):
        while (await connection.receive())["type"] != "logged-out":
            pass
        assert await connection.closed()
    assert (await guest.expect("left"))["id"] == host_id
    state = await db(lambda: Participant.objects.get(pk=host_id).state)()
    assert state == "left"
