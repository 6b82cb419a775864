"""The channel layer of the embedded default (one process): Channels' in-memory layer
with a lighter mailbox per channel and an expiry sweep at most once a second.

- Channels keeps an ``asyncio.Queue`` per channel: four deques, ~3 KB for every open
  connection, which waits on its channel all the time. Here a channel's mailbox is a
  list of messages and the one future its receiver waits on (bench/signalling.py:
  memory per connection).
- Channels' sweep walks every connection's queue and every group each time any
  connection receives a message; with thousands of connections that made relaying
  quadratic. Expiry only matters for messages nobody reads, so a sweep a second keeps
  its purpose.

Groups, capacities, expiry and ``ChannelFull`` behave as in Channels' layer. Several
processes use channels-redis instead.
"""

from __future__ import annotations

import asyncio
import time
from copy import deepcopy

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL_SECONDS = 1.0


class _Mailbox:
    __slots__ = ("messages", "waiter")

    def __init__(self) -> None:
        self.messages: list[tuple[float, dict]] = []  # (expires at, message), oldest first
        self.waiter: asyncio.Future | None = None  # the receiver waiting for a message


class ProcessChannelLayer(InMemoryChannelLayer):
    _swept_at = float("-inf")

    async def send(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        mailbox = self.channels.get(channel)
        if mailbox is None:
            mailbox = self.channels[channel] = _Mailbox()
        if len(mailbox.messages) >= self.get_capacity(channel):
            raise ChannelFull(channel)
        mailbox.messages.append((time.time() + self.expiry, deepcopy(message)))
        if mailbox.waiter is not None and not mailbox.waiter.done():
            mailbox.waiter.set_result(None)

    async def receive(self, channel):
        """The next message of ``channel``; one receiver per channel at a time (every
        consumer reads only its own)."""
        self.require_valid_channel_name(channel)
        self._clean_expired()
        mailbox = self.channels.get(channel)
        if mailbox is None:
            mailbox = self.channels[channel] = _Mailbox()
        if mailbox.waiter is not None:
            raise RuntimeError(f"{channel} already has a receiver")
        try:
            while not mailbox.messages:
                mailbox.waiter = asyncio.get_running_loop().create_future()
                await mailbox.waiter
            return mailbox.messages.pop(0)[1]
        finally:
            mailbox.waiter = None
            if not mailbox.messages and self.channels.get(channel) is mailbox:
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
                if not mailbox.messages and mailbox.waiter is None:
                    del self.channels[channel]
        timeout = int(wall) - self.group_expiry
        for members in self.groups.values():
            for name, joined in list(members.items()):
                if joined and joined < timeout:
                    members.pop(name, None)
