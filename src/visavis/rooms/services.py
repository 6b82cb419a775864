"""Room services: every change to who waits, who is admitted and who is host happens here.

Each function runs in one database transaction that locks the appointment row, so
two processes acting on the same room are serialised by the database, not by
memory. Functions return the deliveries the change causes; the consumer only
sends them. They raise :class:`~visavis.rooms.protocol.ProtocolError` for
anything a client may not do, and never change state when they raise.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from visavis.appointments.models import Appointment
from visavis.rooms import protocol as p
from visavis.rooms.models import Participant

ACTIVE_STATES = (p.State.LOBBY, p.State.WAITING, p.State.ADMITTED)
# Clients ping every 20 s; a connection silent for this much longer than the resume grace
# period belongs to a process that died without saying so.
HEARTBEAT_SLACK = timedelta(seconds=45)


@dataclass(frozen=True)
class Delivery:
    """Send ``message`` to the connection at ``channel``; then close it if ``close``."""

    channel: str
    message: p._Message
    close: bool = False


def max_participants() -> int:
    return settings.VISAVIS["MAX_PARTICIPANTS"]


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
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "not in a room") from None


def _admitted(appointment_id, *, exclude: str | None = None) -> list[Participant]:
    qs = Participant.objects.filter(appointment_id=appointment_id, state=p.State.ADMITTED)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("created_at"))


def _as_peer(participant: Participant) -> p.Peer:
    return p.Peer(id=participant.id, name=participant.name, role=participant.role)


def _lobby_for_hosts(appointment_id) -> list[Delivery]:
    waiting = Participant.objects.filter(
        appointment_id=appointment_id, state=p.State.WAITING
    ).order_by("knocked_at")
    message = p.Lobby(type="lobby", waiting=[p.WaitingGuest(id=w.id, name=w.name) for w in waiting])
    hosts = Participant.objects.filter(
        appointment_id=appointment_id, role=p.Role.HOST, state=p.State.ADMITTED
    )
    return [Delivery(h.channel_name, message) for h in hosts]


def _enter_call(participant: Participant) -> list[Delivery]:
    """Mark ``participant`` admitted and tell them and everyone in the call."""
    others = _admitted(participant.appointment_id, exclude=participant.id)
    participant.state = p.State.ADMITTED
    participant.save(update_fields=["state"])
    deliveries = [
        Delivery(
            participant.channel_name,
            p.Admitted(type="admitted", peers=[_as_peer(o) for o in others]),
        )
    ]
    joined = p.Joined(type="joined", peer=_as_peer(participant))
    deliveries += [Delivery(o.channel_name, joined) for o in others]
    return deliveries


def _depart(participant: Participant, final_state: p.State) -> list[Delivery]:
    """Take ``participant`` out of the room and tell whoever needs to know."""
    was = participant.state
    participant.state = final_state
    participant.save(update_fields=["state"])
    deliveries: list[Delivery] = []
    if was == p.State.ADMITTED:
        left = p.Left(type="left", id=participant.id)
        deliveries += [
            Delivery(o.channel_name, left) for o in _admitted(participant.appointment_id)
        ]
    if was == p.State.WAITING:
        deliveries += _lobby_for_hosts(participant.appointment_id)
    return deliveries


def _welcome(participant: Participant, *, resumed: bool) -> p.Welcome:
    """A welcome with a fresh resume token; the token's hash is saved on the participant."""
    from visavis.rooms.turn import ice_servers_for

    token = secrets.token_urlsafe(32)
    participant.resume_hash = _hash(token)
    participant.save(update_fields=["resume_hash"])
    return p.Welcome(
        type="welcome",
        version=p.PROTOCOL_VERSION,
        id=participant.id,
        role=participant.role,
        state=p.State.ADMITTED if participant.role == p.Role.HOST else participant.state,
        max_participants=max_participants(),
        resume=token,
        resumed=resumed,
        ice_servers=ice_servers_for(participant.id),
        ice_transport_policy=settings.VISAVIS["ICE_TRANSPORT_POLICY"],
    )


def _resume(
    appointment: Appointment, token: str, channel_name: str
) -> tuple[Participant, list[Delivery]] | None:
    """Put a participant whose connection dropped back in its place, or return None."""
    participant = Participant.objects.filter(
        appointment=appointment, resume_hash=_hash(token), state__in=ACTIVE_STATES
    ).first()
    if participant is None:
        return None
    deliveries: list[Delivery] = []
    if participant.disconnected_at is None and participant.channel_name != channel_name:
        # The old connection still looks alive (its drop is not noticed yet): this one
        # takes over, the old one is told and closed so that it cannot act any more.
        replaced = p.Replaced(type="replaced")
        deliveries.append(Delivery(participant.channel_name, replaced, close=True))
    participant.channel_name = channel_name
    participant.disconnected_at = None
    participant.last_seen = timezone.now()
    participant.save(update_fields=["channel_name", "disconnected_at", "last_seen"])
    deliveries.append(Delivery(channel_name, _welcome(participant, resumed=True)))
    # Whatever happened meanwhile: who is in the call now, or that the knock still stands.
    if participant.state == p.State.ADMITTED:
        peers = [_as_peer(o) for o in _admitted(appointment.pk, exclude=participant.id)]
        deliveries.append(Delivery(channel_name, p.Admitted(type="admitted", peers=peers)))
    elif participant.state == p.State.WAITING:
        deliveries.append(Delivery(channel_name, p.Waiting(type="waiting")))
    if participant.role == p.Role.HOST:
        deliveries += _lobby_for_hosts(appointment.pk)
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
        deliveries += _depart(participant, p.State.LEFT)
    return deliveries


@transaction.atomic
def join(
    *, room_token: str, user, channel_name: str, resume: str | None = None
) -> tuple[Participant, list[Delivery]]:
    """Open a participant for a connection that said hello to ``room_token``.

    With a valid ``resume`` token of a participant whose connection dropped less than
    the grace period ago, that participant continues: same id, role and state, no
    new knock. Otherwise the role comes only from the authenticated ``user``: the
    appointment's owner is host and enters the call at once; anyone else is a guest in
    the lobby. A host joining afresh replaces any earlier host connection of the room.
    """
    from visavis.appointments.services import find_by_room_token

    appointment = find_by_room_token(room_token)
    if appointment is None:
        raise p.ProtocolError(p.ErrorCode.UNKNOWN_ROOM, "this room link is not valid")
    appointment = _lock_room(appointment.pk)
    deliveries = _expire_stale(appointment.pk)
    if resume:
        resumed = _resume(appointment, resume, channel_name)
        if resumed is not None:
            participant, more = resumed
            return participant, deliveries + more
    is_host = bool(user and user.is_authenticated and user.pk == appointment.owner_id)
    participant = Participant(
        appointment=appointment,
        role=p.Role.HOST if is_host else p.Role.GUEST,
        state=p.State.LOBBY,
        name=(user.get_full_name() or user.get_username())[:60] if is_host else "",
        user=user if is_host else None,
        channel_name=channel_name,
    )
    participant.save()
    deliveries.append(Delivery(channel_name, _welcome(participant, resumed=False)))
    if is_host:
        earlier = Participant.objects.filter(
            appointment=appointment, role=p.Role.HOST, state__in=ACTIVE_STATES
        ).exclude(pk=participant.pk)
        for old in earlier:
            deliveries.append(Delivery(old.channel_name, p.Replaced(type="replaced"), close=True))
            deliveries += _depart(old, p.State.LEFT)
        deliveries += _enter_call(participant)
        deliveries += _lobby_for_hosts(appointment.pk)
    return participant, deliveries


@transaction.atomic
def knock(*, participant_id: str, name: str, session=None) -> list[Delivery]:
    """A guest in the lobby asks to be let in. ``session`` is the guest's Django session
    (from the WebSocket scope), which tells whether they entered the appointment's PIN."""
    participant = _participant(participant_id)
    room = _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.role != p.Role.GUEST or participant.state != p.State.LOBBY:
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "only a guest in the lobby can knock")
    _check_guest_may_knock(room, session)
    participant.state = p.State.WAITING
    participant.name = name.strip()
    participant.knocked_at = timezone.now()
    participant.save(update_fields=["state", "name", "knocked_at"])
    return [
        Delivery(participant.channel_name, p.Waiting(type="waiting")),
        *_lobby_for_hosts(participant.appointment_id),
    ]


def _check_guest_may_knock(appointment: Appointment, session) -> None:
    """The appointment's rules for guests (PIN entered, link inside its time window, not
    cancelled, built-in room): decided by the appointments app, enforced here so that a
    hand-made client cannot skip the guest page. Hosts never knock, so never meet this."""
    from visavis.appointments.services import EntryRefused, check_guest_entry

    try:
        check_guest_entry(appointment=appointment, session=session)
    except EntryRefused as exc:
        raise p.ProtocolError(p.ErrorCode.NOT_ALLOWED, str(exc)) from None


def _host_and_target(actor_id: str, target_id: str) -> tuple[Participant, Participant]:
    actor = _participant(actor_id)
    _lock_room(actor.appointment_id)
    actor.refresh_from_db()
    if actor.role != p.Role.HOST or actor.state != p.State.ADMITTED:
        raise p.ProtocolError(p.ErrorCode.NOT_ALLOWED, "only the host may do this")
    target = Participant.objects.filter(
        pk=target_id, appointment_id=actor.appointment_id, state=p.State.WAITING
    ).first()
    if target is None:
        raise p.ProtocolError(
            p.ErrorCode.NO_SUCH_PARTICIPANT, "nobody with this id is waiting in this room"
        )
    return actor, target


@transaction.atomic
def admit(*, actor_id: str, target_id: str) -> list[Delivery]:
    actor, target = _host_and_target(actor_id, target_id)
    in_call = len(_admitted(actor.appointment_id))
    if in_call >= max_participants():
        raise p.ProtocolError(
            p.ErrorCode.ROOM_FULL, f"the call has its maximum of {max_participants()} people"
        )
    if in_call == 1:  # only the host so far: this admit starts a call (for /metrics)
        from visavis.ops.metrics import CALLS_STARTED, count

        count(CALLS_STARTED)
    return _enter_call(target) + _lobby_for_hosts(actor.appointment_id)


@transaction.atomic
def deny(*, actor_id: str, target_id: str) -> list[Delivery]:
    _actor, target = _host_and_target(actor_id, target_id)
    denied = Delivery(target.channel_name, p.Denied(type="denied"), close=True)
    return [denied, *_depart(target, p.State.DENIED)]


def relay_signal(*, sender_id: str, to: str, data: p.SignalData) -> list[Delivery]:
    """Pass negotiation data to exactly one other admitted participant of the same room.

    The busiest path of the server (every SDP and ICE candidate), so one query reads
    both rows, as plain values. No lock: a relay changes no state, and one that races a
    departure reaches a connection that is closing anyway.
    """
    rows = {
        pk: (appointment_id, state, channel_name)
        for pk, appointment_id, state, channel_name in Participant.objects.filter(
            pk__in={sender_id, to}
        ).values_list("pk", "appointment_id", "state", "channel_name")
    }
    sender = rows.get(sender_id)
    if sender is None:
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "not in a room")
    if sender[1] != p.State.ADMITTED:
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "only participants in the call can signal")
    target = rows.get(to) if to != sender_id else None
    if target is None or target[0] != sender[0] or target[1] != p.State.ADMITTED:
        raise p.ProtocolError(p.ErrorCode.NO_SUCH_PARTICIPANT, "no such participant in the call")
    if settings.VISAVIS["TEST_TAMPER_FINGERPRINTS"]:
        data = _tamper(data)
    return [Delivery(target[2], p.SignalIn(type="signal", from_=sender_id, data=data))]


def _tamper(data: p.SignalData) -> p.SignalData:
    """Test hook (setting test_tamper_fingerprints): what a malicious signalling server
    would do to sit in the middle. The safety codes on both ends then differ."""
    if data.description is None:
        return data
    sdp = re.sub(
        r"(a=fingerprint:\S+ )([0-9A-F]{2})",
        lambda m: m.group(1) + ("00" if m.group(2) != "00" else "FF"),
        data.description.sdp,
    )
    description = data.description.model_copy(update={"sdp": sdp})
    return data.model_copy(update={"description": description})


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
    return _depart(participant, p.State.LEFT)


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
    if participant.state == p.State.LOBBY:
        return None, _depart(participant, p.State.LEFT)
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
    return _depart(participant, p.State.LEFT)


def touch(*, participant_id: str) -> None:
    """A sign of life (a ping) from the participant's connection."""
    Participant.objects.filter(pk=participant_id).update(last_seen=timezone.now())
