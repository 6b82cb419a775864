"""The signalling protocol (versions: :data:`SUPPORTED_VERSIONS`): every message that
crosses the room WebSocket.

This module is the code-side truth; ``docs/protocol.md`` describes the same
messages with examples, and a test feeds every example through :func:`parse_client`
or :func:`parse_server`. Client messages are validated strictly (unknown fields
are refused); nothing a client sends about identity or role is ever trusted.

The room itself does not speak this protocol: its services return domain events
(rooms/events.py) and raise domain errors (rooms/errors.py), and rooms/wire.py turns
them into these messages, in the version each connection speaks.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

# The room's own words (rooms/events.py); the protocol sends their values.
from visavis.rooms.events import Role, State

# The protocol versions this server speaks. A client offers the versions it speaks in
# ``hello``; :func:`choose_version` picks the highest both speak (docs/protocol.md,
# *Handshake and version*). Version 2 calls the host's list of waiting guests
# ``waiting-room`` (version 1: ``lobby``, a word that also names the state before a
# knock); nothing else differs. Pages loaded before an upgrade go on speaking 1.
SUPPORTED_VERSIONS: frozenset[int] = frozenset({1, 2})
# The version a client means when it sends the single ``version`` field of old pages.
PROTOCOL_VERSION = 1
# The newest version: what the channel layer carries between connections (rooms/wire.py).
LATEST_VERSION = max(SUPPORTED_VERSIONS)
# A client never needs to offer more versions than this.
MAX_OFFERED_VERSIONS = 8


def choose_version(
    offered: list[int], supported: frozenset[int] = SUPPORTED_VERSIONS
) -> int | None:
    """The highest version both the client (``offered``) and the server (``supported``)
    speak, or None when they have none in common."""
    common = supported.intersection(offered)
    return max(common) if common else None


ParticipantId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
DisplayName = Annotated[str, Field(min_length=1, max_length=60)]


class ErrorCode(StrEnum):
    """Stable, machine-readable error codes. The ``message`` beside them is for people."""

    BAD_JSON = "bad-json"
    TOO_LARGE = "too-large"
    INVALID = "invalid"
    UNKNOWN_TYPE = "unknown-type"
    VERSION = "version"
    HELLO_FIRST = "hello-first"
    UNKNOWN_ROOM = "unknown-room"
    NOT_ALLOWED = "not-allowed"
    BAD_STATE = "bad-state"
    NO_SUCH_PARTICIPANT = "no-such-participant"
    ROOM_FULL = "room-full"
    # Moderation (issue 5): the host locked the room, or ended the session for everyone.
    ROOM_LOCKED = "room-locked"
    SESSION_ENDED = "session-ended"
    # A waiting guest's reply found no host in the room to read it.
    HOST_ABSENT = "host-absent"
    # Abuse limits (rooms/limits.py).
    TOO_MANY_MESSAGES = "too-many-messages"
    TOO_MANY_KNOCKS = "too-many-knocks"
    TOO_MANY_REPLIES = "too-many-replies"
    TOO_MANY_IN_ROOM = "too-many-in-room"
    TOO_MANY_CONNECTIONS = "too-many-connections"


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- client to server ---------------------------------------------------------------------


OfferedVersions = Annotated[
    list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=MAX_OFFERED_VERSIONS)
]
ResumeToken = Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Hello(Message):
    """Open (or, with ``resume``, reopen) this connection's place in a room.

    The client gives the protocol versions it speaks in ``versions``; pages from before
    version negotiation give the one they speak in ``version`` instead. Exactly one of
    the two."""

    type: Literal["hello"]
    versions: OfferedVersions | None = None
    version: int | None = None
    room: Annotated[str, Field(min_length=1, max_length=64)]
    resume: ResumeToken | None = None
    # With ``resume``: this is a new page (a reload, the link opened again) that holds no
    # media connections of the earlier one, so the others in the call must start afresh.
    rejoin: bool = False

    @model_validator(mode="after")
    def _versions_or_version(self) -> Hello:
        if (self.versions is None) == (self.version is None):
            raise ValueError("give exactly one of versions or version")
        return self

    @property
    def offered(self) -> list[int]:
        """The versions the client speaks, whichever way it said so."""
        return self.versions if self.versions is not None else [self.version]


class Knock(Message):
    type: Literal["knock"]
    name: DisplayName

    @model_validator(mode="after")
    def _name_is_not_blank(self) -> Knock:
        if not self.name.strip():
            raise ValueError("name must not be blank")
        return self


class Admit(Message):
    type: Literal["admit"]
    id: ParticipantId


def _strip_text(value):
    return value.strip() if isinstance(value, str) else value


# A short text from the host to guests (a note, a reason for a denial): one or two
# sentences, shown as plain text. Stripped at both ends; never only whitespace.
NOTE_MAX = 200
ShortText = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=NOTE_MAX)]


class Deny(Message):
    """Turn a waiting guest away, optionally with a short message shown to them."""

    type: Literal["deny"]
    id: ParticipantId
    message: ShortText | None = None


class SendBack(Message):
    """Move a guest in the call back to the waiting room."""

    type: Literal["send-back"]
    id: ParticipantId


class Remove(Message):
    """Take a guest (waiting or in the call) out of the room for good."""

    type: Literal["remove"]
    id: ParticipantId


class Lock(Message):
    """No more knocks; guests already waiting stay."""

    type: Literal["lock"]


class Unlock(Message):
    type: Literal["unlock"]


class End(Message):
    """End the session for everyone in the room, the host included."""

    type: Literal["end"]


class SetNote(Message):
    """A short note to the guests waiting, e.g. "I'll be 5 minutes late"; "" clears it."""

    type: Literal["note"]
    text: Annotated[str, BeforeValidator(_strip_text), Field(max_length=NOTE_MAX)]


# What a waiting guest may answer (docs/protocol.md, *reply*): a prepared message, which
# the host's page shows in the host's language, or a short text of their own.
ReplyPreset = Literal["here", "audio-only", "two-minutes"]
REPLY_MAX = 140
ReplyText = Annotated[
    str, BeforeValidator(_strip_text), Field(min_length=1, max_length=REPLY_MAX)
]


class Reply(Message):
    """From a waiting guest to the host: exactly one of a prepared message or a short text.
    Shown to the host live, never stored."""

    type: Literal["reply"]
    preset: ReplyPreset | None = None
    text: ReplyText | None = None

    @model_validator(mode="after")
    def _preset_or_text(self) -> Reply:
        if (self.preset is None) == (self.text is None):
            raise ValueError("give exactly one of preset or text")
        return self


class SessionDescription(Message):
    type: Literal["offer", "answer", "rollback"]
    sdp: Annotated[str, Field(max_length=60000)] = ""


class IceCandidate(Message):
    candidate: Annotated[str, Field(max_length=1000)]
    sdpMid: Annotated[str, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, Field(max_length=256)] | None = None


class SignalData(Message):
    """Exactly one of a session description or an ICE candidate, opaque to the server."""

    description: SessionDescription | None = None
    candidate: IceCandidate | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SignalData:
        if (self.description is None) == (self.candidate is None):
            raise ValueError("give exactly one of description or candidate")
        return self


class SignalOut(Message):
    type: Literal["signal"]
    to: ParticipantId
    data: SignalData


class Leave(Message):
    type: Literal["leave"]


class Ping(Message):
    type: Literal["ping"]


ClientMessage = Annotated[
    Hello
    | Knock
    | Admit
    | Deny
    | SendBack
    | Remove
    | Lock
    | Unlock
    | End
    | SetNote
    | Reply
    | SignalOut
    | Leave
    | Ping,
    Field(discriminator="type"),
]

# --- server to client ---------------------------------------------------------------------


class Peer(Message):
    id: ParticipantId
    name: str
    role: Role


class WaitingGuest(Message):
    id: ParticipantId
    name: str


class IceServer(Message):
    """One entry of RTCConfiguration.iceServers, credentials short-lived."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class Welcome(Message):
    type: Literal["welcome"]
    version: int
    id: ParticipantId
    role: Role
    state: State
    max_participants: int
    resume: ResumeToken
    resumed: bool = False
    # How long the place is kept after the connection drops (setting resume_grace_seconds).
    resume_grace: int = 60
    ice_transport_policy: Literal["all", "relay"] = "all"


class IceServers(Message):
    """To the host and to admitted guests only: STUN/TURN servers with TURN credentials
    that expire at ``expires_at``, sent on entering the call and again before they expire
    for as long as the participant stays in it (docs/protocol.md, *ice-servers*)."""

    type: Literal["ice-servers"]
    ice_servers: list[IceServer]
    ice_transport_policy: Literal["all", "relay"] = "all"
    expires_at: datetime | None = None


class Waiting(Message):
    """To a guest: the knock arrived. Sent again whenever what it says changes."""

    type: Literal["waiting"]
    # Whether the counselor is connected now (their room page or dashboard is open), so
    # that the page says "has been notified" only when it is true.
    counselor_present: bool = False
    # The call has its maximum of people: the host cannot let this guest in just now.
    call_full: bool = False


class WaitingRoom(Message):
    """To the host: everyone now waiting, oldest knock first (the whole list, every time).
    Version 2 and later; version 1 calls it :class:`Lobby`."""

    type: Literal["waiting-room"]
    waiting: list[WaitingGuest]


class Lobby(Message):
    """Version 1's name for :class:`WaitingRoom`: the same list under the type ``lobby``,
    for pages loaded before the server spoke version 2."""

    type: Literal["lobby"]
    waiting: list[WaitingGuest]


class Admitted(Message):
    """To the participant who entered the call: who is already in it."""

    type: Literal["admitted"]
    peers: list[Peer]


class Joined(Message):
    type: Literal["joined"]
    peer: Peer


class Left(Message):
    type: Literal["left"]
    id: ParticipantId


class Denied(Message):
    """To a waiting guest the host turned away, with the host's message if one was given."""

    type: Literal["denied"]
    message: str | None = None


class SentBack(Message):
    """To a guest: the host moved you from the call back to the waiting room."""

    type: Literal["sent-back"]


class Removed(Message):
    """To a guest: the host took you out of the room. The connection closes."""

    type: Literal["removed"]


class Ended(Message):
    """To everyone in the room: the host ended the session. The connection closes."""

    type: Literal["ended"]


class Note(Message):
    """To waiting guests: the host's current note; "" when there is none any more."""

    type: Literal["note"]
    text: str


class WaitingReply(Message):
    """To the host: what a waiting guest answered (``id`` is in the waiting room list)."""

    type: Literal["waiting-reply"]
    id: ParticipantId
    preset: ReplyPreset | None = None
    text: str | None = None


class Status(Message):
    """To the host: the room's own state, sent on entering and whenever it changes."""

    type: Literal["status"]
    locked: bool
    note: str
    ends_at: datetime
    started_at: datetime | None = None


class WatchedRoom(Message):
    """One of the counselor's rooms with the guests now waiting in it (watch connection)."""

    appointment: str
    title: str
    url: str
    waiting: list[WaitingGuest]


class Watching(Message):
    """To a watch connection on opening: every room of the counselor where someone waits."""

    type: Literal["watching"]
    rooms: list[WatchedRoom]


class WaitingChanged(Message):
    """To a watch connection: who waits in one room now (the whole list; may be empty)."""

    type: Literal["waiting-changed"]
    room: WatchedRoom


class LinkClosed(Message):
    """To a guest who had not been let in yet: the counselor revoked the link or cancelled
    the appointment. The connection closes."""

    type: Literal["link-closed"]


class LoggedOut(Message):
    """To a counselor's connection: they logged out everywhere. The connection closes."""

    type: Literal["logged-out"]


class Replaced(Message):
    """To a host connection: the same counselor opened the room elsewhere and took over."""

    type: Literal["replaced"]


class SignalIn(Message):
    type: Literal["signal"]
    from_: ParticipantId = Field(alias="from")
    data: SignalData

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Pong(Message):
    type: Literal["pong"]


class Error(Message):
    type: Literal["error"]
    code: ErrorCode
    message: str
    # With code ``version``: the versions this server speaks.
    versions: list[int] | None = None


ServerMessage = Annotated[
    Welcome
    | Waiting
    | WaitingRoom
    | Lobby
    | Admitted
    | Joined
    | Left
    | Denied
    | SentBack
    | Removed
    | Ended
    | Note
    | WaitingReply
    | Status
    | Watching
    | WaitingChanged
    | Replaced
    | IceServers
    | LinkClosed
    | LoggedOut
    | SignalIn
    | Pong
    | Error,
    Field(discriminator="type"),
]

_client = TypeAdapter(ClientMessage)
_server = TypeAdapter(ServerMessage)


class ProtocolError(Exception):
    """A client message was refused. Carries the code and a message for the error reply."""

    def __init__(self, code: ErrorCode, message: str, *, versions: list[int] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.versions = versions

    def reply(self) -> Error:
        return Error(type="error", code=self.code, message=self.message, versions=self.versions)


def negotiate(hello: Hello) -> int:
    """The version this connection speaks, or ProtocolError ``version`` listing the
    server's versions, so that the page can tell its user to reload it."""
    version = choose_version(hello.offered)
    if version is None:
        speaks = sorted(SUPPORTED_VERSIONS)
        which = " and ".join(map(str, speaks))
        raise ProtocolError(
            ErrorCode.VERSION,
            f"this server speaks version{'s' if len(speaks) > 1 else ''} {which}; "
            "reload the page",
            versions=speaks,
        )
    return version


def _describe(exc: ValidationError) -> tuple[ErrorCode, str]:
    first = exc.errors()[0]
    if first["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        return ErrorCode.UNKNOWN_TYPE, "unknown or missing message type"
    where = ".".join(str(p) for p in first["loc"][1:]) or "message"
    return ErrorCode.INVALID, f"{where}: {first['msg']}"


def parse_client(text: str | bytes, *, max_bytes: int = 65536):
    """Parse one client message, or raise ProtocolError saying what is wrong with it."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > max_bytes:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"message exceeds {max_bytes} bytes")
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(ErrorCode.BAD_JSON, "message is not valid JSON") from None
    except RecursionError:
        # Thousands of nested brackets: no message of the protocol nests deeper than four.
        raise ProtocolError(ErrorCode.INVALID, "message is nested too deeply") from None
    if not isinstance(raw, dict):
        raise ProtocolError(ErrorCode.INVALID, "message must be a JSON object")
    try:
        # Strict: "1" is not a version and true is not a number; JSON types must match.
        return _client.validate_json(text, strict=True)
    except ValidationError as exc:
        raise ProtocolError(*_describe(exc)) from None


def parse_server(text: str):
    """Parse a server message (used by tests and the documentation check)."""
    return _server.validate_json(text)


def encode(message: Message) -> str:
    return message.model_dump_json(by_alias=True, exclude_none=True)
