"""The Redis channel layer as settings configure it (channels-redis's pub/sub layer
with visavis's mailbox), against a real Redis: two layer instances stand for two server
processes."""

from __future__ import annotations

import asyncio
import secrets
import time

import pytest
import redis
from channels.layers import get_channel_layer
from django.test import AsyncClient

from tests.backends import isolated_redis_url, require_redis
from visavis import config
from visavis.transport.layers import RedisPubSubLayer

# redis-py 8 cuts off any read that takes longer than this by default.
REDIS_READ_TIMEOUT = 5


@pytest.fixture
def url() -> str:
    return isolated_redis_url(require_redis())


@pytest.fixture
def make_layer(url):
    """Layers configured as settings.py configures them, with a prefix of this test's
    own (pub/sub channels are shared by all of a Redis server's databases) and a client
    name that lets the test find their connections."""
    prefix = f"visavis-test-{secrets.token_hex(4)}"

    def make(name: str = "a") -> RedisPubSubLayer:
        settings = config.channel_layer_settings(url)
        assert settings["BACKEND"] == "visavis.transport.layers.RedisPubSubLayer"
        settings["CONFIG"]["prefix"] = prefix
        settings["CONFIG"]["hosts"][0]["client_name"] = f"{prefix}-{name}"
        return RedisPubSubLayer(**settings["CONFIG"])

    make.prefix = prefix
    return make


def _subscribed(url: str, prefix: str) -> list[bytes]:
    with redis.Redis.from_url(url) as client:
        return client.pubsub_channels(f"{prefix}*")


def test_a_message_crosses_from_one_process_to_another(make_layer):
    a, b = make_layer("a"), make_layer("b")

    async def scenario():
        channel = await b.new_channel()
        try:
            await a.send(channel, {"type": "room.deliver", "text": "hello"})
            return await asyncio.wait_for(b.receive(channel), 5)
        finally:
            await a.flush()
            await b.flush()

    assert asyncio.run(scenario()) == {"type": "room.deliver", "text": "hello"}


def test_a_quiet_connection_keeps_waiting_past_the_read_timeout(make_layer):
    """A participant's channel that hears nothing for longer than redis-py's read
    timeout must go on waiting, and then get what is sent to it. (With the list layer
    and redis-py 8's defaults, the waiting read was cut off and the WebSocket with it.)"""
    a, b = make_layer("a"), make_layer("b")
    quiet = REDIS_READ_TIMEOUT + 1.5

    async def scenario():
        channel = await b.new_channel()

        async def send_later():
            await asyncio.sleep(quiet)
            await a.send(channel, {"type": "room.deliver", "text": "late"})

        sender = asyncio.create_task(send_later())
        started = time.monotonic()
        try:
            message = await asyncio.wait_for(b.receive(channel), quiet + 10)
        finally:
            await sender
            await a.flush()
            await b.flush()
        return message, time.monotonic() - started

    message, waited = asyncio.run(scenario())
    assert message == {"type": "room.deliver", "text": "late"}
    assert waited >= quiet


def test_hundreds_of_sends_at_once_all_arrive_in_order(make_layer):
    """Hundreds of participants of one process sending at once, to connections of
    another: nothing is dropped, and each connection gets its messages in order."""
    a, b = make_layer("a"), make_layer("b")

    async def scenario():
        channels = [await b.new_channel() for _ in range(100)]
        try:
            await asyncio.gather(*(
                a.send(channel, {"type": "room.deliver", "text": f"{channel} {i}"})
                for i in range(5) for channel in channels
            ))
            return channels, [
                [(await asyncio.wait_for(b.receive(channel), 5))["text"] for _ in range(5)]
                for channel in channels
            ]
        finally:
            await a.flush()
            await b.flush()

    channels, received = asyncio.run(scenario())
    assert received == [[f"{channel} {i}" for i in range(5)] for channel in channels]


def test_a_group_reaches_members_in_every_process(make_layer):
    """A counselor's watch group: connections in two processes, one message for all."""
    a, b = make_layer("a"), make_layer("b")

    async def scenario():
        in_a, in_b = await a.new_channel(), await b.new_channel()
        await a.group_add("watch-1", in_a)
        await b.group_add("watch-1", in_b)
        try:
            await a.group_send("watch-1", {"type": "watch.deliver", "text": "knock"})
            return [await asyncio.wait_for(layer.receive(channel), 5)
                    for layer, channel in ((a, in_a), (b, in_b))]
        finally:
            await a.flush()
            await b.flush()

    assert asyncio.run(scenario()) == [{"type": "watch.deliver", "text": "knock"}] * 2


def test_the_process_hears_again_after_redis_drops_its_connection(make_layer, url):
    """Redis closing the connection a process listens on (a restart, a network blip)
    must not leave the process deaf: it reconnects, subscribes again, and messages sent
    after that arrive. (What was sent in between may be lost: the client repairs it.)"""
    a, b = make_layer("a"), make_layer("b")

    async def scenario():
        channel = await b.new_channel()
        await a.send(channel, {"type": "room.deliver", "text": "before"})
        assert (await asyncio.wait_for(b.receive(channel), 5))["text"] == "before"
        with redis.Redis.from_url(url) as client:
            listening = [c["id"] for c in client.client_list()
                         if c["name"] == f"{make_layer.prefix}-b" and c["sub"] != "0"]
            assert listening, "the test could not find b's subscriber connection"
            for client_id in listening:
                client.client_kill_filter(_id=client_id)
        # Like a consumer, one receive waits throughout (a cancelled one unsubscribes).
        receiving = asyncio.create_task(b.receive(channel))
        try:
            deadline = time.monotonic() + 15
            while not receiving.done() and time.monotonic() < deadline:
                await a.send(channel, {"type": "room.deliver", "text": "after"})
                await asyncio.wait([receiving], timeout=0.5)
            return receiving.result()["text"] if receiving.done() else None
        finally:
            receiving.cancel()
            await a.flush()
            await b.flush()

    assert asyncio.run(scenario()) == "after"


def test_a_connection_that_ends_leaves_no_subscription(make_layer, url):
    """A consumer ends by having its receive cancelled; its channel's subscription must
    go with it, or every connection ever made would stay subscribed."""
    b = make_layer("b")

    async def scenario():
        channel = await b.new_channel()
        subscribed = _subscribed(url, make_layer.prefix)
        receiving = asyncio.create_task(b.receive(channel))
        await asyncio.sleep(0.1)
        receiving.cancel()
        await asyncio.gather(receiving, return_exceptions=True)
        try:
            return subscribed, _subscribed(url, make_layer.prefix)
        finally:
            await b.flush()

    subscribed, after = asyncio.run(scenario())
    assert len(subscribed) == 1
    assert after == []


@pytest.mark.django_db
async def test_health_checks_leave_no_subscription(make_layer, url, settings):
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "visavis.transport.layers.RedisPubSubLayer",
        "CONFIG": {"hosts": [{"address": url}], "prefix": make_layer.prefix},
    }}
    try:
        for _ in range(3):
            response = await AsyncClient().get("/healthz")
            assert response.json()["channel_layer"] == "ok"
        assert _subscribed(url, make_layer.prefix) == []
    finally:
        await get_channel_layer().flush()
