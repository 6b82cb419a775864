"""What one connection knows of its call's other members, so that relaying negotiation
data (every SDP and ICE candidate: the busiest path of the server) needs no database.

The knowledge is the answer of :func:`visavis.rooms.services.call_peers` (one query),
kept until a message passes this connection that may mean the call's membership or this
participant's own place changed: then it is forgotten and asked for again at the next
relay. Only messages known to change nothing keep it; any other message, including one
added to the protocol later, forgets it. The database stays the truth; this is a cache
that can only be out of date for the moments a message takes to arrive — the same
moments in which a relay through the database could race a departure.
"""

from __future__ import annotations

# Server messages that change neither who is in the call nor where they are connected.
UNCHANGED_BY = frozenset({"signal", "pong", "error", "lobby", "note", "status"})


class KnownPeers:
    def __init__(self) -> None:
        # Participant id -> channel name of everyone else admitted to this connection's
        # call; None: unknown (not asked yet, or forgotten).
        self.channels: dict[str, str] | None = None

    def channel_of(self, participant_id: str) -> str | None:
        return None if self.channels is None else self.channels.get(participant_id)

    def learn(self, channels: dict[str, str]) -> None:
        self.channels = channels

    def saw(self, message_type: str | None) -> None:
        """A message passed on to this connection's client (None: an internal notice
        that a member moved to another connection)."""
        if message_type not in UNCHANGED_BY:
            self.channels = None
