"""The room WebSocket: parses each message, calls one room service, sends what it returns.

What a service returns are domain events (rooms/events.py) and what it raises are domain
errors (rooms/errors.py); rooms/wire.py says them in the protocol version this connection
chose in ``hello``. No room state is kept here beyond this connection's participant id,
its version and a cache of its call's members for relaying (rooms/relaycache.py);
everything else is in the database, and other connections are reached through the
channel layer, so any process may serve any participant. The receive loop and the
channel layers are transport (visavis/transport/).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from django.conf import settings

from visavis.rooms import limits, services, turn, wire
from visavis.rooms import protocol as p
from visavis.rooms.errors import RoomError
from visavis.rooms.relaycache import RelayCache
from visavis.transport.consumer import LeanWebsocketConsumer

log = logging.getLogger(__name__)

# The close code uvicorn gives every connection when the server stops.
SERVICE_RESTART = 1012
# A counselor's watch connections count as "present" this long without a ping (three
# missed pings); a process that dies cannot leave them counted for longer.
PRESENCE_TTL_SECONDS = 3 * limits.CLIENT_PING_SECONDS


async def deliver_elsewhere(channel_layer, delivery: services.Delivery) -> None:
    """Send to another connection, or to a counselor's watch group. One that dropped may
    not take messages any more; that must never break the connection that is sending.

    The event goes as text (rooms/wire.py ``for_layer``): the receiving connection picks
    the text of the protocol version it speaks. Watch connections have no version and
    get the newest."""
    if delivery.group:
        text, _kind, _older = wire.for_layer(delivery.event)
        try:
            await channel_layer.group_send(
                delivery.channel, {"type": "watch.deliver", "text": text}
            )
        except ChannelFull:
            log.warning("a watch connection is not reading; a message was dropped")
        return
    text = kind = older = None
    if delivery.event is not None:
        text, kind, older = wire.for_layer(delivery.event)
    layer_message = {
        "type": "room.deliver",
        "text": text,
        "kind": kind,
        "routes": delivery.routes,
        "close": delivery.close,
    }
    if older:
        layer_message["older"] = older
    try:
        await channel_layer.send(delivery.channel, layer_message)
    except ChannelFull:
        log.warning("a participant's connection is not reading; a message was dropped")


async def _expire_later(channel_layer, participant_id: str, since) -> None:
    await asyncio.sleep(services.resume_grace().total_seconds() + 1)
    deliveries = await database_sync_to_async(services.expire)(
        participant_id=participant_id, disconnected_at=since
    )
    for delivery in deliveries:
        await deliver_elsewhere(channel_layer, delivery)


class RoomConsumer(LeanWebsocketConsumer):
    participant_id: str | None = None
    # The protocol version this connection chose in hello (rooms/wire.py speaks it).
    version: int | None = None
    # One connection is one participant: a second hello, also after a leave, is refused.
    said_hello = False
    # The limits this connection counts against (rooms/limits.py), released on disconnect.
    address: str | None = None
    room_key: str | None = None
    # The group of the counselor's account ("log out everywhere"), for a host connection.
    account: str | None = None
    # The timer that renews this participant's TURN credentials while in the call.
    ice_renewal: asyncio.Task | None = None

    async def connect(self):
        await self.accept()
        self.bucket = limits.message_bucket()
        self.relay_cache = RelayCache()
        address = limits.client_address(self.scope)
        if not await limits.open_connection(address, self.channel_name):
            await self._send(p.Error(
                type="error", code=p.ErrorCode.TOO_MANY_CONNECTIONS,
                message="too many connections from this address",
            ))
            await self.close(code=1008)
            return
        self.address = address

    async def disconnect(self, code):
        self._stop_ice_renewal()
        await self._leave_account_group()
        if self.address is not None:
            await limits.close_connection(self.address, self.channel_name)
            self.address = None
        if self.room_key is not None:
            await limits.exit_room(self.room_key, self.channel_name)
            self.room_key = None
        if not self.participant_id:
            return
        participant_id, self.participant_id = self.participant_id, None
        if code == SERVICE_RESTART:
            # This process is stopping (uvicorn closes every connection with 1012): the
            # client reconnects at once and resumes its place on a process that goes on.
            # No database work here: with thousands of connections it would not end
            # within the shutdown grace; a place nobody resumes ends by its heartbeat.
            return
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
        except RoomError as exc:
            await self._send(wire.error(exc))
            return
        await self._deliver(deliveries)

    async def _handle(self, message) -> list[services.Delivery]:
        if isinstance(message, p.Ping):
            await limits.still_here(self.address, self.room_key, self.channel_name)
            if self.participant_id:
                await database_sync_to_async(services.touch)(participant_id=self.participant_id)
            await self._send(p.Pong(type="pong"))
            return []
        if isinstance(message, p.Hello):
            return await self._hello(message)
        if self.participant_id is None:
            raise p.ProtocolError(p.ErrorCode.HELLO_FIRST, "say hello first")
        me = self.participant_id
        call = database_sync_to_async
        match message:
            case p.Knock(name=name):
                if not await limits.allow_knock(self.address):
                    raise p.ProtocolError(
                        p.ErrorCode.TOO_MANY_KNOCKS, "too many knocks; try again in a minute"
                    )
                return await call(services.knock)(
                    participant_id=me, name=name, browser_session=self.scope.get("session")
                )
            case p.Admit(id=target):
                return await call(services.admit)(actor_id=me, target_id=target)
            case p.Deny(id=target, message=text):
                return await call(services.deny)(actor_id=me, target_id=target, message=text)
            case p.SendBack(id=target):
                return await call(services.send_back)(actor_id=me, target_id=target)
            case p.Remove(id=target):
                return await call(services.remove)(actor_id=me, target_id=target)
            case p.Lock():
                return await call(services.set_locked)(actor_id=me, locked=True)
            case p.Unlock():
                return await call(services.set_locked)(actor_id=me, locked=False)
            case p.SetNote(text=text):
                return await call(services.set_note)(actor_id=me, text=text)
            case p.Reply(preset=preset, text=text):
                if not await limits.allow_reply(me):
                    raise p.ProtocolError(
                        p.ErrorCode.TOO_MANY_REPLIES, "too many replies; wait a minute"
                    )
                return await call(services.reply)(participant_id=me, preset=preset, text=text)
            case p.End():
                return await call(services.end)(actor_id=me)
            case p.SignalOut(to=to, data=data):
                return [await self._signal(to, data)]
            case p.Leave():
                # The client closes the socket itself; closing from here as well would
                # race its close frame, so only forget the participant.
                self.participant_id = None
                self._stop_ice_renewal()
                return await call(services.leave)(participant_id=me)
        raise p.ProtocolError(p.ErrorCode.UNKNOWN_TYPE, "unknown message type")

    async def _hello(self, message: p.Hello) -> list[services.Delivery]:
        if self.said_hello:
            raise p.ProtocolError(
                p.ErrorCode.BAD_STATE, "hello was already said; open a new connection"
            )
        version = p.negotiate(message)
        counted = await self._count_in_room(message.room)
        try:
            participant, deliveries = await database_sync_to_async(services.join)(
                room_token=message.room,
                user=self.scope.get("user"),
                channel_name=self.channel_name,
                resume=message.resume,
                rejoin=message.rejoin,
            )
        except BaseException:
            if counted:
                await limits.exit_room(message.room, self.channel_name)
            raise
        self.said_hello = True
        self.version = version
        self.room_key = message.room if counted else None
        self.participant_id = participant.id
        await self._join_account_group()
        log.info("participant joined a room as %s", participant.role)
        return deliveries

    async def _count_in_room(self, room: str) -> bool:
        """Count this connection against the room's cap, unless it is the room's host:
        the role is decided first, so that guests' connections (or anyone's with the
        link) can never lock the counselor out of their own room. Returns whether it
        counted."""
        owner = await database_sync_to_async(services.owns_room)(
            room_token=room, user=self.scope.get("user")
        )
        if owner:
            return False
        if not await limits.enter_room(room, self.channel_name):
            raise p.ProtocolError(
                p.ErrorCode.TOO_MANY_IN_ROOM, "too many connections to this room"
            )
        return True

    async def _signal(self, to: str, data: p.SignalData) -> services.Delivery:
        """Relay to another member of the call: from what this connection knows of the
        call, or, when that is nothing or does not know ``to``, from the database."""
        channel = self.relay_cache.channel_of(to)
        if channel is None:
            self.relay_cache.learn(await database_sync_to_async(services.call_peers)(
                participant_id=self.participant_id
            ))
            channel = self.relay_cache.channel_of(to)
        if channel is None:
            raise p.ProtocolError(
                p.ErrorCode.NO_SUCH_PARTICIPANT, "no such participant in the call"
            )
        return services.signal(sender_id=self.participant_id, channel=channel, data=data)

    async def _deliver(self, deliveries: list[services.Delivery]) -> None:
        for delivery in deliveries:
            if delivery.channel == self.channel_name and not delivery.group:
                event = delivery.event
                message = (
                    None if event is None else wire.message(event, self.version or wire.LATEST)
                )
                self.relay_cache.saw(None if message is None else message.type, delivery.routes)
                if message is not None:
                    self._saw_ice_servers(message.type)
                    await self._send(message)
                if delivery.close:
                    self.participant_id = None
                    self._stop_ice_renewal()
                    await self.close()
            else:
                await deliver_elsewhere(self.channel_layer, delivery)

    async def _send(self, message) -> None:
        await self.send(text_data=p.encode(message))

    async def room_deliver(self, event) -> None:
        """A message for this connection, sent by a service acting for someone else."""
        self.relay_cache.saw(event.get("kind"), event.get("routes"))
        self._saw_ice_servers(event.get("kind"))
        if event.get("text") is not None:
            await self.send(text_data=wire.pick(event["text"], event.get("older"), self.version))
        if event.get("close"):
            self.participant_id = None  # the service already took us out of the room
            self._stop_ice_renewal()
            await self.close()

    # --- TURN credentials: renewed while the participant is in the call -------------------

    def _saw_ice_servers(self, kind: str | None) -> None:
        """``ice-servers`` went to the client: renew them before they expire."""
        if kind != "ice-servers" or not turn.relays_configured():
            return
        self._stop_ice_renewal()
        self.ice_renewal = asyncio.get_running_loop().create_task(self._renew_ice())

    def _stop_ice_renewal(self) -> None:
        task, self.ice_renewal = self.ice_renewal, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _renew_ice(self) -> None:
        await asyncio.sleep(turn.renew_after_seconds())
        if self.participant_id is None:
            return
        try:
            deliveries = await database_sync_to_async(services.renew_ice)(
                participant_id=self.participant_id, channel_name=self.channel_name
            )
            async with self._turn:
                if self.participant_id is not None:
                    await self._deliver(deliveries)
        except Exception:
            # The call goes on with the allocations it has; the next resume renews.
            log.warning("TURN credentials could not be renewed", exc_info=True)

    # --- "log out everywhere" -----------------------------------------------------------

    async def _join_account_group(self) -> None:
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            return
        self.account = services.account_group(user.pk)
        await self.channel_layer.group_add(self.account, self.channel_name)

    async def _leave_account_group(self) -> None:
        if self.account is not None:
            await self.channel_layer.group_discard(self.account, self.channel_name)
            self.account = None

    async def account_logged_out(self, event) -> None:
        """The counselor logged out everywhere: this host connection ends; the place in
        the room is given up as with a leave (the session that opened it is gone)."""
        await self._send(p.LoggedOut(type="logged-out"))
        if self.participant_id is not None:
            participant_id, self.participant_id = self.participant_id, None
            await self._deliver(
                await database_sync_to_async(services.leave)(participant_id=participant_id)
            )
        await self.close()


class WatchConsumer(LeanWebsocketConsumer):
    """A logged-in counselor's view of all their waiting rooms (dashboard, room pages).

    Server to client only: ``watching`` on opening, then ``waiting-changed`` whenever
    someone knocks, is let in, turned away or leaves in one of the counselor's rooms,
    whichever process served that change (the channel layer's group). The client may
    send ``ping``. Anyone not logged in is refused at the handshake (HTTP 403).
    """

    group: str | None = None
    account: str | None = None
    address: str | None = None
    presence: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            await self.close()  # before accept: the handshake is refused
            return
        address = limits.client_address(self.scope)
        if not await limits.open_connection(address, self.channel_name):
            await self.close()
            return
        self.address = address
        self.bucket = limits.message_bucket()
        await self.accept()
        self.group = services.watch_group(user.pk)
        # Join first, then read: a change in between is sent twice rather than missed.
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.account = services.account_group(user.pk)
        await self.channel_layer.group_add(self.account, self.channel_name)
        snapshot = await database_sync_to_async(services.watching)(user=user)
        await self.send(text_data=p.encode(wire.message(snapshot, wire.LATEST)))
        await self._present(user.pk)

    async def _present(self, user_id) -> None:
        """Count this connection as the counselor being here (guests waiting are told)."""
        from django.core.cache import cache

        self.presence = services.presence_key(user_id)
        await cache.aadd(self.presence, 0, timeout=PRESENCE_TTL_SECONDS)
        try:
            count = await cache.aincr(self.presence)
        except ValueError:  # expired in between
            await cache.aset(self.presence, 1, timeout=PRESENCE_TTL_SECONDS)
            count = 1
        if count == 1:
            deliveries = await database_sync_to_async(services.counselor_arrived)(
                user_id=user_id
            )
            for delivery in deliveries:
                await deliver_elsewhere(self.channel_layer, delivery)

    async def disconnect(self, code):
        if self.presence is not None:
            from django.core.cache import cache

            with contextlib.suppress(ValueError):  # expired meanwhile: nothing counts
                await cache.adecr(self.presence)
            self.presence = None
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        if self.account is not None:
            await self.channel_layer.group_discard(self.account, self.channel_name)
            self.account = None
        if self.address is not None:
            await limits.close_connection(self.address, self.channel_name)
            self.address = None

    async def receive(self, text_data=None, bytes_data=None):
        if self.group is None:
            return
        if not self.bucket.take():
            reply = p.Error(type="error", code=p.ErrorCode.TOO_MANY_MESSAGES,
                            message="too many messages; slow down")
        else:
            try:
                message = p.parse_client(
                    text_data if text_data is not None else bytes_data or b"",
                    max_bytes=settings.VISAVIS["WS_MAX_MESSAGE_BYTES"],
                )
            except p.ProtocolError as exc:
                reply = exc.reply()
            else:
                if isinstance(message, p.Ping) and self.presence is not None:
                    from django.core.cache import cache

                    await cache.atouch(self.presence, timeout=PRESENCE_TTL_SECONDS)
                reply = (
                    p.Pong(type="pong") if isinstance(message, p.Ping)
                    else p.Error(type="error", code=p.ErrorCode.NOT_ALLOWED,
                                 message="a watch connection only takes ping")
                )
        await self.send(text_data=p.encode(reply))

    async def watch_deliver(self, event) -> None:
        await self.send(text_data=event["text"])

    async def account_logged_out(self, event) -> None:
        """The counselor logged out everywhere: this connection ends."""
        await self.send(text_data=p.encode(p.LoggedOut(type="logged-out")))
        await self.close()
