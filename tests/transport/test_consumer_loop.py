"""The consumers' own loop (transport/consumer.py ``LeanWebsocketConsumer``): one task per
source, and handlers still one at a time, as Channels promises."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from visavis.transport.consumer import LeanWebsocketConsumer

# Channels' websocket_disconnect closes old database connections.
pytestmark = pytest.mark.django_db(transaction=True)


class Probe(LeanWebsocketConsumer):
    """Says its channel name on connect; a client message takes a while to handle."""

    log: list[str]

    async def connect(self):
        await self.accept()
        await self.send(text_data=self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        self.log.append(f"start {text_data}")
        await asyncio.sleep(0.3)
        self.log.append(f"end {text_data}")

    async def probe_event(self, event):
        self.log.append("event")
        await self.send(text_data="event")

    async def probe_fail(self, event):
        raise RuntimeError("a handler failed")


async def _connected(log: list[str]):
    Probe.log = log
    communicator = WebsocketCommunicator(Probe.as_asgi(), "/ws/probe")
    connected, _ = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_from()


async def test_a_layer_message_waits_for_the_handler_that_is_running():
    log: list[str] = []
    communicator, channel = await _connected(log)
    await communicator.send_to(text_data="slow")
    await asyncio.sleep(0.05)  # the slow handler has started
    await get_channel_layer().send(channel, {"type": "probe.event"})
    assert await communicator.receive_from(timeout=2) == "event"
    assert log == ["start slow", "end slow", "event"]
    await communicator.disconnect()


async def test_client_messages_keep_their_order():
    log: list[str] = []
    communicator, _ = await _connected(log)
    for text in ("one", "two"):
        await communicator.send_to(text_data=text)
    await asyncio.sleep(0.8)
    assert log == ["start one", "end one", "start two", "end two"]
    await communicator.disconnect()


async def test_a_failing_handler_ends_the_connection_with_its_error():
    communicator, channel = await _connected([])
    await get_channel_layer().send(channel, {"type": "probe.fail"})
    with pytest.raises(RuntimeError, match="a handler failed"):
        await communicator.wait(timeout=2)
