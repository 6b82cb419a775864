"""What one connection knows of its call's other members, so that relaying negotiation
data (every SDP and ICE candidate: the busiest path of the server) needs no database.

A connection learns the members with the messages that change them: ``admitted`` comes
with the channels of everyone already in the call, ``joined`` with the newcomer's
(``routes`` beside the message, for the server only; clients never see a channel name).
Any other message that may mean the membership or this participant's own place changed
makes it forget, and the next relay asks the database (:func:`visavis.rooms.services.
call_peers`, one query). Only messages known to change nothing keep what it knows;
any other message, including one added to the protocol later, forgets. The database
stays the truth; this can only be out of date for the moments a message takes to
arrive — the moments in which a relay through the database could race a departure.
"""

from __future__ import annotations

# Server messages that change neither who is in the call nor where they are connected
# ("lobby": version 1's name for "waiting-room").
UNCHANGED_BY = frozenset({"signal", "pong", "error", "waiting-room", "lobby", "note", "status"})


class RelayCache:
    def __init__(self) -> None:
        # Participant id -> channel name of everyone else admitted to this connection's
        # call; None: unknown (not asked yet, or forgotten).
        self.channels: dict[str, str] | None = None

    def channel_of(self, participant_id: str) -> str | None:
        return None if self.channels is None else self.channels.get(participant_id)

    def learn(self, channels: dict[str, str]) -> None:
        self.channels = channels

    def saw(self, message_type: str | None, routes: dict[str, str] | None = None) -> None:
        """A message passed on to this connection's client, with the channels the server
        sent beside it (None as the type: an internal notice that a member moved to
        another connection)."""
        if message_type in UNCHANGED_BY:
            return
        if message_type == "admitted" and routes is not None:
            self.channels = dict(routes)
        elif message_type == "joined" and routes is not None and self.channels is not None:
            self.channels.update(routes)
        else:
            self.channels = None
