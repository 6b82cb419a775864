"""What a waiting guest is told (issue 15, items 7 and 11): whether the counselor is
connected at all, updated when they arrive, and that the call is full when it is."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.rooms.test_consumer import admitted_pair

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _nobody_watching():
    cache.clear()
    yield
    cache.clear()


async def test_waiting_says_whether_the_counselor_is_there_and_when_they_arrive(
    connect, counselor, room
):
    guest = await connect()
    await guest.hello(room)
    await guest.send({"type": "knock", "name": "Robin"})
    waiting = await guest.expect("waiting")
    assert waiting["counselor_present"] is False and waiting["call_full"] is False
    # The counselor opens the dashboard: the guest learns it at once.
    watch = await connect(counselor, path="/ws/watch")
    await watch.expect("watching")
    assert (await guest.expect("waiting"))["counselor_present"] is True
    # A second watch connection (the room page) is no news.
    second = await connect(counselor, path="/ws/watch")
    await second.expect("watching")
    assert await guest.silent()
    # Whoever knocks now is told that the counselor is there.
    later = await connect()
    await later.hello(room)
    await later.send({"type": "knock", "name": "Sam"})
    assert (await later.expect("waiting"))["counselor_present"] is True
    await watch.close()
    await second.close()
    last = await connect()
    await last.hello(room)
    await last.send({"type": "knock", "name": "Kai"})
    assert (await last.expect("waiting"))["counselor_present"] is False


async def test_host_in_the_room_counts_as_present(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    await guest.hello(room)
    await guest.send({"type": "knock", "name": "Robin"})
    assert (await guest.expect("waiting"))["counselor_present"] is True


async def test_a_full_call_tells_the_host_and_the_guest_who_waits(
    connect, counselor, room, settings
):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_PARTICIPANTS": 2}
    host, _guest, _host_id, _guest_id = await admitted_pair(connect, counselor, room)
    third = await connect()
    third_id = (await third.hello(room))["id"]
    await third.send({"type": "knock", "name": "Sam"})
    assert (await third.expect("waiting"))["call_full"] is True  # knocked into a full call
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": third_id})
    error = await host.expect("error")
    assert error["code"] == "room-full"
    waiting = await third.expect("waiting")
    assert waiting["call_full"] is True and waiting["counselor_present"] is True
    # Someone leaves the call: the one who waits is told it is no longer full.
    await _guest.send({"type": "leave"})
    waiting = await third.expect("waiting")
    assert waiting["call_full"] is False and waiting["counselor_present"] is True
