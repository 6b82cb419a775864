"""Relaying without the database: each connection keeps what it knows of its call
(rooms/relaycache.py) and forgets it whenever the membership may have changed."""

from __future__ import annotations

import pytest

from tests.rooms.test_consumer import OFFER, admitted_pair
from visavis.rooms import services

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATE = {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                           "sdpMid": "0", "sdpMLineIndex": 0}}


@pytest.fixture
def lookups(monkeypatch):
    """Counts the relay's database lookups (services.call_peers)."""
    calls: list[str] = []
    real = services.call_peers

    def counted(*, participant_id):
        calls.append(participant_id)
        return real(participant_id=participant_id)

    monkeypatch.setattr(services, "call_peers", counted)
    return calls


async def test_a_call_needs_no_database_to_relay(connect, counselor, room, lookups):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.send({"type": "signal", "to": host_id, "data": OFFER})
    await host.expect("signal")
    for _ in range(10):
        await host.send({"type": "signal", "to": guest_id, "data": CANDIDATE})
        await guest.send({"type": "signal", "to": host_id, "data": CANDIDATE})
    for _ in range(10):
        assert (await guest.expect("signal"))["from"] == host_id
        assert (await host.expect("signal"))["from"] == guest_id
    assert lookups == [], "admitted and joined told both sides where the other is"


async def test_relays_follow_a_participant_to_its_new_connection(
    connect, counselor, room, lookups
):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    await host.send({"type": "signal", "to": guest_id, "data": OFFER})
    await guest.expect("signal")
    # The guest's connection drops and comes back: a new channel for the same id.
    await guest.close()
    back = await connect()
    await back.send({"type": "hello", "version": 1, "room": room, "resume": guest.token})
    assert (await back.expect("welcome"))["resumed"] is True
    await back.expect("admitted")
    # As a client does after a resume: it restarts ICE with an offer, and the host answers.
    await back.send({"type": "signal", "to": host_id, "data": OFFER})
    assert (await host.expect("signal"))["from"] == guest_id
    await host.send({"type": "signal", "to": guest_id, "data": CANDIDATE})
    assert (await back.expect("signal"))["from"] == host_id
    assert lookups == [host_id], "the host forgot the old connection and asked again"


async def test_a_guest_sent_back_can_no_longer_signal(connect, counselor, room):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.send({"type": "signal", "to": host_id, "data": OFFER})
    await host.expect("signal")
    await host.send({"type": "signal", "to": guest_id, "data": OFFER})
    await guest.expect("signal")
    await host.send({"type": "send-back", "id": guest_id})
    await guest.expect("sent-back")
    await guest.send({"type": "signal", "to": host_id, "data": CANDIDATE})
    assert (await guest.expect("error"))["code"] == "bad-state"
    await host.expect("left")
    await host.expect("waiting-room")
    await host.send({"type": "signal", "to": guest_id, "data": CANDIDATE})
    assert (await host.expect("error"))["code"] == "no-such-participant"


def test_known_peers_learn_from_admitted_and_joined_and_forget_otherwise():
    from visavis.rooms.relaycache import RelayCache

    peers = RelayCache()
    assert peers.channel_of("a") is None
    peers.saw("joined", {"b": "chan-b"})  # nothing known yet: a newcomer alone is not all
    assert peers.channel_of("b") is None
    peers.saw("admitted", {"a": "chan-a"})
    peers.saw("joined", {"b": "chan-b"})
    assert (peers.channel_of("a"), peers.channel_of("b")) == ("chan-a", "chan-b")
    for unchanged in ("signal", "pong", "error", "waiting-room", "lobby", "note", "status"):
        peers.saw(unchanged)
    assert peers.channel_of("a") == "chan-a"
    for changed in ("left", "sent-back", "removed", "ended", "replaced", "welcome", None,
                    "some-future-message"):
        peers.saw("admitted", {"a": "chan-a"})
        peers.saw(changed)
        assert peers.channel_of("a") is None, changed
    peers.saw("admitted")  # without routes (cannot happen today): unknown, ask the database
    assert peers.channel_of("a") is None
