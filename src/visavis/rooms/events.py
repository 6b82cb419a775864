"""The room's own words: who a participant is, where they stand, and what happened.

Room services return these events inside their deliveries (``services.Delivery``); they
never build protocol messages. The consumer turns each event into the message of the
protocol version its connection speaks (rooms/wire.py), so a new protocol version, or a
second kind of client, changes the translation and not the room. The protocol
(rooms/protocol.py) and the database (rooms/models.py) reuse :class:`Role` and
:class:`State`.

Events are small frozen dataclasses: plain values, no database rows, safe to hand to
another task or keep after the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from visavis.rooms.errors import Reason


class Role(StrEnum):
    """The counselor is the room's host; everyone else (a client, another counselor) is a
    guest."""

    HOST = "host"
    GUEST = "guest"


class State(StrEnum):
    """Where a participant stands. ``lobby``: connected, not yet knocked; ``waiting``:
    knocked, in the waiting room; ``admitted``: in the call."""

    LOBBY = "lobby"
    WAITING = "waiting"
    ADMITTED = "admitted"
    DENIED = "denied"
    LEFT = "left"
    REMOVED = "removed"


# --- parts of events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Peer:
    """Someone in the call."""

    id: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class WaitingGuest:
    """Someone in the waiting room."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class IceServer:
    """One STUN or TURN server a browser may use (rooms/turn.py), credentials short-lived."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True, slots=True)
class WatchedRoom:
    """One of a counselor's rooms with whoever waits in it now, for their watch
    connections (dashboard, room pages)."""

    appointment: str
    title: str
    url: str
    waiting: list[WaitingGuest]


# --- what happened, for one participant or one counselor's watch connections -----------


@dataclass(frozen=True, slots=True)
class Welcome:
    """The participant has a place in the room (new or resumed) and a fresh resume token."""

    participant_id: str
    role: Role
    state: State
    max_participants: int
    resume_token: str
    resumed: bool
    resume_grace_seconds: int
    ice_transport_policy: str


@dataclass(frozen=True, slots=True)
class IceServers:
    """Relay servers for a participant in the call, valid until ``expires_at``."""

    servers: list[IceServer]
    transport_policy: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Waiting:
    """To a guest: the knock stands; whether the counselor is here, whether the call is
    full."""

    counselor_present: bool
    call_full: bool = False


@dataclass(frozen=True, slots=True)
class WaitingRoom:
    """To the host: everyone waiting now, oldest knock first (the whole list)."""

    waiting: list[WaitingGuest]


@dataclass(frozen=True, slots=True)
class Admitted:
    """To the participant who entered the call: who is already in it."""

    peers: list[Peer]


@dataclass(frozen=True, slots=True)
class Joined:
    """To everyone in the call: someone entered it."""

    peer: Peer


@dataclass(frozen=True, slots=True)
class Left:
    """To everyone in the call: someone is no longer in it."""

    participant_id: str


@dataclass(frozen=True, slots=True)
class Denied:
    """To a waiting guest: the host turned them away, with the host's message if any."""

    message: str | None = None


@dataclass(frozen=True, slots=True)
class SentBack:
    """To a guest: the host moved them from the call back to the waiting room."""


@dataclass(frozen=True, slots=True)
class Removed:
    """To a guest: the host took them out of the room."""


@dataclass(frozen=True, slots=True)
class Ended:
    """To everyone in the room: the host ended the session."""


@dataclass(frozen=True, slots=True)
class Note:
    """To waiting guests: the host's note; "" when there is none any more."""

    text: str


@dataclass(frozen=True, slots=True)
class WaitingReply:
    """To the host: a waiting guest's answer, a prepared one (``preset``) or their own
    short ``text``."""

    guest_id: str
    preset: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class Status:
    """To the host: the room's lock, note and timer."""

    locked: bool
    note: str
    ends_at: datetime
    started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LinkClosed:
    """To a guest not let in yet: the link was revoked or the appointment cancelled."""


@dataclass(frozen=True, slots=True)
class Replaced:
    """To an earlier connection of the same participant: another one took over."""


@dataclass(frozen=True, slots=True)
class Signal:
    """Negotiation data from ``sender_id`` to another member of the call. ``data`` is
    opaque to the room: whatever the connection parsed (protocol.SignalData), passed on
    untouched."""

    sender_id: str
    data: object


@dataclass(frozen=True, slots=True)
class Refused:
    """To the participant who asked: the room refused, and still tells others something
    (see services.admit: the call is full). Raised refusals are errors.RoomError."""

    reason: Reason
    message: str


@dataclass(frozen=True, slots=True)
class Watching:
    """To a new watch connection: each of the counselor's rooms where someone waits."""

    rooms: list[WatchedRoom]


@dataclass(frozen=True, slots=True)
class WaitingChanged:
    """To a counselor's watch connections: who waits in one of their rooms now."""

    room: WatchedRoom


Event = (
    Welcome | IceServers | Waiting | WaitingRoom | Admitted | Joined | Left | Denied
    | SentBack | Removed | Ended | Note | WaitingReply | Status | LinkClosed | Replaced
    | Signal | Refused | Watching | WaitingChanged
)
