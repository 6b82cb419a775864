"""visavis's channel layers: Channels' and channels-redis's, with a lighter mailbox.

Every open connection waits on a channel of its own all the time. Channels' in-memory
layer and channels-redis's pub/sub layer give each channel an ``asyncio.Queue``: four
deques, ~3 KB per connection, for a mailbox that mostly holds nothing. Here it is a
list and the one future its receiver waits on (bench/signalling.py: memory per
connection).

- ``ProcessChannelLayer``, the embedded default (one process): Channels' in-memory
  layer with that mailbox, and an expiry sweep at most once a second. Channels' sweep
  walks every connection's queue and every group each time any connection receives a
  message; with thousands of connections that made relaying quadratic. Expiry only
  matters for messages nobody reads, so a sweep a second keeps its purpose. Groups,
  capacities, expiry and ``ChannelFull`` behave as in Channels' layer.
- ``RedisPubSubLayer``, several processes: channels-redis's pub/sub layer with that
  mailbox (config.channel_layer_settings says why pub/sub).

Which private parts of Channels and channels-redis these rely on: the package's
docstring (visavis/transport/__init__.py).
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis import pubsub

SWEEP_INTERVAL_SECONDS = 1.0


class Mailbox:
    """A channel's messages, oldest first, and the receiver waiting for the next one.
    One receiver at a time: every consumer reads only its own channel."""

    __slots__ = ("messages", "waiter")

    def __init__(self) -> None:
        self.messages: list = []
        self.waiter: asyncio.Future | None = None

    def put_nowait(self, message) -> None:
        self.messages.append(message)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self):
        if self.waiter is not None:
            raise RuntimeError("this channel already has a receiver")
        try:
            while not self.messages:
                self.waiter = asyncio.get_running_loop().create_future()
                await self.waiter
            return self.messages.pop(0)
        finally:
            self.waiter = None

    def idle(self) -> bool:
        """Nothing waiting in it and nobody waiting on it: it can go."""
        return not self.messages and self.waiter is None


class ProcessChannelLayer(InMemoryChannelLayer):
    _swept_at = float("-inf")

    def _mailbox(self, channel: str) -> Mailbox:
        mailbox = self.channels.get(channel)
        if mailbox is None:
            mailbox = self.channels[channel] = Mailbox()
        return mailbox

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        mailbox = self._mailbox(channel)
        if len(mailbox.messages) >= self.get_capacity(channel):
            raise ChannelFull(channel)
        mailbox.put_nowait((time.time() + self.expiry, deepcopy(message)))

    async def receive(self, channel):
        self.require_valid_channel_name(channel)
        self._clean_expired()
        mailbox = self._mailbox(channel)
        try:
            return (await mailbox.get())[1]
        finally:
            if mailbox.idle() and self.channels.get(channel) is mailbox:
                del self.channels[channel]

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_SECONDS:
            return
        self._swept_at = now
        wall = time.time()
        for channel, mailbox in list(self.channels.items()):
            messages = mailbox.messages
            if messages and messages[0][0] < wall:
                # As in Channels: a channel that let a message expire leaves its groups.
                mailbox.messages = [m for m in messages if m[0] >= wall]
                self._remove_from_groups(channel)
                if mailbox.idle():
                    del self.channels[channel]
        timeout = int(wall) - self.group_expiry
        for members in self.groups.values():
            for name, joined in list(members.items()):
                if joined and joined < timeout:
                    members.pop(name, None)


class _RedisPubSubLoopLayer(pubsub.RedisPubSubLoopLayer):
    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = Mailbox()
        await self._get_shard(channel).subscribe(channel)


class RedisPubSubLayer(pubsub.RedisPubSubChannelLayer):
    """channels-redis's pub/sub layer; only the mailbox differs (channels-redis makes
    one layer per event loop: the same here, with the lighter mailbox)."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _RedisPubSubLoopLayer(
                *self._args, **self._kwargs, channel_layer=self
            )
            pubsub._wrap_close(self, loop)
        return layer
