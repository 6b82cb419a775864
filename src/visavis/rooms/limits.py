"""Abuse limits of the room WebSocket: message rate, connections per room and per address,
knocks per address.

The message rate is per connection, counted in its own process. The other limits are
per service: on the embedded default (one process) they are counted in memory; with
``REDIS_URL`` (several processes) in Redis, so that two processes together allow no more
than one. Redis holds them in sorted sets whose entries expire by themselves (a process
that dies cannot leave a count behind), under keyed hashes of the address or room
token: neither an address nor a room link is ever written there in the clear.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import hmac
import time
import uuid
import weakref

from django.conf import settings

# How often clients send ``ping`` (docs/protocol.md, *ping*; the browser client's
# PING_INTERVAL_MS in js/socket.js). Every timeout that waits for a sign of life is a
# number of missed pings.
CLIENT_PING_SECONDS = 15
# How long a connection counts without a sign of life (six missed pings); a connection
# of a process that died stops counting after this.
CONNECTION_TTL_SECONDS = 6 * CLIENT_PING_SECONDS
KNOCK_WINDOW_SECONDS = 60
REDIS_PREFIX = "visavis:limits:"


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


# --- stores ---------------------------------------------------------------------------------


class MemoryStore:
    """One process: members per key, and recent events per key, in dictionaries. No await
    between check and count, so connections of this process cannot interleave them."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.members: dict[str, dict[str, float]] = {}
        # Oldest first; a list, not a deque: most keys hold one or two times, and an
        # empty deque alone is ~600 bytes (one per connecting address).
        self.events: dict[str, list[float]] = {}

    async def acquire(self, key: str, member: str, limit: int) -> bool:
        now = self.clock()
        members = self.members.setdefault(key, {})
        for stale in [m for m, until in members.items() if until <= now]:
            del members[stale]
        if member not in members and len(members) >= limit:
            if not members:
                del self.members[key]
            return False
        members[member] = now + CONNECTION_TTL_SECONDS
        return True

    async def refresh(self, key: str, member: str) -> None:
        members = self.members.get(key)
        if members is not None and member in members:
            members[member] = self.clock() + CONNECTION_TTL_SECONDS

    async def release(self, key: str, member: str) -> None:
        members = self.members.get(key)
        if members is None:
            return
        members.pop(member, None)
        if not members:
            del self.members[key]

    async def allow(self, key: str, limit: int, seconds: float) -> bool:
        now = self.clock()
        events = self.events.setdefault(key, [])
        del events[:bisect.bisect_right(events, now - seconds)]  # the times out of the window
        if len(events) >= limit:
            return False
        events.append(now)
        if len(self.events) > 1000:  # forget keys that have been quiet for a window
            for idle in [k for k, e in self.events.items() if not e or e[-1] <= now - seconds]:
                del self.events[idle]
        return True

    def count(self, key: str) -> int:
        return len(self.members.get(key, {}))

    def clear(self) -> None:
        self.members.clear()
        self.events.clear()


# Check and count in one step inside Redis, so that two processes cannot both pass; the
# time is Redis's own, so the processes' clocks need not agree.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""
_ACQUIRE = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false
   and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
_REFRESH = _NOW + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""
_ALLOW = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""


class RedisStore:
    """Several processes: the same counts in Redis. Members are scored with the time they
    stop counting, events with the time they happened."""

    def __init__(self, url: str, prefix: str = REDIS_PREFIX):
        import redis.asyncio as redis

        # Waits for a free connection rather than failing: redis-py 8 fails a command
        # at once when its pool is at its cap, and a few hundred connections closing
        # together must still each give back their place.
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=50, timeout=10)
        self.client = redis.Redis(connection_pool=pool)
        self.prefix = prefix
        self._acquire = self.client.register_script(_ACQUIRE)
        self._refresh = self.client.register_script(_REFRESH)
        self._allow = self.client.register_script(_ALLOW)

    async def acquire(self, key: str, member: str, limit: int) -> bool:
        return bool(await self._acquire(
            keys=[self.prefix + key], args=[member, limit, CONNECTION_TTL_SECONDS]
        ))

    async def refresh(self, key: str, member: str) -> None:
        await self._refresh(keys=[self.prefix + key], args=[member, CONNECTION_TTL_SECONDS])

    async def release(self, key: str, member: str) -> None:
        await self.client.zrem(self.prefix + key, member)

    async def allow(self, key: str, limit: int, seconds: float) -> bool:
        return bool(await self._allow(
            keys=[self.prefix + key], args=[limit, seconds, uuid.uuid4().hex]
        ))

    async def clear(self) -> None:
        async for key in self.client.scan_iter(match=self.prefix + "*"):
            await self.client.delete(key)


_memory = MemoryStore()
# A Redis client belongs to the event loop it was made in: one per loop.
_redis: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def store() -> MemoryStore | RedisStore:
    url = _setting("REDIS_URL")
    if not url:
        return _memory
    loop = asyncio.get_running_loop()
    if loop not in _redis:
        _redis[loop] = RedisStore(url)
    return _redis[loop]


def _key(kind: str, value: str) -> str:
    """A keyed hash: stable across the service's processes, meaningless to anyone else."""
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:32]}"


# --- the limits -----------------------------------------------------------------------------


async def open_connection(address: str, connection: str) -> bool:
    """Count ``connection`` against its client address, unless the address has its maximum."""
    return await store().acquire(
        _key("address", address), connection, _setting("MAX_CONNECTIONS_PER_ADDRESS")
    )


async def close_connection(address: str, connection: str) -> None:
    await store().release(_key("address", address), connection)


async def enter_room(room: str, connection: str) -> bool:
    """Count ``connection`` against the room (its token), unless the room has its maximum."""
    return await store().acquire(
        _key("room", room), connection, _setting("MAX_CONNECTIONS_PER_ROOM")
    )


async def exit_room(room: str, connection: str) -> None:
    await store().release(_key("room", room), connection)


async def still_here(address: str, room: str | None, connection: str) -> None:
    """A sign of life: the connection keeps counting (in Redis, its entries would expire)."""
    current = store()
    await current.refresh(_key("address", address), connection)
    if room is not None:
        await current.refresh(_key("room", room), connection)


async def allow_knock(address: str) -> bool:
    return await store().allow(
        _key("knock", address), _setting("KNOCKS_PER_MINUTE"), KNOCK_WINDOW_SECONDS
    )


# A waiting guest's answers to the host (rooms/services.py reply): a few, not a chat.
REPLIES_PER_MINUTE = 5
REPLY_WINDOW_SECONDS = 60


async def allow_reply(participant: str) -> bool:
    """Count one answer of the waiting guest ``participant``."""
    return await store().allow(_key("reply", participant), REPLIES_PER_MINUTE,
                               REPLY_WINDOW_SECONDS)


# The setup test of one guest link: each run takes a TURN credential; a link that asks
# for more than this in an hour is refused (HTTP 429), so that it cannot drain the relay.
SETUP_CREDENTIALS_PER_HOUR = 20


async def allow_setup_credentials(link: str) -> bool:
    """Count one setup test's TURN credential against the guest link ``link``."""
    return await store().allow(_key("setup-ice", link), SETUP_CREDENTIALS_PER_HOUR, 3600)


def client_address(scope) -> str:
    """The client's address: from the proxy's ``X-Forwarded-For`` when ``behind_tls_proxy``
    (nginx sets it to the address it saw), otherwise the connection's own peer."""
    if _setting("BEHIND_TLS_PROXY"):
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[-1].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def connections_from(address: str) -> int:
    """How many connections the in-memory store counts for ``address`` (tests)."""
    return _memory.count(_key("address", address))


def reset() -> None:
    """Forget all counts, in memory and in Redis (tests: every test browser and hand-made
    client comes from 127.0.0.1, and each test starts with no knocks counted)."""
    _memory.clear()
    url = _setting("REDIS_URL")
    if url:
        import redis

        client = redis.Redis.from_url(url)
        try:
            for key in client.scan_iter(match=REDIS_PREFIX + "*"):
                client.delete(key)
        finally:
            client.close()
