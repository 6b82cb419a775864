"""The waiting room both ways (issue 21, item 2): a waiting guest answers the host with a
prepared message or a short text, live, rate-limited, never stored."""

from __future__ import annotations

import pytest

from tests.rooms.test_moderation import in_call
from visavis.rooms import limits
from visavis.rooms.models import Participant, RoomState

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "My train is late, I will join from my phone."


async def test_the_host_gets_the_answer_live_and_nothing_is_kept(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")

    await guest.send({"type": "reply", "preset": "two-minutes"})
    assert await host.expect("waiting-reply") == {
        "type": "waiting-reply", "id": guest_id, "preset": "two-minutes",
    }
    await guest.send({"type": "reply", "text": f"  {SECRET} "})
    assert await host.expect("waiting-reply") == {
        "type": "waiting-reply", "id": guest_id, "text": SECRET,
    }
    assert await guest.silent()

    def stored() -> list[str]:
        rows = [repr(vars(p)) for p in Participant.objects.all()]
        return rows + [repr(vars(s)) for s in RoomState.objects.all()]

    from tests.rooms.conftest import db

    assert not any(SECRET in row for row in await db(stored)())


async def test_bad_answers_are_refused_and_reach_nobody(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    await guest.knock(room)
    await host.expect("waiting-room")
    for bad in [
        {"type": "reply"},
        {"type": "reply", "preset": "here", "text": "both"},
        {"type": "reply", "preset": "come-in-now"},
        {"type": "reply", "text": "   "},
        {"type": "reply", "text": "x" * 141},
        {"type": "reply", "text": 5},
        {"type": "reply", "text": "hi", "to": "someone"},
    ]:
        await guest.send(bad)
        assert (await guest.expect("error"))["code"] == "invalid", bad
    assert await host.silent()


async def test_only_a_waiting_guest_answers(connect, counselor, room):
    host, guest, _ = await in_call(connect, counselor, room)
    await guest.send({"type": "reply", "preset": "here"})
    assert (await guest.expect("error"))["code"] == "bad-state"
    await host.send({"type": "reply", "preset": "here"})
    assert (await host.expect("error"))["code"] == "bad-state"
    before = await connect()
    await before.hello(room)  # in the lobby: has not knocked
    await before.send({"type": "reply", "preset": "here"})
    assert (await before.expect("error"))["code"] == "bad-state"
    assert await host.silent()


async def test_answers_are_limited_per_guest(connect, counselor, room):
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    await guest.knock(room)
    await host.expect("waiting-room")
    for _ in range(limits.REPLIES_PER_MINUTE):
        await guest.send({"type": "reply", "preset": "here"})
        await host.expect("waiting-reply")
    await guest.send({"type": "reply", "preset": "here"})
    assert (await guest.expect("error"))["code"] == "too-many-replies"
    assert await host.silent()
    # Another guest has an allowance of their own.
    other = await connect()
    await other.knock(room, "Sam")
    await host.expect("waiting-room")
    await other.send({"type": "reply", "preset": "audio-only"})
    assert (await host.expect("waiting-reply"))["preset"] == "audio-only"


async def test_without_the_host_in_the_room_the_guest_is_told(connect, counselor, room):
    guest = await connect()
    await guest.knock(room)
    await guest.send({"type": "reply", "preset": "here"})
    assert (await guest.expect("error"))["code"] == "host-absent"
    # The knock stands: the guest still waits and can answer once the host is there.
    host = await connect(counselor)
    await host.enter_as_host(room)
    await guest.send({"type": "reply", "preset": "here"})
    assert (await host.expect("waiting-reply"))["preset"] == "here"
