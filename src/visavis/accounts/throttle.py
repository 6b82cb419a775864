"""Login throttling: failed attempts per username and per client address, in the database.

Both login steps (password, then second factor) count here, and so does every password
reset request. The counts live in the database so that they hold across all server
processes. What is counted is stored only as a keyed hash (HMAC with the secret key), so
the table holds no usernames and no addresses.

A name or address is refused once it has ``limit`` failures within the window; it may try
again when the oldest of those is older than the window (a sliding window, as for PINs).
Unknown usernames are counted exactly like known ones: the refusal says nothing about
whether an account exists.

Admission is atomic (:func:`admit`): in one transaction that holds a lock on the counted
keys in every process (a PostgreSQL advisory lock; SQLite's write lock, taken at the start
of each transaction with ``transaction_mode=IMMEDIATE``), the recent failures are counted
and the attempt is recorded as a failure *before* the password or code is checked. A
successful check removes that record again. So a burst of concurrent attempts is evaluated
at most ``limit`` times, and the costly password hash starts only for admitted attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from visavis.accounts.models import LoginFailure


@dataclass(frozen=True)
class Counter:
    """One thing that is counted, with its limit."""

    key: str
    limit: int


def _setting(name: str) -> int:
    return int(settings.VISAVIS[name])


def window() -> timedelta:
    return timedelta(minutes=_setting("LOGIN_WINDOW_MINUTES"))


def _hash(kind: str, value: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def client_address(request) -> str:
    """The client's address (from the proxy's ``X-Forwarded-For`` when ``behind_tls_proxy``,
    as in rooms/limits.py). IPv6 addresses count per /64: one machine usually has a whole
    /64 to pick addresses from."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    if settings.VISAVIS.get("BEHIND_TLS_PROXY"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def normalise_username(username: str) -> str:
    """The name as authentication sees it (NFKC, as ``AbstractBaseUser.normalize_username``
    and the login form do), without case: full-width ``carol``, ``Carol`` and ``carol`` are one."""
    name = unicodedata.normalize("NFKC", username or "").strip()
    return unicodedata.normalize("NFKC", name.casefold())


def for_username(username: str) -> Counter:
    name = normalise_username(username)
    return Counter(_hash("user", name), _setting("LOGIN_MAX_ATTEMPTS"))


def for_address(request) -> Counter:
    return Counter(
        _hash("address", client_address(request)), _setting("LOGIN_MAX_ATTEMPTS_PER_ADDRESS")
    )


def for_reset(request) -> Counter:
    """Password reset requests per address (each request counts, not only failures)."""
    return Counter(
        _hash("reset", client_address(request)), _setting("LOGIN_MAX_ATTEMPTS_PER_ADDRESS")
    )


def login_counters(request, username: str) -> list[Counter]:
    return [for_username(username), for_address(request)]


def blocked_until(counters: list[Counter], *, now: datetime | None = None) -> datetime | None:
    """When the next attempt is allowed again, or None if it is allowed now."""
    now = now or timezone.now()
    since = now - window()
    latest = None
    for counter in counters:
        times = list(
            LoginFailure.objects.filter(key=counter.key, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[: counter.limit]
        )
        if len(times) >= counter.limit:
            # The oldest of the last ``limit`` failures must leave the window first.
            until = times[-1] + window()
            latest = until if latest is None or until > latest else latest
    return latest


# A minute's margin: the cleaning never touches a row that a request about to forgive a
# name could still delete (two deletes of the same rows could deadlock on PostgreSQL).
_CLEANUP_MARGIN = timedelta(minutes=1)
# Any fixed number: only one PostgreSQL transaction at a time deletes old failures.
_CLEANUP_LOCK = 0x76766C66


def _lock_number(key: str) -> int:
    """A PostgreSQL advisory lock number (signed 64 bit) for a counted key."""
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def _lock(counters: list[Counter]) -> None:
    """Within the current transaction: wait until no other process admits an attempt on
    any of these keys. Sorted, so that two requests never wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for number in sorted({_lock_number(c.key) for c in counters}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
    elif connection.vendor == "sqlite":
        # transaction_mode=IMMEDIATE (settings.py): the transaction began with the
        # database's write lock, so all admissions of all processes take turns.
        pass
    else:  # pragma: no cover - visavis supports these two
        raise RuntimeError(f"no admission lock for {connection.vendor}")


def delete_expired(*, now: datetime | None = None) -> int:
    """Delete failures whose window is over (on PostgreSQL, one process at a time; the
    others skip). Returns how many were deleted."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_CLEANUP_LOCK])
            if not cursor.fetchone()[0]:
                return 0
            return LoginFailure.objects.filter(at__lte=now - window() - _CLEANUP_MARGIN).delete()[0]
    return LoginFailure.objects.filter(at__lte=now - window() - _CLEANUP_MARGIN).delete()[0]


@dataclass
class Admission:
    """The answer of :func:`admit`: refused until ``blocked_until``, or admitted with the
    failure records that :func:`succeeded` removes again."""

    counters: list[Counter]
    blocked_until: datetime | None = None
    records: list[int] = field(default_factory=list)

    @property
    def admitted(self) -> bool:
        return self.blocked_until is None


def admit(counters: list[Counter]) -> Admission:
    """Admit one attempt, or refuse it, atomically across all processes: count the recent
    failures and, if no counter is at its limit, record the attempt as a failure of each
    counter, all under one lock. Check the password or code only after this; call
    :func:`succeeded` when it was right."""
    with transaction.atomic():
        _lock(counters)
        now = timezone.now()  # after the lock: see every failure recorded before it
        until = blocked_until(counters, now=now)
        if until is not None:
            return Admission(counters, blocked_until=until)
        rows = LoginFailure.objects.bulk_create(LoginFailure(key=c.key, at=now) for c in counters)
    delete_expired(now=now)
    return Admission(counters, records=[row.pk for row in rows])


def succeeded(admission: Admission, *, forgive: bool = True) -> None:
    """The admitted attempt was right: it is no failure. With ``forgive``, the username's
    earlier failures (its first counter) are forgiven too (a complete login)."""
    LoginFailure.objects.filter(pk__in=admission.records).delete()
    if forgive and admission.counters:
        forget(admission.counters[0])


def failed(admission: Admission) -> datetime | None:
    """The admitted attempt was wrong (it is counted already): when the next attempt is
    allowed, or None if it is allowed now."""
    return blocked_until(admission.counters)


def forget(counter: Counter) -> None:
    """Clear a counter (a username after a complete login: its typos are forgiven). Only
    failures within the window: older ones are :func:`delete_expired`'s."""
    since = timezone.now() - window()
    LoginFailure.objects.filter(key=counter.key, at__gt=since).delete()
