"""The room's events and errors as protocol messages, in the version a connection speaks.

Room services say what happened in the room's own words (rooms/events.py) and why they
refused (rooms/errors.py). This module is the one place that knows how each is said on
the wire (rooms/protocol.py, docs/protocol.md): :func:`message` for an event,
:func:`error` for a refusal. A new protocol version changes the functions here, not the
room.

Across the channel layer (another connection, in this process or another) an event
travels as text, encoded once by the sender (:func:`for_layer`): the newest version's
message, and, for the few events whose message differs in an older version, that
version's text too. The receiving connection picks the text of the version it speaks
(:func:`pick`), so relaying a signal costs one encoding and no parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from visavis.rooms import events
from visavis.rooms import protocol as p
from visavis.rooms.errors import Reason, RoomError

LATEST = p.LATEST_VERSION

CODES: dict[Reason, p.ErrorCode] = {
    Reason.UNKNOWN_ROOM: p.ErrorCode.UNKNOWN_ROOM,
    Reason.NOT_ALLOWED: p.ErrorCode.NOT_ALLOWED,
    Reason.BAD_STATE: p.ErrorCode.BAD_STATE,
    Reason.NO_SUCH_PARTICIPANT: p.ErrorCode.NO_SUCH_PARTICIPANT,
    Reason.ROOM_FULL: p.ErrorCode.ROOM_FULL,
    Reason.ROOM_LOCKED: p.ErrorCode.ROOM_LOCKED,
    Reason.SESSION_ENDED: p.ErrorCode.SESSION_ENDED,
    Reason.HOST_ABSENT: p.ErrorCode.HOST_ABSENT,
}

_BUILDERS: dict[type, Callable[[Any, int], p.Message]] = {}
# Events whose message differs between protocol versions.
_VERSIONED: set[type] = set()


def message(event: events.Event, version: int) -> p.Message:
    """``event`` as the message a connection speaking ``version`` gets."""
    return _BUILDERS[type(event)](event, version)


def error(refusal: RoomError) -> p.Error:
    """A room service's refusal as the protocol's ``error``."""
    return p.Error(type="error", code=CODES[refusal.reason], message=refusal.message)


def for_layer(event: events.Event) -> tuple[str, str, dict[str, str] | None]:
    """What the channel layer carries of ``event``: the newest version's text, its type
    (the relay cache reads it, rooms/relaycache.py), and, only if the message differs in
    older versions, the text for each of them by version (as a string: channels-redis
    serialises the layer message with msgpack)."""
    newest = message(event, LATEST)
    older = None
    if type(event) in _VERSIONED:
        older = {
            str(v): p.encode(message(event, v)) for v in p.SUPPORTED_VERSIONS if v != LATEST
        }
    return p.encode(newest), newest.type, older


def pick(text: str, older: dict[str, str] | None, version: int | None) -> str:
    """Of what :func:`for_layer` made, the text for a connection speaking ``version``."""
    if older and version is not None and version != LATEST:
        return older.get(str(version), text)
    return text


def _builds(event_type: type, *, versioned: bool = False):
    def register(build: Callable[[Any, int], p.Message]):
        _BUILDERS[event_type] = build
        if versioned:
            _VERSIONED.add(event_type)
        return build

    return register


def _peer(peer: events.Peer) -> p.Peer:
    return p.Peer(id=peer.id, name=peer.name, role=peer.role)


def _guests(guests: list[events.WaitingGuest]) -> list[p.WaitingGuest]:
    return [p.WaitingGuest(id=g.id, name=g.name) for g in guests]


def _watched(room: events.WatchedRoom) -> p.WatchedRoom:
    return p.WatchedRoom(
        appointment=room.appointment, title=room.title, url=room.url,
        waiting=_guests(room.waiting),
    )


@_builds(events.Signal)
def _signal(event: events.Signal, version: int) -> p.SignalIn:
    data = event.data
    if settings.VISAVIS["TEST_TAMPER_FINGERPRINTS"]:
        data = _tamper(data)
    return p.SignalIn(type="signal", from_=event.sender_id, data=data)


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


@_builds(events.WaitingRoom, versioned=True)
def _waiting_room(event: events.WaitingRoom, version: int) -> p.WaitingRoom | p.Lobby:
    # Version 1 called the host's list "lobby", the word for the state before a knock.
    if version < 2:
        return p.Lobby(type="lobby", waiting=_guests(event.waiting))
    return p.WaitingRoom(type="waiting-room", waiting=_guests(event.waiting))


@_builds(events.Welcome)
def _welcome(event: events.Welcome, version: int) -> p.Welcome:
    return p.Welcome(
        type="welcome",
        version=version,
        id=event.participant_id,
        role=event.role,
        state=event.state,
        max_participants=event.max_participants,
        resume=event.resume_token,
        resumed=event.resumed,
        resume_grace=event.resume_grace_seconds,
        ice_transport_policy=event.ice_transport_policy,
    )


@_builds(events.IceServers)
def _ice_servers(event: events.IceServers, version: int) -> p.IceServers:
    return p.IceServers(
        type="ice-servers",
        ice_servers=[
            p.IceServer(urls=s.urls, username=s.username, credential=s.credential)
            for s in event.servers
        ],
        ice_transport_policy=event.transport_policy,
        expires_at=event.expires_at,
    )


@_builds(events.Waiting)
def _waiting(event: events.Waiting, version: int) -> p.Waiting:
    return p.Waiting(
        type="waiting", counselor_present=event.counselor_present, call_full=event.call_full
    )


@_builds(events.Admitted)
def _admitted(event: events.Admitted, version: int) -> p.Admitted:
    return p.Admitted(type="admitted", peers=[_peer(peer) for peer in event.peers])


@_builds(events.Joined)
def _joined(event: events.Joined, version: int) -> p.Joined:
    return p.Joined(type="joined", peer=_peer(event.peer))


@_builds(events.Left)
def _left(event: events.Left, version: int) -> p.Left:
    return p.Left(type="left", id=event.participant_id)


@_builds(events.Denied)
def _denied(event: events.Denied, version: int) -> p.Denied:
    return p.Denied(type="denied", message=event.message)


@_builds(events.SentBack)
def _sent_back(event: events.SentBack, version: int) -> p.SentBack:
    return p.SentBack(type="sent-back")


@_builds(events.Removed)
def _removed(event: events.Removed, version: int) -> p.Removed:
    return p.Removed(type="removed")


@_builds(events.Ended)
def _ended(event: events.Ended, version: int) -> p.Ended:
    return p.Ended(type="ended")


@_builds(events.WaitingReply)
def _waiting_reply(event: events.WaitingReply, version: int) -> p.WaitingReply:
    return p.WaitingReply(
        type="waiting-reply", id=event.guest_id, preset=event.preset, text=event.text
    )


@_builds(events.Note)
def _note(event: events.Note, version: int) -> p.Note:
    return p.Note(type="note", text=event.text)


@_builds(events.Status)
def _status(event: events.Status, version: int) -> p.Status:
    return p.Status(
        type="status", locked=event.locked, note=event.note, ends_at=event.ends_at,
        started_at=event.started_at,
    )


@_builds(events.LinkClosed)
def _link_closed(event: events.LinkClosed, version: int) -> p.LinkClosed:
    return p.LinkClosed(type="link-closed")


@_builds(events.Replaced)
def _replaced(event: events.Replaced, version: int) -> p.Replaced:
    return p.Replaced(type="replaced")


@_builds(events.Refused)
def _refused(event: events.Refused, version: int) -> p.Error:
    return p.Error(type="error", code=CODES[event.reason], message=event.message)


@_builds(events.Watching)
def _watching(event: events.Watching, version: int) -> p.Watching:
    return p.Watching(type="watching", rooms=[_watched(room) for room in event.rooms])


@_builds(events.WaitingChanged)
def _waiting_changed(event: events.WaitingChanged, version: int) -> p.WaitingChanged:
    return p.WaitingChanged(type="waiting-changed", room=_watched(event.room))
