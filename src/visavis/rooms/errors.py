"""Why the room refuses something: the errors room services raise.

They say what the room decided, in the room's own terms; the consumer turns them into
the protocol's ``error`` messages (rooms/wire.py), so the services never speak the wire.
A service that raises has changed nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a room service refused. Each has one protocol error code (rooms/wire.py)."""

    UNKNOWN_ROOM = "unknown-room"  # the room token names no room that can be entered
    NOT_ALLOWED = "not-allowed"  # the participant may not do this (now)
    BAD_STATE = "bad-state"  # it does not fit where the participant stands
    NO_SUCH_PARTICIPANT = "no-such-participant"  # nobody who can be acted on
    ROOM_FULL = "room-full"  # the call has its maximum of people
    ROOM_LOCKED = "room-locked"  # the host locked the room against knocks
    SESSION_ENDED = "session-ended"  # the host ended the session for everyone
    HOST_ABSENT = "host-absent"  # nobody to hear it: the host has not opened the room


class RoomError(Exception):
    """A room service refused: ``reason`` for programs, ``message`` (English, for the
    developer of a client; pages show their own translated text) for people."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message
