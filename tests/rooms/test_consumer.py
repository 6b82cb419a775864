"""The room protocol end to end through the real consumer, database and channel layer."""

from __future__ import annotations

import json

import pytest

from tests.rooms.conftest import db
from visavis.rooms.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\n"}}


async def admitted_pair(connect, counselor, room):
    """A host and an admitted guest; returns (host, guest, host_id, guest_id)."""
    host = await connect(counselor)
    welcome = await host.hello(room)
    assert welcome["role"] == "host" and welcome["state"] == "admitted"
    await host.expect("admitted")
    await host.expect("waiting-room")
    await host.expect("status")
    guest = await connect()
    guest_welcome = await guest.hello(room)
    await guest.send({"type": "knock", "name": "Robin"})
    await guest.expect("waiting")
    waiting_room = await host.expect("waiting-room")
    assert waiting_room["waiting"] == [{"id": guest_welcome["id"], "name": "Robin"}]
    await host.send({"type": "admit", "id": guest_welcome["id"]})
    admitted = await guest.expect("admitted")
    assert admitted["peers"] == [{"id": welcome["id"], "name": "Counselor", "role": "host"}]
    joined = await host.expect("joined")
    assert joined["peer"] == {"id": guest_welcome["id"], "name": "Robin", "role": "guest"}
    assert (await host.expect("waiting-room"))["waiting"] == []
    status = await host.expect("status")  # the first admit starts the session's timer
    assert status["started_at"] and status["locked"] is False
    return host, guest, welcome["id"], guest_welcome["id"]


async def test_guest_knocks_host_admits_and_signals_are_relayed(connect, counselor, room):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.send({"type": "signal", "to": host_id, "data": OFFER})
    relayed = await host.expect("signal")
    assert relayed == {"type": "signal", "from": guest_id, "data": OFFER}
    candidate = {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                               "sdpMid": "0", "sdpMLineIndex": 0}}
    await host.send({"type": "signal", "to": guest_id, "data": candidate})
    assert (await guest.expect("signal"))["data"] == candidate


async def test_guest_starts_in_the_lobby(connect, room):
    guest = await connect()
    welcome = await guest.hello(room)
    assert welcome["role"] == "guest"
    assert welcome["state"] == "lobby"
    assert welcome["max_participants"] == 4


async def test_another_counselor_is_only_a_guest(connect, colleague, room):
    other = await connect(colleague)
    welcome = await other.hello(room)
    assert welcome["role"] == "guest" and welcome["state"] == "lobby"


@pytest.mark.parametrize("action", ["admit", "deny"])
async def test_guest_cannot_use_host_actions(connect, counselor, room, action):
    host = await connect(counselor)
    await host.hello(room)
    await host.expect("admitted")
    await host.expect("waiting-room")
    await host.expect("status")
    waiting = await connect()
    waiting_id = (await waiting.hello(room))["id"]
    await waiting.send({"type": "knock", "name": "Waiting"})
    await waiting.expect("waiting")
    await host.expect("waiting-room")

    intruder = await connect()
    await intruder.hello(room)
    await intruder.send({"type": action, "id": waiting_id})
    error = await intruder.expect("error")
    assert error["code"] == "not-allowed"
    # After knocking, still no host rights.
    await intruder.send({"type": "knock", "name": "Intruder"})
    await intruder.expect("waiting")
    await host.expect("waiting-room")
    await intruder.send({"type": action, "id": waiting_id})
    assert (await intruder.expect("error"))["code"] == "not-allowed"
    assert await waiting.silent()
    state = await db(lambda: Participant.objects.get(pk=waiting_id).state)()
    assert state == "waiting"


async def test_admitted_guest_cannot_admit_others(connect, counselor, room):
    _host, guest, _host_id, _guest_id = await admitted_pair(connect, counselor, room)
    other = await connect()
    other_id = (await other.hello(room))["id"]
    await other.send({"type": "knock", "name": "Other"})
    await other.expect("waiting")
    await guest.send({"type": "admit", "id": other_id})
    assert (await guest.expect("error"))["code"] == "not-allowed"
    assert await other.silent()


async def test_spoofed_identity_fields_are_refused(connect, counselor, room):
    host, guest, host_id, _guest_id = await admitted_pair(connect, counselor, room)
    await guest.send({"type": "signal", "to": host_id, "from": host_id, "data": OFFER})
    error = await guest.expect("error")
    assert error["code"] == "invalid" and "from" in error["message"]
    await guest.send({"type": "hello", "version": 1, "room": room, "role": "host"})
    assert (await guest.expect("error"))["code"] == "invalid"
    assert await host.silent()


async def test_deny_tells_the_guest_and_closes(connect, counselor, room):
    host = await connect(counselor)
    await host.hello(room)
    await host.expect("admitted")
    await host.expect("waiting-room")
    await host.expect("status")
    guest = await connect()
    guest_id = (await guest.hello(room))["id"]
    await guest.send({"type": "knock", "name": "Nope"})
    await guest.expect("waiting")
    await host.expect("waiting-room")
    await host.send({"type": "deny", "id": guest_id})
    await guest.expect("denied")
    assert (await guest.ws.receive_output(timeout=2))["type"] == "websocket.close"
    assert (await host.expect("waiting-room"))["waiting"] == []


async def test_leaving_and_disconnecting_tell_the_others(connect, counselor, room):
    host, guest, _host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.send({"type": "leave"})
    assert (await host.expect("left"))["id"] == guest_id



async def test_a_dropped_connection_keeps_its_place_for_the_grace_period(
    connect, counselor, room, settings
):
    settings.VISAVIS = {**settings.VISAVIS, "RESUME_GRACE_SECONDS": 1}
    host, guest, _host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.close()
    # Nothing is said at once: the guest may come back.
    assert await host.silent()
    assert (await host.expect("left", timeout=5))["id"] == guest_id

    waiting = await connect()
    waiting_id = (await waiting.hello(room))["id"]
    await waiting.send({"type": "knock", "name": "Second"})
    await waiting.expect("waiting")
    assert (await host.expect("waiting-room"))["waiting"][0]["id"] == waiting_id
    await waiting.close()
    assert (await host.expect("waiting-room", timeout=5))["waiting"] == []


async def test_a_guest_who_had_not_knocked_leaves_at_once(connect, counselor, room):
    host = await connect(counselor)
    await host.hello(room)
    await host.expect("admitted")
    await host.expect("waiting-room")
    await host.expect("status")
    guest = await connect()
    guest_id = (await guest.hello(room))["id"]
    await guest.close()
    # Nothing is kept of a guest who never knocked (issue 16, item 7).
    assert not await db(Participant.objects.filter(pk=guest_id).exists)()


async def test_resume_puts_an_admitted_guest_back_without_knocking(connect, counselor, room):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    first = await db(lambda: Participant.objects.get(pk=guest_id).resume_hash)()
    await guest.close()
    back = await connect()
    # The token was in the guest's welcome; fetch it the way the client kept it.
    token = guest.token
    await back.send({"type": "hello", "version": 1, "room": room, "resume": token})
    welcome = await back.expect("welcome")
    assert welcome["id"] == guest_id and welcome["resumed"] is True
    assert welcome["state"] == "admitted" and welcome["resume"] != token
    assert (await back.expect("admitted"))["peers"][0]["id"] == host_id
    assert await host.silent()
    # Signalling works again both ways on the new connection.
    await host.send({"type": "signal", "to": guest_id, "data": OFFER})
    assert (await back.expect("signal"))["from"] == host_id
    assert await db(lambda: Participant.objects.get(pk=guest_id).resume_hash)() != first
    # The old token is spent.
    again = await connect()
    await again.send({"type": "hello", "version": 1, "room": room, "resume": token})
    fresh = await again.expect("welcome")
    assert fresh["resumed"] is False and fresh["state"] == "lobby" and fresh["id"] != guest_id


async def test_host_keeps_host_after_resume(connect, counselor, room):
    host, guest, host_id, _guest_id = await admitted_pair(connect, counselor, room)
    await host.close()
    back = await connect()  # no session cookie: the resume token alone carries the place
    await back.send({"type": "hello", "versions": [2], "room": room, "resume": host.token})
    welcome = await back.expect("welcome")
    assert welcome["id"] == host_id and welcome["role"] == "host" and welcome["resumed"]
    await back.expect("admitted")
    await back.expect("waiting-room")
    await back.expect("status")
    assert await guest.silent()


async def test_resume_after_the_grace_period_is_a_fresh_start(connect, counselor, room, settings):
    settings.VISAVIS = {**settings.VISAVIS, "RESUME_GRACE_SECONDS": 1}
    host, guest, _host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.close()
    assert (await host.expect("left", timeout=5))["id"] == guest_id
    back = await connect()
    await back.send({"type": "hello", "version": 1, "room": room, "resume": guest.token})
    welcome = await back.expect("welcome")
    assert welcome["resumed"] is False and welcome["state"] == "lobby"


async def test_signal_only_to_participants_in_the_call(connect, counselor, room):
    host, guest, _host_id, _guest_id = await admitted_pair(connect, counselor, room)
    lobby_guest = await connect()
    lobby_id = (await lobby_guest.hello(room))["id"]
    await guest.send({"type": "signal", "to": lobby_id, "data": OFFER})
    assert (await guest.expect("error"))["code"] == "no-such-participant"
    await lobby_guest.send({"type": "signal", "to": _host_id, "data": OFFER})
    assert (await lobby_guest.expect("error"))["code"] == "bad-state"
    assert await host.silent()


async def test_room_full(connect, counselor, room, settings):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_PARTICIPANTS": 2}
    host, _guest, _h, _g = await admitted_pair(connect, counselor, room)
    third = await connect()
    third_id = (await third.hello(room))["id"]
    await third.send({"type": "knock", "name": "Third"})
    await third.expect("waiting")
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": third_id})
    assert (await host.expect("error"))["code"] == "room-full"


async def test_second_host_connection_takes_over(connect, counselor, room):
    first = await connect(counselor)
    await first.hello(room)
    await first.expect("admitted")
    await first.expect("waiting-room")
    await first.expect("status")
    second = await connect(counselor)
    welcome = await second.hello(room)
    assert welcome["role"] == "host"
    await first.expect("replaced")
    await second.expect("admitted")
    await second.expect("waiting-room")
    await second.expect("status")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad-json"),
        ("[1, 2]", "invalid"),
        ('{"type": "dance"}', "unknown-type"),
        ("{}", "unknown-type"),
        ('{"type": "knock", "name": "x"}', "hello-first"),
        ('{"type": "hello", "version": 3, "room": "abc"}', "version"),
        ('{"type": "hello", "version": 1, "room": "no-such-room"}', "unknown-room"),
        ('{"type": "hello", "version": "1", "room": 5}', "invalid"),
        (json.dumps({"type": "knock", "name": "x" * 70000}), "too-large"),
    ],
)
async def test_bad_messages_get_an_error_and_the_connection_stays(connect, room, raw, code):
    client = await connect()
    await client.send(raw)
    assert (await client.expect("error"))["code"] == code
    await client.send({"type": "ping"})
    await client.expect("pong")
    # Still usable after the error.
    await client.hello(room)


async def test_unknown_room_is_refused(connect):
    client = await connect()
    await client.send({"type": "hello", "version": 1, "room": "x" * 43})
    assert (await client.expect("error"))["code"] == "unknown-room"
