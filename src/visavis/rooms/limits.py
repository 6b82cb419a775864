"""Abuse limits of the room WebSocket: message rate, connections per room and per address,
knocks per address.

The counters live in the memory of one server process: with several processes (see
``docs/config.md``, *Several processes*) each enforces the limits for the connections it
serves, so the effective limit is up to the number of processes times the setting.
Client addresses are kept only as dictionary keys while they have connections or recent
knocks, never written anywhere.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from django.conf import settings


def _setting(name: str):
    return settings.VISAVIS[name]


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; each message takes one."""

    def __init__(self, *, rate: float, burst: int, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.clock = clock
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def message_bucket() -> TokenBucket:
    return TokenBucket(
        rate=_setting("WS_MESSAGES_PER_SECOND"), burst=_setting("WS_MESSAGE_BURST")
    )


class Counter:
    """Open connections per key (a room token or a client address) in this process."""

    def __init__(self):
        self.counts: dict[str, int] = defaultdict(int)

    def acquire(self, key: str, limit: int) -> bool:
        """Count one more for ``key`` unless it already has ``limit``. No await inside,
        so that check and count cannot be interleaved by another connection."""
        if self.counts[key] >= limit:
            if not self.counts[key]:
                del self.counts[key]
            return False
        self.counts[key] += 1
        return True

    def release(self, key: str) -> None:
        self.counts[key] -= 1
        if self.counts[key] <= 0:
            del self.counts[key]


class Window:
    """At most ``limit`` events per key within the last ``seconds``."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self.events: dict[str, deque] = {}

    def allow(self, key: str, limit: int) -> bool:
        now = self.clock()
        events = self.events.setdefault(key, deque())
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if len(events) >= limit:
            return False
        events.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        if len(self.events) > 1000:
            for key in [k for k, e in self.events.items() if not e or e[-1] <= now - self.seconds]:
                del self.events[key]


ROOMS = Counter()
ADDRESSES = Counter()
KNOCKS = Window(60)


def client_address(scope) -> str:
    """The client's address: from the proxy's ``X-Forwarded-For`` when ``behind_tls_proxy``
    (nginx sets it to the address it saw), otherwise the connection's own peer."""
    if _setting("BEHIND_TLS_PROXY"):
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[-1].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def reset() -> None:
    """Forget all counts (tests)."""
    ROOMS.counts.clear()
    ADDRESSES.counts.clear()
    KNOCKS.events.clear()
