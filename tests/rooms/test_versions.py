"""Protocol version negotiation (issue 17, point 4): the client offers the versions it
speaks, the server picks the highest it speaks too, and says so in ``welcome``; with
none in common the client is told which versions the server speaks (docs/protocol.md,
*Handshake and version*). A page loaded before an upgrade thus reconnects, or learns
that it must be reloaded. Version 2 calls the host's list of waiting guests
``waiting-room``; a connection that speaks version 1 still gets it as ``lobby``."""

from __future__ import annotations

import json

import pytest

from visavis.rooms import events, wire
from visavis.rooms import protocol as p
from visavis.rooms.errors import Reason

pytestmark = pytest.mark.django_db(transaction=True)


# --- the choice itself ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "supported", "chosen"),
    [
        ([1], {1}, 1),
        ([1, 2], {1}, 1),
        ([2, 1], {1}, 1),
        ([2], {1}, None),
        ([1, 2], {1, 2}, 2),
        ([1], {1, 2}, 1),
        ([3, 1, 2], {1, 2}, 2),
        ([7], {1, 2}, None),
    ],
)
def test_choose_version_picks_the_highest_common_one(offered, supported, chosen):
    assert p.choose_version(offered, frozenset(supported)) == chosen


def test_the_server_speaks_versions_1_and_2():
    assert sorted(p.SUPPORTED_VERSIONS) == [1, 2]
    assert p.PROTOCOL_VERSION in p.SUPPORTED_VERSIONS
    assert p.LATEST_VERSION == 2


# --- over the WebSocket -----------------------------------------------------------------


async def _hello(client, room, **offer) -> dict:
    await client.send({"type": "hello", "room": room, **offer})
    return await client.receive()


@pytest.mark.parametrize(
    ("offer", "chosen"), [([1], 1), ([2], 2), ([1, 2], 2), ([2, 1], 2), ([1, 3], 1)], ids=str
)
async def test_offered_versions_get_a_welcome_with_the_chosen_one(connect, room, offer, chosen):
    client = await connect()
    welcome = await _hello(client, room, versions=offer)
    assert welcome["type"] == "welcome", welcome
    assert welcome["version"] == chosen


async def test_the_host_too_gets_the_chosen_version(connect, counselor, room):
    host = await connect(counselor)
    welcome = await _hello(host, room, versions=[1, 2])
    assert welcome["type"] == "welcome" and welcome["role"] == "host"
    assert welcome["version"] == 2


async def test_a_resume_with_offered_versions_gets_the_chosen_one(connect, room):
    first = await connect()
    welcome = await _hello(first, room, versions=[1])
    await first.send({"type": "knock", "name": "Robin"})
    await first.expect("waiting")
    await first.close()
    back = await connect()
    again = await _hello(back, room, versions=[1, 2], resume=welcome["resume"])
    assert again["type"] == "welcome" and again["resumed"] is True
    assert again["id"] == welcome["id"] and again["version"] == 2


async def test_no_common_version_is_an_error_listing_the_servers_versions(connect, room):
    client = await connect()
    error = await _hello(client, room, versions=[3])
    assert error["type"] == "error"
    assert error["code"] == "version"
    assert error["versions"] == [1, 2]
    assert "1 and 2" in error["message"]
    # No participant was made, and the connection stays usable.
    await client.send({"type": "knock", "name": "Robin"})
    assert (await client.expect("error"))["code"] == "hello-first"
    assert (await _hello(client, room, versions=[1]))["type"] == "welcome"


async def test_an_old_page_saying_version_1_still_gets_in(connect, room):
    client = await connect()
    welcome = await _hello(client, room, version=1)
    assert welcome["type"] == "welcome" and welcome["version"] == 1


async def test_an_old_page_with_another_version_is_told_the_servers_versions(connect, room):
    client = await connect()
    error = await _hello(client, room, version=3)
    assert error["code"] == "version" and error["versions"] == [1, 2]


@pytest.mark.parametrize(
    "offer",
    [
        {"versions": []},
        {"versions": ["1"]},
        {"versions": [1.5]},
        {"versions": [True]},
        {"versions": [None]},
        {"versions": [0]},
        {"versions": 1},
        {"versions": list(range(1, 10))},  # more than eight
        {"versions": [1] * 1000},
        {"version": "1"},
        {"versions": [1], "version": 1},  # one way or the other, not both
        {},  # neither
    ],
    ids=json.dumps,
)
async def test_malformed_offers_are_invalid(connect, room, offer):
    client = await connect()
    error = await _hello(client, room, **offer)
    assert error["type"] == "error"
    assert error["code"] == "invalid", error
    assert "versions" not in error
    assert (await _hello(client, room, versions=[1]))["type"] == "welcome"


# --- what differs between the versions ---------------------------------------------------


async def _host_and_knock(connect, counselor, room, host_offer: dict) -> tuple[dict, dict]:
    """The host says hello with ``host_offer``; a guest (speaking version 2) knocks. The
    host's first list of waiting guests is sent by its own connection, the one after the
    knock by the guest's, through the channel layer: both ways are returned."""
    host = await connect(counselor)
    welcome = await _hello(host, room, **host_offer)
    assert welcome["type"] == "welcome" and welcome["role"] == "host", welcome
    await host.expect("admitted")
    first = await host.receive()
    await host.expect("status")
    guest = await connect()
    guest_id = (await guest.hello(room))["id"]
    await guest.send({"type": "knock", "name": "Robin"})
    await guest.expect("waiting")
    after_knock = await host.receive()
    assert after_knock["waiting"] == [{"id": guest_id, "name": "Robin"}]
    assert first["waiting"] == []
    return first, after_knock


async def test_version_2_gets_the_waiting_room(connect, counselor, room):
    first, after_knock = await _host_and_knock(connect, counselor, room, {"versions": [1, 2]})
    assert first["type"] == after_knock["type"] == "waiting-room"


@pytest.mark.parametrize("offer", [{"versions": [1]}, {"version": 1}], ids=json.dumps)
async def test_a_version_1_page_still_gets_its_lobby(connect, counselor, room, offer):
    """A host page loaded before the server spoke version 2 (and still open after the
    upgrade) gets the list of waiting guests under its old name, from its own connection
    and from another (the guest's knock), whatever version that other one speaks."""
    first, after_knock = await _host_and_knock(connect, counselor, room, offer)
    assert first["type"] == after_knock["type"] == "lobby"


async def test_the_watch_connection_is_the_same_in_every_version(connect, counselor, room):
    watch = await connect(counselor, path="/ws/watch")
    assert (await watch.expect("watching"))["rooms"] == []
    guest = await connect()
    await guest.hello(room)
    await guest.send({"type": "knock", "name": "Robin"})
    changed = await watch.expect("waiting-changed")
    assert changed["room"]["waiting"][0]["name"] == "Robin"


# --- the translation (rooms/wire.py) ----------------------------------------------------


def test_every_event_has_a_message():
    union = events.Event.__args__
    assert set(union) == set(wire._BUILDERS), "give the new event a builder in rooms/wire.py"


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_every_refusal_has_an_error_code(reason):
    assert wire.CODES[reason] in set(p.ErrorCode)


def test_only_the_waiting_room_differs_between_versions():
    guests = [events.WaitingGuest(id="db584d02d6074a75", name="Robin")]
    text, kind, older = wire.for_layer(events.WaitingRoom(waiting=guests))
    assert kind == "waiting-room" and json.loads(text)["type"] == "waiting-room"
    assert json.loads(older["1"]) == {
        "type": "lobby", "waiting": [{"id": "db584d02d6074a75", "name": "Robin"}]
    }
    assert wire.pick(text, older, 1) == older["1"]
    assert wire.pick(text, older, 2) == text
    text, kind, older = wire.for_layer(events.Left(participant_id="db584d02d6074a75"))
    assert (kind, older) == ("left", None)
    assert wire.pick(text, older, 1) == text
