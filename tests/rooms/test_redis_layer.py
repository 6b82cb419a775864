"""The Redis channel layer as settings configure it, against a real Redis."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels_redis.core import RedisChannelLayer

from tests.backends import isolated_redis_url, require_redis
from visavis import config


@pytest.fixture
def layer() -> RedisChannelLayer:
    """A Redis channel layer configured as settings.py configures it, on a real Redis."""
    url = isolated_redis_url(require_redis())
    return RedisChannelLayer(**config.channel_layer_settings(url)["CONFIG"])


def test_a_quiet_connection_keeps_waiting_past_the_blocking_pop(layer):
    """A participant's channel that hears nothing for longer than channels-redis's
    blocking pop (5 s) must go on waiting, and then get what is sent to it.

    With redis-py 8's default read timeout (also 5 s) the read was cut off with
    ``redis.exceptions.TimeoutError``, which ended the waiting WebSocket.
    """
    quiet = layer.brpop_timeout + 2

    async def scenario():
        channel = await layer.new_channel()

        async def send_later():
            await asyncio.sleep(quiet)
            await layer.send(channel, {"type": "room.deliver", "text": "late"})

        sender = asyncio.create_task(send_later())
        started = time.monotonic()
        try:
            message = await asyncio.wait_for(layer.receive(channel), quiet + 10)
        finally:
            await sender
            await layer.flush()
        return message, time.monotonic() - started

    message, waited = asyncio.run(scenario())
    assert message == {"type": "room.deliver", "text": "late"}
    assert waited >= quiet


def test_hundreds_of_sends_at_once_all_arrive(layer):
    """A burst of sends from one process (hundreds of participants at once) must not
    fail for want of a pooled Redis connection (redis-py 8 caps pools at 100)."""

    async def scenario():
        channels = [await layer.new_channel() for _ in range(300)]
        try:
            await asyncio.gather(*(
                layer.send(channel, {"type": "room.deliver", "text": channel})
                for channel in channels
            ))
            return [(await layer.receive(channel))["text"] for channel in channels], channels
        finally:
            await layer.flush()

    received, channels = asyncio.run(scenario())
    assert received == channels


def test_a_busy_process_gets_every_message(layer):
    """channels-redis counts all waiting messages of a process's connections against
    one capacity; hundreds waiting at once (calls setting up together) must all arrive
    rather than be dropped as ChannelFull."""

    async def scenario():
        channels = [await layer.new_channel() for _ in range(300)]
        try:
            for channel in channels:  # one after the other: all wait in Redis together
                await layer.send(channel, {"type": "room.deliver", "text": channel})
            return [(await layer.receive(channel))["text"] for channel in channels], channels
        finally:
            await layer.flush()

    received, channels = asyncio.run(scenario())
    assert received == channels
