"""Argon2 with a cap on how many hashes one process computes at once.

Each Argon2 hash takes about 100 MiB of memory for a moment (Django's parameters). Every
HTTP request runs in a thread of its own, so a burst of logins (or of PIN entries, which
are hashed the same way) would compute them all at once: 60 concurrent attempts took a
server process to several gigabytes. Here at most :data:`CONCURRENT_HASHES` run at a time
per process; the others wait their turn. The throttle (accounts/throttle.py) admits an
attempt before its hash, so a burst against one name or address waits for only a few.
"""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import Argon2PasswordHasher

CONCURRENT_HASHES = 2
_slots = threading.BoundedSemaphore(CONCURRENT_HASHES)


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name and parameters: stored hashes stay
    valid), computing at most :data:`CONCURRENT_HASHES` hashes at once per process."""

    def encode(self, password, salt):
        with _slots:
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _slots:
            return super().verify(password, encoded)
