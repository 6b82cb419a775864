"""Room services: every change to who waits, who is admitted and who is host happens here.

Each function runs in one database transaction that locks the appointment row, so
two processes acting on the same room are serialised by the database, not by
memory. Functions return the deliveries the change causes; the consumer only
sends them. They raise :class:`~visavis.rooms.protocol.ProtocolError` for
anything a client may not do, and never change state when they raise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from visavis.appointments.models import Appointment
from visavis.rooms import protocol as p
from visavis.rooms.models import Participant

ACTIVE_STATES = (p.State.LOBBY, p.State.WAITING, p.State.ADMITTED)


@dataclass(frozen=True)
class Delivery:
    """Send ``message`` to the connection at ``channel``; then close it if ``close``."""

    channel: str
    message: p._Message
    close: bool = False


def max_participants() -> int:
    return settings.VISAVIS["MAX_PARTICIPANTS"]


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
    message = p.Lobby(
        type="lobby", waiting=[p.WaitingGuest(id=w.id, name=w.name) for w in waiting]
    )
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


@transaction.atomic
def join(*, room_token: str, user, channel_name: str) -> tuple[Participant, list[Delivery]]:
    """Open a participant for a connection that said hello to ``room_token``.

    The role comes only from the authenticated ``user``: the appointment's owner is
    host and enters the call at once; anyone else is a guest in the lobby. A host
    joining again replaces any earlier host connection of the same room.
    """
    from visavis.appointments.services import find_by_room_token

    appointment = find_by_room_token(room_token)
    if appointment is None:
        raise p.ProtocolError(p.ErrorCode.UNKNOWN_ROOM, "this room link is not valid")
    appointment = _lock_room(appointment.pk)
    is_host = bool(user and user.is_authenticated and user.pk == appointment.owner_id)
    participant = Participant(
        appointment=appointment,
        role=p.Role.HOST if is_host else p.Role.GUEST,
        state=p.State.LOBBY,
        name=(user.get_full_name() or user.get_username()) if is_host else "",
        user=user if is_host else None,
        channel_name=channel_name,
    )
    participant.save()
    welcome = p.Welcome(
        type="welcome",
        version=p.PROTOCOL_VERSION,
        id=participant.id,
        role=participant.role,
        state=p.State.ADMITTED if is_host else p.State.LOBBY,
        max_participants=max_participants(),
    )
    deliveries = [Delivery(channel_name, welcome)]
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
def knock(*, participant_id: str, name: str) -> list[Delivery]:
    participant = _participant(participant_id)
    _lock_room(participant.appointment_id)
    participant.refresh_from_db()
    if participant.role != p.Role.GUEST or participant.state != p.State.LOBBY:
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "only a guest in the lobby can knock")
    participant.state = p.State.WAITING
    participant.name = name.strip()
    participant.knocked_at = timezone.now()
    participant.save(update_fields=["state", "name", "knocked_at"])
    return [
        Delivery(participant.channel_name, p.Waiting(type="waiting")),
        *_lobby_for_hosts(participant.appointment_id),
    ]


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
    if len(_admitted(actor.appointment_id)) >= max_participants():
        raise p.ProtocolError(
            p.ErrorCode.ROOM_FULL, f"the call has its maximum of {max_participants()} people"
        )
    return _enter_call(target) + _lobby_for_hosts(actor.appointment_id)


@transaction.atomic
def deny(*, actor_id: str, target_id: str) -> list[Delivery]:
    _actor, target = _host_and_target(actor_id, target_id)
    denied = Delivery(target.channel_name, p.Denied(type="denied"), close=True)
    return [denied, *_depart(target, p.State.DENIED)]


def relay_signal(*, sender_id: str, to: str, data: p.SignalData) -> list[Delivery]:
    """Pass negotiation data to exactly one other admitted participant of the same room."""
    sender = _participant(sender_id)
    if sender.state != p.State.ADMITTED:
        raise p.ProtocolError(p.ErrorCode.BAD_STATE, "only participants in the call can signal")
    target = (
        Participant.objects.filter(
            pk=to, appointment_id=sender.appointment_id, state=p.State.ADMITTED
        )
        .exclude(pk=sender.pk)
        .first()
    )
    if target is None:
        raise p.ProtocolError(p.ErrorCode.NO_SUCH_PARTICIPANT, "no such participant in the call")
    return [Delivery(target.channel_name, p.SignalIn(type="signal", from_=sender.id, data=data))]


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
