"""Argon2 with a cap on how many hashes one process computes at once.

Each Argon2 hash takes about 100 MiB of memory for a moment (Django's parameters). Every
HTTP request runs in a thread of its own, so a burst of logins (or of PIN entries, which
are hashed the same way) would compute them all at once: 60 concurrent attempts took a
server process to several gigabytes. Here at most :data:`CONCURRENT_HASHES` run at a time
per process; the others wait their turn. The throttle (accounts/throttle.py) admits an
attempt before its hash, so a burst against one name or address waits for only a few.

A request waiting for its turn gives its pooled database connection back first (with
PostgreSQL, settings.py): otherwise the waiting requests would hold the whole pool, and
the others would fail for want of a connection.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connections

CONCURRENT_HASHES = 2
_slots = threading.BoundedSemaphore(CONCURRENT_HASHES)


def _release_pooled_connections() -> None:
    for connection in connections.all(initialized_only=True):
        pooled = connection.settings_dict.get("OPTIONS", {}).get("pool")
        if pooled and not connection.in_atomic_block:
            connection.close()  # back to the pool; the next query takes one again


@contextmanager
def _slot():
    if not _slots.acquire(blocking=False):
        _release_pooled_connections()
        _slots.acquire()
    try:
        yield
    finally:
        _slots.release()


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name and parameters: stored hashes stay
    valid), computing at most :data:`CONCURRENT_HASHES` hashes at once per process."""

    def encode(self, password, salt):
        with _slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _slot():
            return super().verify(password, encoded)
