"""A client page that is reloaded or opened again during the call (issue 15, item 2):
it resumes its place with ``rejoin``, and the others replace its tile, never add one."""

from __future__ import annotations

import pytest

from tests.rooms.test_consumer import OFFER, admitted_pair

pytestmark = pytest.mark.django_db(transaction=True)


async def test_rejoin_tells_the_others_left_then_joined_with_the_same_id(
    connect, counselor, room
):
    host, guest, host_id, guest_id = await admitted_pair(connect, counselor, room)
    await guest.close()
    back = await connect()
    await back.send(
        {"type": "hello", "version": 1, "room": room, "resume": guest.token, "rejoin": True}
    )
    welcome = await back.expect("welcome")
    assert welcome["id"] == guest_id and welcome["resumed"] is True
    assert welcome["state"] == "admitted"
    assert welcome["resume_grace"] == 60
    assert (await back.expect("admitted"))["peers"][0]["id"] == host_id
    # One person, one tile: the host drops the old media connection and starts afresh.
    assert (await host.expect("left"))["id"] == guest_id
    joined = await host.expect("joined")
    assert joined["peer"] == {"id": guest_id, "name": "Robin", "role": "guest"}
    await back.send({"type": "signal", "to": host_id, "data": OFFER})
    assert (await host.expect("signal"))["from"] == guest_id
    await host.send({"type": "signal", "to": guest_id, "data": OFFER})
    assert (await back.expect("signal"))["from"] == host_id


async def test_rejoin_of_a_waiting_guest_tells_nobody(connect, counselor, room):
    host, _guest, _host_id, _guest_id = await admitted_pair(connect, counselor, room)
    waiting = await connect()
    waiting_id = (await waiting.hello(room))["id"]
    await waiting.send({"type": "knock", "name": "Sam"})
    await waiting.expect("waiting")
    await host.expect("waiting-room")
    await waiting.close()
    back = await connect()
    await back.send(
        {"type": "hello", "version": 1, "room": room, "resume": waiting.token, "rejoin": True}
    )
    welcome = await back.expect("welcome")
    assert welcome["id"] == waiting_id and welcome["state"] == "waiting"
    await back.expect("waiting")
    assert await host.silent()
