"""Room services: every change to who waits, who is admitted and who is host happens here.

Each function runs in one database transaction that locks the appointment row, so
two processes acting on the same room are serialised by the database, not by
memory. Functions return the deliveries the change causes: domain events
(rooms/events.py) for connections, which the consumer turns into protocol messages
(rooms/wire.py) and sends once the transaction has committed. They raise
:class:`~visavis.rooms.errors.RoomError` for anything a participant may not do, and
never change state when they raise. Nothing here speaks the wire protocol.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from visavis.accounts.services import display_name
from visavis.appointments import links
from visavis.appointments.models import Appointment
from visavis.appointments.services import find_by_room_token
from visavis.entry.door import EntryRefused, check_guest_entry
from visavis.rooms import events, topology, turn
from visavis.rooms.errors import Reason, RoomError
from visavis.rooms.events import Role, State
from visavis.rooms.limits import CLIENT_PING_SECONDS
from visavis.rooms.models import Participant, RoomState
from visavis.rooms.signals import call_started

ACTIVE_STATES = (State.LOBBY, State.WAITING, State.ADMITTED)
# A connection silent for this much longer than the resume grace period (three missed
# pings) belongs to a process that died without saying so.
HEARTBEAT_SLACK = timedelta(seconds=3 * CLIENT_PING_SECONDS)


@dataclass(frozen=True)
class Delivery:
    """Tell the connection at ``channel`` about ``event``; then close it if ``close``.

    With ``group``, ``channel`` names a channel-layer group instead (a counselor's watch
    connections, see :func:`watch_group`), reached in whatever process they are served.
    """

    channel: str
    # None: nothing for the client; the connection only forgets what it knew of its
    # call's members (rooms/relaycache.py), because one of them moved to a new connection.
    event: events.Event | None
    close: bool = False
    group: bool = False
    # With ``Admitted`` and ``Joined``: the channels of the call's members the event
    # names, for the receiving connection's relay cache (rooms/relaycache.py), never sent on.
    routes: dict[str, str] | None = None


def watch_group(user_id) -> str:
    """The channel-layer group of one counselor's watch connections (dashboard, room pages).
    Only their own rooms are ever sent to it, so guests' names reach no other counselor."""
    return f"watch.{user_id}"


def account_group(user_id) -> str:
    """The channel-layer group of every room and watch connection of one counselor's
    account, in every process: "log out everywhere" closes them (:func:`logged_out`)."""
    return f"account.{user_id}"


def max_participants() -> int:
    """The most people in an individual appointment's call, host included."""
    return settings.VISAVIS["MAX_PARTICIPANTS"]


def _capacity(appointment_id) -> int:
    """The most people in this appointment's call, host included (rooms/topology.py)."""
    group = Appointment.objects.filter(pk=appointment_id).values_list("group", flat=True)
    return topology.capacity(group=bool(group.first()))


def resume_grace() -> timedelta:
    return timedelta(seconds=settings.VISAVIS["RESUME_GRACE_SECONDS"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_room(appointment_id) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=appointment_id)


def _participant(participant_id: str) -> Participant:
    try:
        return Participant.objects.select_related("appointment").get(pk=participant_id)
    except Participant.DoesNotExist:
        raise RoomError(Reason.BAD_STATE, "not in a room") from None


def _admitted(appointment_id, *, exclude: str | None = None) -> list[Participant]:
    qs = Participant.objects.filter(appointment_id=appointment_id, state=State.ADMITTED)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("created_at"))


def _as_peer(participant: Participant) -> events.Peer:
    return events.Peer(id=participant.id, name=participant.name, role=Role(participant.role))


def _as_waiting(guests: list[Participant]) -> list[events.WaitingGuest]:
    return [events.WaitingGuest(id=g.id, name=g.name) for g in guests]


def _hosts(appointment_id) -> list[Participant]:
    return list(
        Participant.objects.filter(
            appointment_id=appointment_id, role=Role.HOST, state=State.ADMITTED
        )
    )


def _waiting(appointment_id) -> list[Participant]:
    return list(
        Participant.objects.filter(
            appointment_id=appointment_id, state=State.WAITING
        ).order_by("knocked_at")
    )


def presence_key(user_id) -> str:
    """The cache key counting a counselor's watch connections. Keyed with the secret key,
    which all processes of one service share: another service (or a test server) using
    the same Redis has other user ids under the same numbers, and must not count here."""
    from django.utils.crypto import salted_hmac

    return "rooms:watching:" + salted_hmac("visavis.rooms.presence", str(user_id)).hexdigest()[:32]


def counselor_watching(user_id) -> bool:
    """Whether the counselor has a watch connection open (dashboard or room page), in any
    process: counted in the cache (Redis with several processes), see WatchConsumer."""
    from django.core.cache import cache

    return (cache.get(presence_key(user_id)) or 0) > 0


def _counselor_present(appointment_id, owner_id) -> bool:
    host_here = Participant.objects.filter(
        appointment_id=appointment_id, role=Role.HOST, state=State.ADMITTED,
        disconnected_at__isnull=True,
    ).exists()
    return host_here or counselor_watching(owner_id)


def _waiting_event(appointment_id, *, call_full: bool = False) -> events.Waiting:
    owner_id = Appointment.objects.filter(pk=appointment_id).values_list(
        "owner_id", flat=True
    ).first()
    return events.Waiting(
        counselor_present=_counselor_present(appointment_id, owner_id), call_full=call_full
    )


def _waiting_update(appointment_id) -> list[Delivery]:
    event = _waiting_event(appointment_id)
    return [Delivery(w.channel_name, event) for w in _waiting(appointment_id)]


def counselor_arrived(*, user_id) -> list[Delivery]:
    """The counselor opened a watch connection or entered a room: every guest waiting in
    their rooms learns that they have been seen."""
    waiting = Participant.objects.filter(
        appointment__owner_id=user_id, state=State.WAITING
    ).values_list("channel_name", flat=True)
    event = events.Waiting(counselor_present=True)
    return [Delivery(channel, event) for channel in waiting]


def _watched_room(appointment: Appointment, waiting: list[Participant]) -> events.WatchedRoom:
    return events.WatchedRoom(
        appointment=str(appointment.pk),
        title=appointment.title,
        url=links.host_path(appointment),
        waiting=_as_waiting(waiting),
    )


def _waiting_room_for_hosts(appointment_id) -> list[Delivery]:
    """The waiting room to the host in the room, and to the owner's watch connections
    (wherever the counselor is: dashboard, another appointment's room)."""
    waiting = _waiting(appointment_id)
    event = events.WaitingRoom(waiting=_as_waiting(waiting))
    deliveries = [Delivery(h.channel_name, event) for h in _hosts(appointment_id)]
    appointment = Appointment.objects.only("title", "owner_id").get(pk=appointment_id)
    changed = events.WaitingChanged(room=_watched_room(appointment, waiting))
    deliveries.append(Delivery(watch_group(appointment.owner_id), changed, group=True))
    return deliveries


def _room_state(appointment_id) -> RoomState:
    """The room's lock, note and timer; call only with the appointment row locked."""
    state, _ = RoomState.objects.get_or_create(appointment_id=appointment_id)
    return state


def _status_for_hosts(appointment_id, state: RoomState | None = None) -> list[Delivery]:
    state = state or _room_state(appointment_id)
    appointment = Appointment.objects.only("start", "duration_minutes").get(pk=appointment_id)
    event = events.Status(
        locked=state.locked,
        note=state.note,
        ends_at=appointment.end,
        started_at=state.call_started_at,
    )
    return [Delivery(h.channel_name, event) for h in _hosts(appointment_id)]


def _note_to_waiting(appointment_id, text: str) -> list[Delivery]:
    note = events.Note(text=text)
    return [Delivery(w.channel_name, note) for w in _waiting(appointment_id)]


def _enter_call(participant: Participant) -> list[Delivery]:
    """Mark ``participant`` admitted and tell them and everyone in the call."""
    others = _admitted(participant.appointment_id, exclude=participant.id)
    participant.state = State.ADMITTED
    participant.save(update_fields=["state"])
    deliveries = [
        *_ice_servers(participant),
        Delivery(
            participant.channel_name,
            events.Admitted(peers=[_as_peer(o) for o in others]),
            routes={o.id: o.channel_name for o in others},
        )
    ]
    joined = events.Joined(peer=_as_peer(participant))
    route = {participant.id: participant.channel_name}
    deliveries += [Delivery(o.channel_name, joined, routes=route) for o in others]
    return deliveries


def _depart(participant: Participant, final_state: State) -> list[Delivery]:
    """Take ``participant`` out of the room and tell whoever needs to know."""
    was = participant.state
    participant.state = final_state
    participant.save(update_fields=["state"])
    deliveries: list[Delivery] = []
    if was == State.ADMITTED:
        left = events.Left(participant_id=participant.id)
        remaining = _admitted(participant.appointment_id)
        deliveries += [Delivery(o.channel_name, left) for o in remaining]
        if len(remaining) == _capacity(participant.appointment_id) - 1:
            # The call was full: whoever waits is no longer told that it is.
            deliveries += _waiting_update(participant.appointment_id)
    if was == State.WAITING:
        deliveries += _waiting_room_for_hosts(participant.appointment_id)
    return deliveries


def _ice_servers(participant: Participant) -> list[Delivery]:
    """STUN/TURN servers with fresh TURN credentials, for a participant in the call only
    (nobody in the lobby or waiting gets a relay credential); none when no server is
    configured."""
    servers = turn.ice_servers_for(participant.id)
    if not servers:
        return []
    expires_at = None
    if turn.relays_configured():
        expires_at = timezone.now() + timedelta(seconds=settings.VISAVIS["TURN_CREDENTIAL_TTL"])
    return [Delivery(participant.channel_name, events.IceServers(
        servers=servers,
        transport_policy=settings.VISAVIS["ICE_TRANSPORT_POLICY"],
        expires_at=expires_at,
    ))]


def renew_ice(*, participant_id: str, channel_name: str) -> list[Delivery]:
    """Fresh credentials before the last ones expire, while the participant is still in
    the call on this connection; nothing once they were sent back, denied, removed, left
    or the session ended."""
    participant = Participant.objects.filter(
        pk=participant_id, channel_name=channel_name, state=State.ADMITTED
    ).first()
    return [] if participant is None else _ice_servers(participant)


def _welcome(participant: Participant, *, resumed: bool) -> events.Welcome:
    """A welcome with a fresh resume token; the token's hash is saved on the participant."""
    token = secrets.token_urlsafe(32)
    participant.resume_hash = _hash(token)
    participant.save(update_fields=["resume_hash"])
    return events.Welcome(
        participant_id=participant.id,
        role=Role(participant.role),
        state=State.ADMITTED if participant.role == Role.HOST else State(participant.state),
        max_participants=topology.capacity(group=participant.appointment.group),
        resume_token=token,
        resumed=resumed,
        resume_grace_seconds=int(resume_grace().total_seconds()),
        ice_transport_policy=settings.VISAVIS["ICE_TRANSPORT_POLICY"],
    )


def _resume(
    appointment: Appointment, token: str, channel_name: str, *, rejoin: bool = False
) -> tuple[Participant, list[Delivery]] | None:
    """Put a participant whose connection dropped back in its place, or return None.

    With ``rejoin`` (a new page: reloaded, or the link opened again) the participant's
    media connections are gone: the others in the call are told that it left and joined
    again under the same id, so that each replaces its tile instead of adding one."""
    participant = Participant.objects.filter(
        appointment=appointment, resume_hash=_hash(token), state__in=ACTIVE_STATES
    ).first()
    if participant is None:
        return None
    deliveries: list[Delivery] = []
    if participant.disconnected_at is None and participant.channel_name != channel_name:
        # The old connection still looks alive (its drop is not noticed yet): this one
        # takes over, the old one is told and closed so that it cannot act any more.
        replaced = events.Replaced()
        deliveries.append(Delivery(participant.channel_name, replaced, close=True))
    participant.channel_name = channel_name
    participant.disconnected_at = None
    participant.last_seen = timezone.now()
    participant.save(update_fields=["channel_name", "disconnected_at", "last_seen"])
    in_call = participant.state == State.ADMITTED
    others = _admitted(appointment.pk, exclude=participant.id) if in_call else []
    if in_call and rejoin:
        left = events.Left(participant_id=participant.id)
        joined = events.Joined(peer=_as_peer(participant))
        route = {participant.id: channel_name}
        for o in others:
            deliveries += [
                Delivery(o.channel_name, left),
                Delivery(o.channel_name, joined, routes=route),
            ]
    elif in_call:
        # The others relay to this participant's new connection from now on (told first,
        # so that they know before anything this connection sends reaches them).
        deliveries += [Delivery(o.channel_name, None) for o in others]
    deliveries.append(Delivery(channel_name, _welcome(participant, resumed=True)))
    # Whatever happened meanwhile: who is in the call now, or that the knock still stands.
    if in_call:
        peers = [_as_peer(o) for o in others]
        deliveries += _ice_servers(participant)
        deliveries.append(Delivery(
            channel_name, events.Admitted(peers=peers),
            routes={o.id: o.channel_name for o in others},
        ))
    elif participant.state == State.WAITING:
        deliveries.append(Delivery(channel_name, _waiting_event(appointment.pk)))
        note = _room_state(appointment.pk).note
        if note:
            deliveries.append(Delivery(channel_name, events.Note(text=note)))
    if participant.role == Role.HOST:
        deliveries += _waiting_room_for_hosts(appointment.pk)
        deliveries += _status_for_hosts(appointment.pk)
    return participant, deliveries


def _expire_stale(appointment_id, *, now: datetime | None = None) -> list[Delivery]:
    """Take out everyone whose connection dropped longer ago than the grace period."""
    now = now or timezone.now()
    stale = Participant.objects.filter(
        appointment_id=appointment_id, state__in=ACTIVE_STATES
    ).filter(
        Q(disconnected_at__lt=now - resume_grace())
        | Q(last_seen__lt=now - resume_grace() - HEARTBEAT_SLACK)
    )
    deliveries: list[Delivery] = []
    for participant in stale:
        deliveries += _leave_room(participant)
    return deliveries


def _leave_room(participant: Participant) -> list[Delivery]:
    """Take ``participant`` out as having left. A guest who never knocked leaves nothing
    behind: their row is deleted (one connection opened and closed in a loop must not
    fill the database)."""
    if participant.role == Role.GUEST and participant.state == State.LOBBY:
        participant.delete()
        return []
    return _depart(participant, State.LEFT)


@transaction.atomic
def join(
    *, room_token: str, user, channel_name: str, resume: str | None = None,
    rejoin: bool = False,
) -> tuple[Participant, list[Delivery]]:
    """Open a participant for a connection that said hello to ``room_token``.

    With a valid ``resume`` token of a participant whose connection dropped less than
    the grace period ago, that participant continues: same id, role and state, no
    new knock. Otherwise the role comes only from the authenticated ``user``: the
    appointment's owner is host and enters the call at once, whether the room is locked
    or was ended (entering opens a new session); anyone else is a guest in the lobby. A
    host joining afresh replaces any earlier host connection of the room.
    """
    appointment = find_by_room_token(room_token)
    if appointment is None:
        raise RoomError(Reason.UNKNOWN_ROOM, "this room link is not valid")
    usable = topology.availability(appointment)
    if not usable.available:
        # The pages say so instead of starting a call; a hand-made client that connects
        # anyway gets no call either, and never one in another topology.
        with translation.override("en"):
            raise RoomError(
                Reason.NOT_ALLOWED, f"group sessions are not available here: {usable.reason}"
            )
    appointment = _lock_room(appointment.pk)
    deliveries = _expire_stale(appointment.pk)
    if resume:
        resumed = _resume(appointment, resume, channel_name, rejoin=rejoin)
        if resumed is not None:
            participant, more = resumed
            return participant, deliveries + more
    is_host = bool(user and user.is_authenticated and user.pk == appointment.owner_id)
    participant = Participant(
        appointment=appointment,
        role=Role.HOST if is_host else Role.GUEST,
        state=State.LOBBY,
        # Clients see the name the counselor chose (or a neutral one), never the login.
        name=display_name(user, language=appointment.language)[:60] if is_host else "",
        user=user if is_host else None,
        channel_name=channel_name,
    )
    participant.save()
    deliveries.append(Delivery(channel_name, _welcome(participant, resumed=False)))
    if is_host:
        earlier = Participant.objects.filter(
            appointment=appointment, role=Role.HOST, state__in=ACTIVE_STATES
        ).exclude(pk=participant.pk)
        for old in earlier:
            deliveries.append(Delivery(old.channel_name, events.Replaced(), close=True))
            deliveries += _depart(old, State.LEFT)
        deliveries += _enter_call(participant)
        deliveries += _waiting_room_for_hosts(appointment.pk)
        state = _room_state(appointment.pk)
        if state.ended_at is not None:
            state.ended_at = None
            state.save(update_fields=["ended_at"])
        deliveries += _status_for_hosts(appointment.pk, state)
    return participant, deliveries


@transaction.atomic
def knock(*, participant_id: str, name: str, browser_session=None) -> list[Delivery]:
    """A guest in the lobby asks to be let in. ``browser_session`` is the guest's Django
    session (from the WebSocket scope), which tells whether they entered the appointment's
    PIN and confirmed the privacy notice."""
    participant = _participant(participant_id)
    room = _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.role != Role.GUEST or participant.state != State.LOBBY:
        raise RoomError(Reason.BAD_STATE, "only a guest in the lobby can knock")
    _check_guest_may_knock(room, browser_session)
    state = _room_state(room.pk)
    if state.ended_at is not None:
        raise RoomError(Reason.SESSION_ENDED, "the session has ended")
    if state.locked:
        raise RoomError(Reason.ROOM_LOCKED, "the room is locked")
    participant.state = State.WAITING
    participant.name = name.strip()
    participant.knocked_at = timezone.now()
    participant.save(update_fields=["state", "name", "knocked_at"])
    full = len(_admitted(participant.appointment_id)) >= _capacity(participant.appointment_id)
    deliveries = [
        Delivery(
            participant.channel_name,
            _waiting_event(participant.appointment_id, call_full=full),
        )
    ]
    if state.note:
        # The latest note holds for everyone who waits, also those who knock after it.
        deliveries.append(Delivery(participant.channel_name, events.Note(text=state.note)))
    return deliveries + _waiting_room_for_hosts(participant.appointment_id)


def _check_guest_may_knock(appointment: Appointment, session) -> None:
    """The rules for guests (not cancelled, inside the time window, PIN entered, built-in
    room, privacy notice confirmed): decided at the door (entry/door.py), enforced here so
    that a hand-made client cannot skip the guest page. Hosts never knock, so never meet this."""
    try:
        check_guest_entry(appointment=appointment, session=session)
    except EntryRefused as exc:
        raise RoomError(Reason.NOT_ALLOWED, str(exc)) from None


def _host(actor_id: str) -> Participant:
    """The acting participant, with the room locked, if it is the host in the call."""
    actor = _participant(actor_id)
    _lock_room(actor.appointment_id)
    actor.refresh_from_db()
    if actor.role != Role.HOST or actor.state != State.ADMITTED:
        raise RoomError(Reason.NOT_ALLOWED, "only the host may do this")
    return actor


_WHERE = {
    (State.WAITING,): "nobody with this id is waiting in this room",
    (State.ADMITTED,): "no guest with this id is in the call",
    (State.WAITING, State.ADMITTED): "no guest with this id is waiting or in the call",
}


def _host_and_target(
    actor_id: str, target_id: str, states: tuple = (State.WAITING,)
) -> tuple[Participant, Participant]:
    actor = _host(actor_id)
    target = Participant.objects.filter(
        pk=target_id, appointment_id=actor.appointment_id, role=Role.GUEST, state__in=states
    ).first()
    if target is None:
        raise RoomError(Reason.NO_SUCH_PARTICIPANT, _WHERE[states])
    return actor, target


@transaction.atomic
def admit(*, actor_id: str, target_id: str) -> list[Delivery]:
    actor, target = _host_and_target(actor_id, target_id)
    in_call = len(_admitted(actor.appointment_id))
    capacity = _capacity(actor.appointment_id)
    if in_call >= capacity:
        # Nothing changes; the host is told why, and the guest why they still wait.
        full = events.Refused(Reason.ROOM_FULL, f"the call has its maximum of {capacity} people")
        return [
            Delivery(actor.channel_name, full),
            Delivery(
                target.channel_name, _waiting_event(actor.appointment_id, call_full=True)
            ),
        ]
    deliveries = _enter_call(target) + _waiting_room_for_hosts(actor.appointment_id)
    if in_call == 1:  # only the host so far: this admit starts a call (for /metrics)
        call_started.send(sender=Participant, appointment_id=actor.appointment_id)
        state = _room_state(actor.appointment_id)
        if state.call_started_at is None or state.note:
            # The session has started: the timer runs, and a note about waiting is over.
            state.call_started_at = state.call_started_at or timezone.now()
            had_note, state.note = bool(state.note), ""
            state.save(update_fields=["call_started_at", "note"])
            if had_note:
                deliveries += _note_to_waiting(actor.appointment_id, "")
            deliveries += _status_for_hosts(actor.appointment_id, state)
    return deliveries


@transaction.atomic
def deny(*, actor_id: str, target_id: str, message: str | None = None) -> list[Delivery]:
    _actor, target = _host_and_target(actor_id, target_id)
    denied = Delivery(target.channel_name, events.Denied(message=message), close=True)
    return [denied, *_depart(target, State.DENIED)]


@transaction.atomic
def send_back(*, actor_id: str, target_id: str) -> list[Delivery]:
    """Move a guest from the call back to the waiting room: the others in the call see
    them leave, the host sees them waiting (at the end of the queue), and they may be
    admitted again."""
    actor, target = _host_and_target(actor_id, target_id, states=(State.ADMITTED,))
    target.state = State.WAITING
    target.knocked_at = timezone.now()
    target.save(update_fields=["state", "knocked_at"])
    left = events.Left(participant_id=target.id)
    deliveries = [Delivery(target.channel_name, events.SentBack())]
    deliveries += [Delivery(o.channel_name, left) for o in _admitted(actor.appointment_id)]
    return deliveries + _waiting_room_for_hosts(actor.appointment_id)


@transaction.atomic
def remove(*, actor_id: str, target_id: str) -> list[Delivery]:
    """Take a guest who waits or is in the call out of the room; their connection closes
    and their resume token is void. (They could open the link again: lock the room.)"""
    _actor, target = _host_and_target(
        actor_id, target_id, states=(State.WAITING, State.ADMITTED)
    )
    removed = Delivery(target.channel_name, events.Removed(), close=True)
    return [removed, *_depart(target, State.REMOVED)]


@transaction.atomic
def set_locked(*, actor_id: str, locked: bool) -> list[Delivery]:
    """Lock or unlock the room. Locked: knocks are refused, guests already waiting stay,
    and the host still enters."""
    actor = _host(actor_id)
    state = _room_state(actor.appointment_id)
    if state.locked != locked:
        state.locked = locked
        state.save(update_fields=["locked"])
    return _status_for_hosts(actor.appointment_id, state)


@transaction.atomic
def set_note(*, actor_id: str, text: str) -> list[Delivery]:
    """The host's note to everyone waiting now, and to whoever knocks later until the call
    starts; an empty text takes it back."""
    actor = _host(actor_id)
    state = _room_state(actor.appointment_id)
    state.note = text
    state.save(update_fields=["note"])
    return _note_to_waiting(actor.appointment_id, text) + _status_for_hosts(
        actor.appointment_id, state
    )


def reply(*, participant_id: str, preset: str | None, text: str | None) -> list[Delivery]:
    """A waiting guest answers the host with a prepared message or a short text. It goes
    to the host's room page as it is and is kept nowhere (rate: rooms/limits.py)."""
    participant = _participant(participant_id)
    if participant.role != Role.GUEST or participant.state != State.WAITING:
        raise RoomError(Reason.BAD_STATE, "only a guest in the waiting room can reply")
    hosts = _hosts(participant.appointment_id)
    if not hosts:
        raise RoomError(Reason.HOST_ABSENT, "the counselor has not opened the session yet")
    event = events.WaitingReply(guest_id=participant.id, preset=preset, text=text)
    return [Delivery(h.channel_name, event) for h in hosts]


@transaction.atomic
def end(*, actor_id: str) -> list[Delivery]:
    """End the session for everyone: each participant of the room, the host included, is
    told and closed. Knocks are refused until the host enters the room again."""
    actor = _host(actor_id)
    everyone = Participant.objects.filter(
        appointment_id=actor.appointment_id, state__in=ACTIVE_STATES
    ).exclude(pk=actor.pk)
    ended = events.Ended()
    deliveries = [Delivery(o.channel_name, ended, close=True) for o in everyone]
    everyone.update(state=State.LEFT)
    actor.state = State.LEFT
    actor.save(update_fields=["state"])
    state = _room_state(actor.appointment_id)
    state.ended_at = timezone.now()
    state.locked = False
    state.note = ""
    state.call_started_at = None
    state.save()
    deliveries += _waiting_room_for_hosts(actor.appointment_id)  # the watchers: nobody waits
    return [*deliveries, Delivery(actor.channel_name, ended, close=True)]


def session_ended(appointment_id) -> bool:
    """Whether the host ended the session for everyone and has not entered the room since
    (knocks are refused meanwhile): the client's page says so instead of opening the camera."""
    return RoomState.objects.filter(
        appointment_id=appointment_id, ended_at__isnull=False
    ).exists()


def watching(*, user) -> events.Watching:
    """For a counselor's watch connection: each of their rooms where someone waits now."""
    now = timezone.now()
    waiting = (
        Participant.objects.filter(
            appointment__owner=user, appointment__cancelled_at__isnull=True,
            state=State.WAITING,
        )
        .filter(Q(disconnected_at__isnull=True) | Q(disconnected_at__gte=now - resume_grace()))
        .select_related("appointment")
        .order_by("knocked_at")
    )
    rooms: dict = {}
    for guest in waiting:
        rooms.setdefault(guest.appointment_id, (guest.appointment, []))[1].append(guest)
    return events.Watching(
        rooms=[_watched_room(appointment, guests) for appointment, guests in rooms.values()],
    )


def call_peers(*, participant_id: str) -> dict[str, str]:
    """The channel of everyone else admitted to the participant's call, by participant id.

    One query reads the participant and the others, as plain values. Raises unless the
    participant is in the call. Connections keep the answer (rooms/relaycache.py) until the
    call's membership changes, so that relaying needs no query most of the time.
    """
    room = Participant.objects.filter(pk=participant_id).values("appointment_id")[:1]
    rows = Participant.objects.filter(appointment_id=room).filter(
        Q(pk=participant_id) | Q(state=State.ADMITTED)
    ).values_list("pk", "state", "channel_name")
    me, others = None, {}
    for pk, state, channel_name in rows:
        if pk == participant_id:
            me = state
        else:
            others[pk] = channel_name
    if me is None:
        raise RoomError(Reason.BAD_STATE, "not in a room")
    if me != State.ADMITTED:
        raise RoomError(Reason.BAD_STATE, "only participants in the call can signal")
    return others


def signal(*, sender_id: str, channel: str, data: object) -> Delivery:
    """Negotiation data from ``sender_id`` to the connection at ``channel`` of another
    participant of the same call (found by :func:`call_peers`). Opaque to the room."""
    return Delivery(channel, events.Signal(sender_id=sender_id, data=data))


@transaction.atomic
def leave(*, participant_id: str) -> list[Delivery]:
    """The participant hung up or the connection closed. Harmless to call twice."""
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None or participant.state not in ACTIVE_STATES:
        return []
    _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.state not in ACTIVE_STATES:
        return []
    return _leave_room(participant)


@transaction.atomic
def connection_lost(
    *, participant_id: str, channel_name: str
) -> tuple[datetime | None, list[Delivery]]:
    """The connection closed without a leave. Keep the participant's place for the grace
    period (returning when it started), except for a guest who had not knocked yet."""
    participant = Participant.objects.filter(pk=participant_id, channel_name=channel_name).first()
    if participant is None or participant.state not in ACTIVE_STATES:
        return None, []
    _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.channel_name != channel_name or participant.state not in ACTIVE_STATES:
        return None, []  # resumed on another connection meanwhile
    if participant.state == State.LOBBY:
        return None, _leave_room(participant)
    participant.disconnected_at = timezone.now()
    participant.save(update_fields=["disconnected_at"])
    return participant.disconnected_at, []


@transaction.atomic
def expire(*, participant_id: str, disconnected_at: datetime) -> list[Delivery]:
    """After the grace period: if the participant has not come back, they have left."""
    participant = Participant.objects.filter(
        pk=participant_id, disconnected_at=disconnected_at, state__in=ACTIVE_STATES
    ).first()
    if participant is None:
        return []
    _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.disconnected_at != disconnected_at or participant.state not in ACTIVE_STATES:
        return []
    return _leave_room(participant)


def touch(*, participant_id: str) -> None:
    """A sign of life (a ping) from the participant's connection."""
    Participant.objects.filter(pk=participant_id).update(last_seen=timezone.now())


def owns_room(*, room_token: str, user) -> bool:
    """Whether ``user`` is the owner (the host) of the room behind ``room_token``: decided
    before a connection counts against the room's cap, which never holds the host."""
    if not (user and user.is_authenticated):
        return False
    appointment = find_by_room_token(room_token)
    return appointment is not None and appointment.owner_id == user.pk


def close_guest_entry(*, appointment_id) -> list[Delivery]:
    """The guest link was revoked or the appointment cancelled: everyone still in the
    lobby or waiting is told and closed, and can no longer be admitted. Guests already in
    the call stay (the host may remove them). Call inside the transaction that revoked or
    cancelled, so that no admit can come in between."""
    _lock_room(appointment_id)
    outside = list(Participant.objects.filter(
        appointment_id=appointment_id, role=Role.GUEST,
        state__in=(State.LOBBY, State.WAITING),
    ))
    closed = events.LinkClosed()
    deliveries = [Delivery(g.channel_name, closed, close=True) for g in outside]
    ids = [g.pk for g in outside]
    Participant.objects.filter(pk__in=ids, state=State.LOBBY).delete()
    Participant.objects.filter(pk__in=ids).update(state=State.LEFT)
    if any(g.state == State.WAITING for g in outside):
        deliveries += _waiting_room_for_hosts(appointment_id)
    return deliveries
