"""The room WebSocket: parses each message, calls one room service, sends what it returns.

No room state is kept here beyond this connection's participant id; everything
else is in the database, and other connections are reached through the channel
layer, so any process may serve any participant.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from visavis.rooms import limits, services
from visavis.rooms import protocol as p

log = logging.getLogger(__name__)


async def deliver_elsewhere(channel_layer, delivery: services.Delivery) -> None:
    """Send to another connection. One that dropped may not take messages any more;
    that must never break the connection that is sending."""
    try:
        await channel_layer.send(
            delivery.channel,
            {"type": "room.deliver", "text": p.encode(delivery.message), "close": delivery.close},
        )
    except ChannelFull:
        log.warning("a participant's connection is not reading; a message was dropped")


async def _expire_later(channel_layer, participant_id: str, since) -> None:
    await asyncio.sleep(services.resume_grace().total_seconds() + 1)
    deliveries = await database_sync_to_async(services.expire)(
        participant_id=participant_id, disconnected_at=since
    )
    for delivery in deliveries:
        await deliver_elsewhere(channel_layer, delivery)


class RoomConsumer(AsyncWebsocketConsumer):
    participant_id: str | None = None
    # The limits this connection counts against (rooms/limits.py), released on disconnect.
    address: str | None = None
    room_key: str | None = None

    async def connect(self):
        await self.accept()
        self.bucket = limits.message_bucket()
        address = limits.client_address(self.scope)
        if not limits.ADDRESSES.acquire(address, settings.VISAVIS["MAX_CONNECTIONS_PER_ADDRESS"]):
            await self._send(p.Error(
                type="error", code=p.ErrorCode.TOO_MANY_CONNECTIONS,
                message="too many connections from this address",
            ))
            await self.close(code=1008)
            return
        self.address = address

    async def disconnect(self, code):
        if self.address is not None:
            limits.ADDRESSES.release(self.address)
            self.address = None
        if self.room_key is not None:
            limits.ROOMS.release(self.room_key)
            self.room_key = None
        if not self.participant_id:
            return
        participant_id, self.participant_id = self.participant_id, None
        since, deliveries = await database_sync_to_async(services.connection_lost)(
            participant_id=participant_id, channel_name=self.channel_name
        )
        await self._deliver(deliveries)
        if since is not None:
            # Keep the place for the grace period; if this process dies first, the next
            # join to the room expires the participant instead.
            asyncio.get_running_loop().create_task(
                _expire_later(self.channel_layer, participant_id, since)
            )

    async def receive(self, text_data=None, bytes_data=None):
        if self.address is None:
            return  # refused at connect, closing
        if not self.bucket.take():
            await self._send(p.Error(
                type="error", code=p.ErrorCode.TOO_MANY_MESSAGES,
                message="too many messages; slow down",
            ))
            return
        try:
            message = p.parse_client(
                text_data if text_data is not None else bytes_data or b"",
                max_bytes=settings.VISAVIS["WS_MAX_MESSAGE_BYTES"],
            )
            deliveries = await self._handle(message)
        except p.ProtocolError as exc:
            await self._send(exc.reply())
            return
        await self._deliver(deliveries)

    async def _handle(self, message) -> list[services.Delivery]:
        if isinstance(message, p.Ping):
            if self.participant_id:
                await database_sync_to_async(services.touch)(participant_id=self.participant_id)
            return [services.Delivery(self.channel_name, p.Pong(type="pong"))]
        if isinstance(message, p.Hello):
            return await self._hello(message)
        if self.participant_id is None:
            raise p.ProtocolError(p.ErrorCode.HELLO_FIRST, "say hello first")
        me = self.participant_id
        call = database_sync_to_async
        match message:
            case p.Knock(name=name):
                if not limits.KNOCKS.allow(self.address, settings.VISAVIS["KNOCKS_PER_MINUTE"]):
                    raise p.ProtocolError(
                        p.ErrorCode.TOO_MANY_KNOCKS, "too many knocks; try again in a minute"
                    )
                return await call(services.knock)(
                    participant_id=me, name=name, session=self.scope.get("session")
                )
            case p.Admit(id=target):
                return await call(services.admit)(actor_id=me, target_id=target)
            case p.Deny(id=target):
                return await call(services.deny)(actor_id=me, target_id=target)
            case p.SignalOut(to=to, data=data):
                return await call(services.relay_signal)(sender_id=me, to=to, data=data)
            case p.Leave():
                # The client closes the socket itself; closing from here as well would
                # race its close frame, so only forget the participant.
                self.participant_id = None
                return await call(services.leave)(participant_id=me)
        raise p.ProtocolError(p.ErrorCode.UNKNOWN_TYPE, "unknown message type")

    async def _hello(self, message: p.Hello) -> list[services.Delivery]:
        if self.participant_id is not None:
            raise p.ProtocolError(p.ErrorCode.BAD_STATE, "hello was already said")
        if message.version != p.PROTOCOL_VERSION:
            raise p.ProtocolError(
                p.ErrorCode.VERSION, f"this server speaks version {p.PROTOCOL_VERSION}"
            )
        if self.room_key is not None:  # hello again after a leave
            limits.ROOMS.release(self.room_key)
            self.room_key = None
        if not limits.ROOMS.acquire(message.room, settings.VISAVIS["MAX_CONNECTIONS_PER_ROOM"]):
            raise p.ProtocolError(
                p.ErrorCode.TOO_MANY_IN_ROOM, "too many connections to this room"
            )
        try:
            participant, deliveries = await database_sync_to_async(services.join)(
                room_token=message.room,
                user=self.scope.get("user"),
                channel_name=self.channel_name,
                resume=message.resume,
            )
        except BaseException:
            limits.ROOMS.release(message.room)
            raise
        self.room_key = message.room
        self.participant_id = participant.id
        log.info("participant joined a room as %s", participant.role)
        return deliveries

    async def _deliver(self, deliveries: list[services.Delivery]) -> None:
        for delivery in deliveries:
            if delivery.channel == self.channel_name:
                await self._send(delivery.message)
                if delivery.close:
                    self.participant_id = None
                    await self.close()
            else:
                await deliver_elsewhere(self.channel_layer, delivery)

    async def _send(self, message) -> None:
        await self.send(text_data=p.encode(message))

    async def room_deliver(self, event) -> None:
        """A message for this connection, sent by a service acting for someone else."""
        await self.send(text_data=event["text"])
        if event.get("close"):
            self.participant_id = None  # the service already took us out of the room
            await self.close()
