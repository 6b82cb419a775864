"""Protocol version negotiation (issue 17, point 4): the client offers the versions it
speaks, the server picks the highest it speaks too, and says so in ``welcome``; with
none in common the client is told which versions the server speaks (docs/protocol.md,
*Handshake and version*). A page loaded before an upgrade thus reconnects, or learns
that it must be reloaded."""

from __future__ import annotations

import json

import pytest

from visavis.rooms import protocol as p

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


def test_the_server_speaks_version_1():
    assert sorted(p.SUPPORTED_VERSIONS) == [1]
    assert p.PROTOCOL_VERSION in p.SUPPORTED_VERSIONS


# --- over the WebSocket -----------------------------------------------------------------


async def _hello(client, room, **offer) -> dict:
    await client.send({"type": "hello", "room": room, **offer})
    return await client.receive()


@pytest.mark.parametrize("offer", [[1], [1, 2], [2, 1]], ids=str)
async def test_offered_versions_get_a_welcome_with_the_chosen_one(connect, room, offer):
    client = await connect()
    welcome = await _hello(client, room, versions=offer)
    assert welcome["type"] == "welcome", welcome
    assert welcome["version"] == 1


async def test_the_host_too_gets_the_chosen_version(connect, counselor, room):
    host = await connect(counselor)
    welcome = await _hello(host, room, versions=[1, 2])
    assert welcome["type"] == "welcome" and welcome["role"] == "host"
    assert welcome["version"] == 1


async def test_a_resume_with_offered_versions_gets_the_chosen_one(connect, room):
    first = await connect()
    welcome = await _hello(first, room, versions=[1])
    await first.send({"type": "knock", "name": "Robin"})
    await first.expect("waiting")
    await first.close()
    back = await connect()
    again = await _hello(back, room, versions=[1, 2], resume=welcome["resume"])
    assert again["type"] == "welcome" and again["resumed"] is True
    assert again["id"] == welcome["id"] and again["version"] == 1


async def test_no_common_version_is_an_error_listing_the_servers_versions(connect, room):
    client = await connect()
    error = await _hello(client, room, versions=[2])
    assert error["type"] == "error"
    assert error["code"] == "version"
    assert error["versions"] == [1]
    assert "1" in error["message"]
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
    error = await _hello(client, room, version=2)
    assert error["code"] == "version" and error["versions"] == [1]


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
