"""The channel layer of one process (transport/layers.py): Channels' in-memory layer with a
lighter mailbox, held to the same behaviour."""

from __future__ import annotations

import asyncio

import pytest
from channels.exceptions import ChannelFull

from visavis.transport import layers as layer

CHANNEL = "specific.inmemory!abc"


@pytest.fixture
def channels():
    return layer.ProcessChannelLayer(expiry=60, capacity=3)


async def test_messages_arrive_in_order_and_as_copies(channels):
    sent = {"type": "t", "routes": ["a"]}
    await channels.send(CHANNEL, sent)
    await channels.send(CHANNEL, {"type": "u"})
    sent["routes"].append("b")
    assert await channels.receive(CHANNEL) == {"type": "t", "routes": ["a"]}
    assert await channels.receive(CHANNEL) == {"type": "u"}
    assert channels.channels == {}  # nothing kept for a channel with nothing waiting


async def test_a_waiting_receiver_gets_the_next_message(channels):
    receiving = asyncio.create_task(channels.receive(CHANNEL))
    await asyncio.sleep(0)
    assert not receiving.done()
    await channels.send(CHANNEL, {"type": "t"})
    assert await asyncio.wait_for(receiving, 1) == {"type": "t"}
    assert channels.channels == {}


async def test_a_cancelled_receiver_leaves_nothing_behind(channels):
    receiving = asyncio.create_task(channels.receive(CHANNEL))
    await asyncio.sleep(0)
    receiving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await receiving
    assert channels.channels == {}
    await channels.send(CHANNEL, {"type": "t"})  # and the channel still works
    assert await channels.receive(CHANNEL) == {"type": "t"}


async def test_a_second_receiver_on_one_channel_is_refused(channels):
    receiving = asyncio.create_task(channels.receive(CHANNEL))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already has a receiver"):
        await channels.receive(CHANNEL)
    await channels.send(CHANNEL, {"type": "t"})
    assert await asyncio.wait_for(receiving, 1) == {"type": "t"}


async def test_a_full_channel_refuses_more(channels):
    for _ in range(3):
        await channels.send(CHANNEL, {"type": "t"})
    with pytest.raises(ChannelFull):
        await channels.send(CHANNEL, {"type": "t"})


async def test_group_send_reaches_every_member(channels):
    await channels.group_add("room", "specific.inmemory!a")
    await channels.group_add("room", "specific.inmemory!b")
    await channels.group_send("room", {"type": "t"})
    assert await channels.receive("specific.inmemory!a") == {"type": "t"}
    assert await channels.receive("specific.inmemory!b") == {"type": "t"}


async def test_expired_messages_are_swept_at_most_once_a_second(channels, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(layer.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(layer.time, "time", lambda: clock[0])
    await channels.group_add("room", CHANNEL)
    await channels.send(CHANNEL, {"type": "old"})
    channels._clean_expired()  # the first sweep: nothing is old yet
    clock[0] += 61  # the message has expired …
    channels._swept_at = clock[0] - 0.5  # … but the last sweep was half a second ago
    channels._clean_expired()
    assert CHANNEL in channels.channels
    clock[0] += 0.6
    channels._clean_expired()
    assert channels.channels == {}
    # As in Channels: a channel that let a message expire has left its groups.
    assert channels.groups.get("room", {}) == {}
