"""The counselor's moderation (issue 5) through the real consumer, database and channel
layer: deny with a message, send back, remove, lock, notes, end for everyone, the watch
connection, and that nobody but the host can do any of it."""

from __future__ import annotations

import pytest

from tests.rooms.conftest import db
from visavis.rooms.models import Participant, RoomState

pytestmark = pytest.mark.django_db(transaction=True)


def _state(participant_id: str) -> str:
    return Participant.objects.get(pk=participant_id).state


async def state_of(participant_id: str) -> str:
    return await db(_state)(participant_id)


async def in_call(connect, counselor, room, name="Robin"):
    """A host and a guest in the call; returns (host, guest, guest_id)."""
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    guest_id = await guest.knock(room, name)
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": guest_id})
    await guest.expect("admitted")
    await host.expect("joined")
    await host.expect("waiting-room")
    await host.expect("status")
    return host, guest, guest_id


async def test_deny_with_a_message_shows_it_to_the_guest(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")
    await host.send({"type": "deny", "id": guest_id, "message": "  Wrong appointment, sorry. "})
    denied = await guest.expect("denied")
    assert denied == {"type": "denied", "message": "Wrong appointment, sorry."}
    assert await guest.closed()
    assert await state_of(guest_id) == "denied"


async def test_deny_message_is_limited(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")
    for message in ["x" * 201, "   ", 5]:
        await host.send({"type": "deny", "id": guest_id, "message": message})
        assert (await host.expect("error"))["code"] == "invalid"
    assert await guest.silent()
    assert await state_of(guest_id) == "waiting"


async def test_send_back_and_admit_again(connect, counselor, room):
    host, guest, guest_id = await in_call(connect, counselor, room)
    other = await connect()
    other_id = await other.knock(room, "Sam")
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": other_id})
    await other.expect("admitted")
    await host.expect("joined")
    await guest.expect("joined")
    await host.expect("waiting-room")

    await host.send({"type": "send-back", "id": guest_id})
    assert await guest.expect("sent-back") == {"type": "sent-back"}
    assert (await host.expect("left"))["id"] == guest_id
    assert (await other.expect("left"))["id"] == guest_id
    assert (await host.expect("waiting-room"))["waiting"] == [{"id": guest_id, "name": "Robin"}]
    assert await state_of(guest_id) == "waiting"
    # No longer in the call: cannot signal, and cannot be sent back twice.
    await guest.send({"type": "signal", "to": other_id,
                      "data": {"candidate": {"candidate": "candidate:1"}}})
    assert (await guest.expect("error"))["code"] == "bad-state"
    await host.send({"type": "send-back", "id": guest_id})
    assert (await host.expect("error"))["code"] == "no-such-participant"

    await host.send({"type": "admit", "id": guest_id})
    peers = (await guest.expect("admitted"))["peers"]
    assert {peer["name"] for peer in peers} == {"Counselor", "Sam"}
    await host.expect("joined")
    await other.expect("joined")


async def test_send_back_only_a_guest_in_the_call(connect, counselor, room):
    host = await connect(counselor)
    host_id = (await host.enter_as_host(room))["id"]
    waiting = await connect()
    waiting_id = await waiting.knock(room)
    await host.expect("waiting-room")
    for target in [waiting_id, host_id, "nobody"]:
        await host.send({"type": "send-back", "id": target})
        assert (await host.expect("error"))["code"] == "no-such-participant"
    assert await state_of(waiting_id) == "waiting"


async def test_remove_from_the_call_and_from_the_waiting_room(connect, counselor, room):
    host, guest, guest_id = await in_call(connect, counselor, room)
    waiting = await connect()
    waiting_id = await waiting.knock(room, "Sam")
    await host.expect("waiting-room")

    await host.send({"type": "remove", "id": guest_id})
    assert await guest.expect("removed") == {"type": "removed"}
    assert await guest.closed()
    assert (await host.expect("left"))["id"] == guest_id
    assert await state_of(guest_id) == "removed"

    await host.send({"type": "remove", "id": waiting_id})
    await waiting.expect("removed")
    assert await waiting.closed()
    assert (await host.expect("waiting-room"))["waiting"] == []

    # The removed guest's resume token opens nothing: a fresh start in the lobby.
    back = await connect()
    await back.send({"type": "hello", "version": 1, "room": room, "resume": guest.token})
    welcome = await back.expect("welcome")
    assert welcome["resumed"] is False and welcome["state"] == "lobby"


async def test_lock_refuses_new_knocks_but_keeps_the_waiting_and_the_host(
    connect, counselor, room
):
    host = await connect(counselor)
    await host.enter_as_host(room)
    waiting = await connect()
    waiting_id = await waiting.knock(room)
    await host.expect("waiting-room")

    await host.send({"type": "lock"})
    status = await host.expect("status")
    assert status["locked"] is True
    latecomer = await connect()
    late_id = (await latecomer.hello(room))["id"]
    await latecomer.send({"type": "knock", "name": "Late"})
    error = await latecomer.expect("error")
    assert error == {"type": "error", "code": "room-locked", "message": "the room is locked"}
    assert await state_of(late_id) == "lobby"
    assert await host.silent() and await waiting.silent()

    # The host always gets in: a fresh connection (another tab) takes over, still locked.
    second = await connect(counselor)
    welcome = await second.hello(room)
    assert welcome["role"] == "host" and welcome["state"] == "admitted"
    await host.expect("replaced")
    assert await host.closed()
    await second.expect("admitted")
    assert (await second.expect("waiting-room"))["waiting"] == [{"id": waiting_id, "name": "Robin"}]
    assert (await second.expect("status"))["locked"] is True
    await second.send({"type": "admit", "id": waiting_id})
    await waiting.expect("admitted")
    await second.expect("joined")
    await second.expect("waiting-room")
    await second.expect("status")

    await second.send({"type": "unlock"})
    assert (await second.expect("status"))["locked"] is False
    await latecomer.send({"type": "knock", "name": "Late"})
    await latecomer.expect("waiting")


async def test_notes_reach_everyone_waiting_until_the_call_starts(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    early = await connect()
    early_id = await early.knock(room, "Early")
    await host.expect("waiting-room")

    await host.send({"type": "note", "text": " I'll be 5 minutes late. "})
    note = await early.expect("note")
    assert note == {"type": "note", "text": "I'll be 5 minutes late."}
    assert (await host.expect("status"))["note"] == "I'll be 5 minutes late."
    # Whoever knocks later sees the latest note right after "waiting".
    later = await connect()
    later_id = await later.knock(room, "Later")
    assert (await later.expect("note"))["text"] == "I'll be 5 minutes late."
    await host.expect("waiting-room")
    # A waiting guest who resumes gets it again.
    await later.close()
    back = await connect()
    await back.send({"type": "hello", "version": 1, "room": room, "resume": later.token})
    assert (await back.expect("welcome"))["resumed"] is True
    await back.expect("waiting")
    assert (await back.expect("note"))["text"] == "I'll be 5 minutes late."

    # The call starts: the note is over, for those still waiting too.
    await host.send({"type": "admit", "id": early_id})
    await early.expect("admitted")
    await host.expect("joined")
    await host.expect("waiting-room")
    assert (await back.expect("note"))["text"] == ""
    status = await host.expect("status")
    assert status["note"] == "" and status["started_at"]
    assert await db(lambda: RoomState.objects.get().note)() == ""

    # A note after the start still reaches those waiting; "" takes it back.
    await host.send({"type": "note", "text": "One moment, please."})
    assert (await back.expect("note"))["text"] == "One moment, please."
    assert await early.silent()  # in the call: notes are for the waiting room
    await host.expect("status")
    await host.send({"type": "note", "text": ""})
    assert (await back.expect("note"))["text"] == ""
    assert later_id


async def test_note_is_limited(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    for bad in [{"text": "x" * 201}, {"text": 5}, {}, {"text": "ok", "to": "x"}]:
        await host.send({"type": "note", **bad})
        assert (await host.expect("error"))["code"] == "invalid"
    assert await db(lambda: RoomState.objects.filter(note__gt="").exists())() is False


async def test_end_for_everyone(connect, counselor, room):
    host, guest, guest_id = await in_call(connect, counselor, room)
    waiting = await connect()
    waiting_id = await waiting.knock(room, "Sam")
    await host.expect("waiting-room")
    lobby = await connect()
    lobby_id = (await lobby.hello(room))["id"]
    await host.send({"type": "lock"})
    await host.expect("status")

    await host.send({"type": "end"})
    for client in (guest, waiting, lobby, host):
        assert await client.expect("ended") == {"type": "ended"}
        assert await client.closed()
    for participant_id in (guest_id, waiting_id, lobby_id):
        assert await state_of(participant_id) == "left"

    # Over: a new knock is refused...
    again = await connect()
    await again.hello(room)
    await again.send({"type": "knock", "name": "Robin"})
    assert (await again.expect("error"))["code"] == "session-ended"
    # ...until the host enters again, which opens a new session (unlocked, no timer).
    host2 = await connect(counselor)
    await host2.hello(room)
    await host2.expect("admitted")
    await host2.expect("waiting-room")
    status = await host2.expect("status")
    assert status["locked"] is False and "started_at" not in status
    await again.send({"type": "knock", "name": "Robin"})
    await again.expect("waiting")


MODERATION = [
    {"type": "send-back", "id": "@guest"},
    {"type": "remove", "id": "@guest"},
    {"type": "remove", "id": "@waiting"},
    {"type": "deny", "id": "@waiting", "message": "go away"},
    {"type": "admit", "id": "@waiting"},
    {"type": "lock"},
    {"type": "unlock"},
    {"type": "note", "text": "hello"},
    {"type": "end"},
]


@pytest.mark.parametrize("who", ["guest", "waiting", "lobby", "colleague"])
async def test_only_the_host_may_moderate(connect, counselor, colleague, room, who):
    """Every moderation message by hand from anyone but the host: not-allowed, nothing
    changes, nobody else hears of it (a refused message changes nothing, so one room
    serves the whole list)."""
    host, guest, guest_id = await in_call(connect, counselor, room)
    waiting = await connect()
    waiting_id = await waiting.knock(room, "Sam")
    await host.expect("waiting-room")
    actor = {"guest": guest, "waiting": waiting}.get(who)
    if actor is None:
        actor = await connect(colleague if who == "colleague" else None)
        welcome = await actor.hello(room)
        assert welcome["role"] == "guest"
    ids = {"@guest": guest_id, "@waiting": waiting_id}
    before = await db(_snapshot)()
    for message in MODERATION:
        await actor.send({k: ids.get(v, v) for k, v in message.items()})
        assert (await actor.expect("error"))["code"] == "not-allowed", message
    assert await db(_snapshot)() == before
    for client in (host, guest, waiting):
        if client is not actor:
            assert await client.silent()


def _snapshot():
    return (
        sorted(Participant.objects.values_list("pk", "state", "name")),
        sorted(RoomState.objects.values_list("locked", "note", "ended_at", "call_started_at")),
    )


# --- the watch connection --------------------------------------------------------------


async def test_watch_shows_the_counselors_waiting_rooms_live(
    connect, counselor, colleague, appointment, room
):
    early = await connect()
    early_id = await early.knock(room, "Early")
    watch = await connect(counselor, path="/ws/watch")
    snapshot = await watch.expect("watching")
    assert snapshot["rooms"] == [{
        "appointment": str(appointment.pk), "title": "Session",
        "url": f"/appointments/{appointment.pk}/room",
        "waiting": [{"id": early_id, "name": "Early"}],
    }]
    other_watch = await connect(colleague, path="/ws/watch")
    assert (await other_watch.expect("watching"))["rooms"] == []

    late = await connect()
    late_id = await late.knock(room, "Late")
    changed = await watch.expect("waiting-changed")
    assert [w["id"] for w in changed["room"]["waiting"]] == [early_id, late_id]
    # The host, in this room or in another one, is told the same; nobody else is.
    host = await connect(counselor)
    await host.enter_as_host(room)
    assert (await watch.expect("waiting-changed"))["room"]["appointment"] == str(appointment.pk)
    await host.send({"type": "admit", "id": early_id})
    changed = await watch.expect("waiting-changed")
    assert changed["room"]["waiting"] == [{"id": late_id, "name": "Late"}]
    await late.send({"type": "leave"})
    assert (await watch.expect("waiting-changed"))["room"]["waiting"] == []
    assert await other_watch.silent()

    await watch.send({"type": "ping"})
    await watch.expect("pong")
    await watch.send({"type": "hello", "version": 1, "room": room})
    assert (await watch.expect("error"))["code"] == "not-allowed"
    await watch.send("nonsense")
    assert (await watch.expect("error"))["code"] == "bad-json"


async def test_watch_needs_a_login(settings):
    from channels.testing import WebsocketCommunicator

    from visavis.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    communicator = WebsocketCommunicator(application, "/ws/watch", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
