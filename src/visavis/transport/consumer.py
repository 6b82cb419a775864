"""Channels' WebSocket consumer with a leaner loop around the same handlers.

Which private parts of Channels this relies on: the package's docstring
(visavis/transport/__init__.py).
"""

from __future__ import annotations

import asyncio

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer


class LeanWebsocketConsumer(AsyncWebsocketConsumer):
    """``AsyncWebsocketConsumer`` (connect, receive, send, close, layer handlers as in
    Channels) with its own loop:

    - Channels' ``dispatch`` runs ``close_old_connections()`` in the one thread that does
      every database call of the process before handing over each message, whether the
      handler touches the database or not. Relaying a signal never does, so every relayed
      message queued behind other connections' transactions in that thread. A subclass
      must make every database call through ``database_sync_to_async``, which closes old
      connections before and after itself, so nothing is lost by skipping it.
    - Channels waits for the client and the channel layer with ``asyncio.wait`` and a new
      task for every message. Here the client is read in the connection's own task and
      the channel layer in one more, in a task group (either ending ends both), and a
      lock keeps Channels' promise that handlers run one at a time, in arrival order per
      source. Together: a quarter of the server CPU per relayed message, and less
      memory per connection (bench/signalling.py).

    A handler that runs outside the loop (a timer of the subclass) takes ``self._turn``
    to keep that promise too.
    """

    async def __call__(self, scope, receive, send):
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.base_send = send
        self._turn = asyncio.Lock()
        self._disconnected = False
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._take(self._from_layer))
                await self._take(receive)
        except BaseExceptionGroup as ended:
            # StopConsumer is the client going away; any other error is raised as itself.
            errors = [e for e in ended.exceptions if not isinstance(e, StopConsumer)]
            if errors:
                await self._clean_up_after_error()
                raise errors[0] from None

    async def _clean_up_after_error(self) -> None:
        """A handler failed: the connection ends (the server closes it with 1011), and
        what it counted and held is given back as if the client had gone away, not
        left to expire."""
        if not self._disconnected:
            self._disconnected = True
            await self.disconnect(1011)

    async def websocket_disconnect(self, message):
        self._disconnected = True
        await super().websocket_disconnect(message)

    async def _from_layer(self) -> dict:
        return await self.channel_layer.receive(self.channel_name)

    async def _take(self, source) -> None:
        """Hand each message of ``source`` to its handler, one handler at a time;
        ends with StopConsumer (the client went away) or the source's error."""
        while True:
            message = await source()
            async with self._turn:
                await self.dispatch(message)

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)
