"""Random and malformed messages to the room consumer, in every role and state.

For every message: the consumer does not crash or close the connection, a message
the server refuses is answered with exactly one ``error``, and a refused message
changes no participant row. Runs in-process against the real consumer, database and
channel layer, with a modest number of examples per role.
"""

from __future__ import annotations

import json
import string

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rooms.conftest import Client, _session_cookie
from visavis.appointments.services import create_appointment
from visavis.rooms import limits
from visavis.rooms import protocol as p
from visavis.rooms.models import Participant, RoomState

pytestmark = pytest.mark.django_db(transaction=True)

TYPES = ["hello", "knock", "admit", "deny", "send-back", "remove", "lock", "unlock", "note",
         "end", "signal", "leave", "ping", "welcome", "error", "status", "watching", ""]
FIELDS = ["type", "version", "room", "resume", "name", "id", "to", "data", "from", "role",
          "message", "text", "locked"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)

near_valid = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={field: json_values for field in FIELDS[1:]},
).map(json.dumps)

# Signal data that is almost right: one part off, or both given, or odd candidates.
signal_data = st.one_of(
    st.fixed_dictionaries({"description": st.fixed_dictionaries(
        {"type": st.sampled_from(["offer", "answer", "rollback", "pranswer", 1]),
         "sdp": st.text(max_size=30) | st.integers()})}),
    st.fixed_dictionaries({"candidate": st.fixed_dictionaries(
        {"candidate": st.text(max_size=30)},
        optional={"sdpMid": json_values, "sdpMLineIndex": st.integers(-5, 100),
                  "usernameFragment": json_values, "extra": json_values})}),
    st.dictionaries(st.sampled_from(["description", "candidate", "x"]), json_values),
)


# Stand-ins for the ids of the room's participants, filled in once the room exists.
ID_NAMES = ["host", "me", "waiting"]


def messages():
    """Messages for a connection, with ``@@name@@`` for participant ids of the room."""
    some_id = st.sampled_from([*(f"@@{n}@@" for n in ID_NAMES), "nobody", "", "x" * 40, "a b"])
    targeted = st.builds(
        lambda kind, target, extra: json.dumps({"type": kind, "id": target, **extra}),
        st.sampled_from(["admit", "deny", "send-back", "remove"]), some_id,
        st.dictionaries(st.sampled_from(["from", "role", "name", "message"]), json_values,
                        max_size=1),
    )
    # Moderation without a target, and texts of every odd kind (too long, blank, not text).
    odd_text = (st.text(string.whitespace, max_size=3) | st.text(min_size=201, max_size=240)
                | st.integers() | st.none() | st.lists(st.text(max_size=3), max_size=2))
    moderation = st.one_of(
        st.builds(lambda kind, extra: json.dumps({"type": kind, **extra}),
                  st.sampled_from(["lock", "unlock", "end"]),
                  st.dictionaries(st.sampled_from(["id", "locked", "text"]), json_values,
                                  max_size=1)),
        st.builds(lambda text: json.dumps({"type": "note", "text": text}), odd_text),
        st.builds(lambda target, text: json.dumps({"type": "deny", "id": target,
                                                   "message": text}), some_id, odd_text),
    )
    signals = st.builds(
        lambda to, data: json.dumps({"type": "signal", "to": to, "data": data}),
        some_id, signal_data,
    )
    knocks = st.builds(
        lambda name: json.dumps({"type": "knock", "name": name}),
        st.text(string.whitespace, max_size=3) | st.text(min_size=61, max_size=80)
        | st.integers() | st.none(),
    )
    raw = st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
    # (The test communicator cannot send an empty frame; a browser cannot either.)
    return st.one_of(
        raw, json_values.map(json.dumps), near_valid, targeted, signals, knocks, moderation
    ).filter(bool)


def snapshot() -> list[tuple]:
    return list(
        Participant.objects.order_by("pk").values_list(
            "pk", "state", "role", "name", "channel_name", "knocked_at", "resume_hash",
            "disconnected_at", "appointment_id",
        )
    ) + list(
        RoomState.objects.order_by("pk").values_list(
            "pk", "locked", "note", "call_started_at", "ended_at"
        )
    )


async def open_client(session: str | None = None) -> Client:
    from visavis.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/room", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return Client(communicator)


async def place(role: str, room: str, host_session: str) -> tuple[Client, list[Client], dict]:
    """A connection in ``role``; returns it, every connection opened, and the room's ids."""
    ids: dict[str, str] = {}
    host = await open_client(host_session)
    ids["host"] = (await host.hello(room))["id"]
    opened = [host]
    if role == "host":
        waiting = await open_client()
        opened.append(waiting)
        ids["waiting"] = (await waiting.hello(room))["id"]
        await waiting.send({"type": "knock", "name": "Wren"})
        await waiting.expect("waiting")
        # The knock reaches the host through the channel layer (with Redis, some time
        # later): wait for it, or it would come as an answer to the first fuzzed message.
        while True:
            message = await host.receive()
            if message["type"] == "waiting-room" and message["waiting"]:
                break
        return host, opened, ids
    if role == "fresh":
        fresh = await open_client()
        opened.append(fresh)
        return fresh, opened, ids
    guest = await open_client()
    opened.append(guest)
    ids["me"] = (await guest.hello(room))["id"]
    if role in {"waiting", "admitted"}:
        await guest.send({"type": "knock", "name": "Robin"})
        await guest.expect("waiting")
    if role == "admitted":
        await host.send({"type": "admit", "id": ids["me"]})
        await guest.expect("admitted")
    return guest, opened, ids


async def drain(client: Client) -> None:
    while not await client.ws.receive_nothing(timeout=0.05):
        await client.ws.receive_output()


async def exercise(role: str, room: str, host_session: str, texts: list[str]) -> None:
    me, opened, ids = await place(role, room, host_session)
    try:
        await drain(me)
        for text in texts:
            for name in ID_NAMES:
                text = text.replace(f"@@{name}@@", ids.get(name, "nobody"))
            before = await database_sync_to_async(snapshot)()
            await me.send(text)
            if await me.ws.receive_nothing(timeout=0.5):
                # Silence only for a valid message whose answer goes to someone else (a
                # signal, a leave); anything refused must have been answered.
                p.parse_client(text)
                return
            reply = await me.receive()  # raises if the consumer crashed or closed
            try:
                p.parse_client(text)
            except p.ProtocolError as exc:
                assert reply == {"type": "error", "code": exc.code.value,
                                 "message": exc.message}, (text, reply)
            if reply["type"] == "error":
                assert await database_sync_to_async(snapshot)() == before, (text, reply)
                assert await me.ws.receive_nothing(timeout=0.05), text
                p.parse_server(json.dumps(reply))
            else:
                return  # a valid message by chance; it may change state, so stop here
        await me.send({"type": "ping"})
        await drain_until_pong(me)
    finally:
        for client in opened:
            await client.close()


async def drain_until_pong(client: Client) -> None:
    while (await client.receive())["type"] != "pong":
        pass


@pytest.fixture(autouse=True)
def consent_given(monkeypatch):
    """Not about the privacy notice a client confirms before knocking (the consent app's
    tests): every guest here counts as having confirmed it."""
    try:
        from visavis.consent import services as consent
    except ImportError:
        return
    monkeypatch.setattr(consent, "consent_given", lambda appointment, session: True)


@pytest.fixture
def host_session(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = django_user_model.objects.create_user(username="owner", password="x-Long-Pass-1")
    return owner, _session_cookie(owner)


@pytest.mark.parametrize("role", ["fresh", "lobby", "waiting", "admitted", "host"])
def test_random_messages_are_refused_cleanly(role, host_session):
    owner, session = host_session

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(texts=st.lists(messages(), min_size=1, max_size=4))
    def run(texts):
        limits.reset()
        appointment = create_appointment(
            owner=owner, title="Fuzz", start=timezone.now(), duration_minutes=50
        )
        async_to_sync(exercise)(role, appointment.room_token, session, texts)

    run()
