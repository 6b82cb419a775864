"""The counts behind the abuse limits: in memory for one process, in Redis for several.

The Redis store is tested against the real Redis (127.0.0.1:6379 or
VISAVIS_TEST_REDIS_URL); two stores with their own clients stand for two processes."""

from __future__ import annotations

import os
import uuid

import pytest

from visavis.rooms import limits

REDIS_URL = os.environ.get("VISAVIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_store_counts_members_and_forgets_the_silent():
    clock = Clock()
    store = limits.MemoryStore(clock=clock)
    assert await store.acquire("a", "c1", 2)
    assert await store.acquire("a", "c2", 2)
    assert not await store.acquire("a", "c3", 2)
    assert await store.acquire("a", "c1", 2), "a member already counted is not refused"
    await store.release("a", "c1")
    assert await store.acquire("a", "c3", 2)
    # c2 never says anything again (its process died): it stops counting after the TTL;
    # c3 pinged meanwhile and still counts.
    clock.now += limits.CONNECTION_TTL_SECONDS - 1
    await store.refresh("a", "c3")
    clock.now += 2
    assert store.count("a") == 2
    assert await store.acquire("a", "c4", 2)
    assert not await store.acquire("a", "c5", 2)


async def test_memory_store_allows_events_per_window():
    clock = Clock()
    store = limits.MemoryStore(clock=clock)
    assert [await store.allow("k", 2, 60) for _ in range(3)] == [True, True, False]
    clock.now += 61
    assert await store.allow("k", 2, 60)


@pytest.fixture
async def two_processes():
    """Two Redis stores under one fresh prefix, as two server processes would have."""
    import redis.asyncio as redis

    probe = redis.Redis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except Exception:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    finally:
        await probe.aclose()
    prefix = f"visavis-test:{uuid.uuid4().hex}:"
    stores = [limits.RedisStore(REDIS_URL, prefix=prefix) for _ in range(2)]
    yield stores
    await stores[0].clear()
    for store in stores:
        await store.client.aclose()


async def test_redis_counts_connections_across_processes(two_processes):
    first, second = two_processes
    assert await first.acquire("room", "c1", 2)
    assert await second.acquire("room", "c2", 2)
    assert not await first.acquire("room", "c3", 2)
    assert not await second.acquire("room", "c3", 2)
    await first.release("room", "c2")  # any process may release any member
    assert await second.acquire("room", "c3", 2)
    await first.refresh("room", "c1")
    assert not await first.acquire("room", "c4", 2)


async def test_redis_knock_window_holds_across_processes(two_processes):
    first, second = two_processes
    results = [await (first if i % 2 else second).allow("knock", 3, 60) for i in range(5)]
    assert results == [True, True, True, False, False]


async def test_redis_entries_of_a_dead_process_expire(two_processes, monkeypatch):
    first, second = two_processes
    monkeypatch.setattr(limits, "CONNECTION_TTL_SECONDS", 1)
    assert await first.acquire("address", "c1", 1)
    assert not await second.acquire("address", "c2", 1)
    import asyncio

    await asyncio.sleep(1.2)
    assert await second.acquire("address", "c2", 1)


async def test_redis_store_serves_hundreds_at_once(two_processes):
    """Hundreds of connections closing together (a network blip) each release their
    place; none fails for want of a pooled Redis connection (redis-py 8 caps pools)."""
    import asyncio

    first, _ = two_processes
    members = [f"c{i}" for i in range(400)]
    assert all(await asyncio.gather(*(first.acquire("busy", m, 1000) for m in members)))
    await asyncio.gather(*(first.release("busy", m) for m in members))
    assert await first.client.zcard(first.prefix + "busy") == 0


def test_keys_are_keyed_hashes_not_addresses(settings):
    key = limits._key("address", "192.0.2.7")
    assert "192.0.2.7" not in key
    assert key == limits._key("address", "192.0.2.7")
    settings.SECRET_KEY = "another secret key of the service, long enough to be a key"
    assert limits._key("address", "192.0.2.7") != key
