"""Login throttling: failed attempts per username and per client address, in the database.

Both login steps (password, then second factor) count here, and so does every password
reset request. The counts live in the database so that they hold across all server
processes. What is counted is stored only as a keyed hash (HMAC with the secret key), so
the table holds no usernames and no addresses.

A name or address is refused once it has ``limit`` failures within the window; it may try
again when the oldest of those is older than the window (a sliding window, as for PINs).
Unknown usernames are counted exactly like known ones: the refusal says nothing about
whether an account exists.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
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


def for_username(username: str) -> Counter:
    name = (username or "").strip().casefold()
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


def record_failure(counters: list[Counter], *, now: datetime | None = None) -> None:
    """Count one failure against each counter; forget failures older than the window."""
    now = now or timezone.now()
    LoginFailure.objects.filter(at__lte=now - window()).delete()
    LoginFailure.objects.bulk_create(LoginFailure(key=c.key, at=now) for c in counters)


def forget(counter: Counter) -> None:
    """Clear a counter (a username after a complete login: its typos are forgiven)."""
    LoginFailure.objects.filter(key=counter.key).delete()
