"""The room WebSocket: parses each message, calls one room service, sends what it returns.

No room state is kept here beyond this connection's participant id; everything
else is in the database, and other connections are reached through the channel
layer, so any process may serve any participant.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from visavis.rooms import protocol as p
from visavis.rooms import services

log = logging.getLogger(__name__)


class RoomConsumer(AsyncWebsocketConsumer):
    participant_id: str | None = None

    async def connect(self):
        await self.accept()

    async def disconnect(self, code):
        if self.participant_id:
            deliveries = await database_sync_to_async(services.leave)(
                participant_id=self.participant_id
            )
            self.participant_id = None
            await self._deliver(deliveries)

    async def receive(self, text_data=None, bytes_data=None):
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
            return [services.Delivery(self.channel_name, p.Pong(type="pong"))]
        if isinstance(message, p.Hello):
            return await self._hello(message)
        if self.participant_id is None:
            raise p.ProtocolError(p.ErrorCode.HELLO_FIRST, "say hello first")
        me = self.participant_id
        call = database_sync_to_async
        match message:
            case p.Knock(name=name):
                return await call(services.knock)(participant_id=me, name=name)
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
        participant, deliveries = await database_sync_to_async(services.join)(
            room_token=message.room, user=self.scope.get("user"), channel_name=self.channel_name
        )
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
                await self.channel_layer.send(
                    delivery.channel,
                    {"type": "room.deliver", "text": p.encode(delivery.message),
                     "close": delivery.close},
                )

    async def _send(self, message) -> None:
        await self.send(text_data=p.encode(message))

    async def room_deliver(self, event) -> None:
        """A message for this connection, sent by a service acting for someone else."""
        await self.send(text_data=event["text"])
        if event.get("close"):
            self.participant_id = None  # the service already took us out of the room
            await self.close()
