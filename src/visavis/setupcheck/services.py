"""The client's setup test: what the browser gets to test the TURN relay with, and keeping
its result on the appointment for the counselor.

Which links may use it is the door's to say (:func:`visavis.entry.door.setup_test`): any
time before the appointment ends, not only while the room is open, since clients are meant
to try it days ahead. It never lets anyone into a room.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from visavis.appointments.models import Appointment
from visavis.rooms import limits, turn
from visavis.rooms.turn import turn_credential
from visavis.setupcheck.models import Browser, SetupCheck, Verdict
from visavis.setupcheck.schema import SetupResult

# The test takes about a minute; its TURN credentials need not live longer than a few.
CREDENTIAL_TTL_SECONDS = 10 * 60
# A link holder could post results in a loop: only the newest few are kept.
KEEP_RESULTS = 10


# --- ICE servers for the test -----------------------------------------------------------------


def _turn_kind(url: str) -> str:
    """udp, tcp or tls: how the browser reaches the TURN server at ``url``."""
    if url.startswith("turns:"):
        return "tls"
    query = urlsplit(url.replace("turn:", "turn://", 1)).query
    return "tcp" if "transport=tcp" in query.lower() else "udp"


def _stun_from_turn(url: str) -> str | None:
    """coturn answers STUN on its plain TURN port: ``turn:h:p?transport=udp`` → ``stun:h:p``."""
    if not url.startswith("turn:") or _turn_kind(url) != "udp":
        return None
    return "stun:" + url[len("turn:") :].split("?", 1)[0]


def may_take_credentials(token: str) -> bool:
    """Whether the setup test of this link may have one more TURN credential now (at most
    :data:`~visavis.rooms.limits.SETUP_CREDENTIALS_PER_HOUR` an hour, counted across the
    service's processes). Always, when no TURN relay is configured: nothing is handed out."""
    if not turn.relays_configured():
        return True
    return async_to_sync(limits.allow_setup_credentials)(token)


def ice_config() -> dict:
    """What the test page tests with: STUN URLs for the reflexive address, and each TURN URL
    on its own with a short-lived credential (a fresh, anonymous user name each time).

    The same servers and the same kind of credential as the room's
    (:func:`visavis.rooms.turn.ice_servers_for`), only shorter-lived.
    """
    config = settings.VISAVIS
    urls: list[str] = config["TURN_URLS"]
    turn_urls = [u for u in urls if u.startswith(("turn:", "turns:"))]
    stun = [u for u in urls if u.startswith(("stun:", "stuns:"))]
    relays: list[dict] = []
    if turn_urls and config["TURN_SECRET"]:
        username, credential = turn_credential(
            secret=config["TURN_SECRET"],
            user=f"setup-{secrets.token_hex(4)}",
            ttl=CREDENTIAL_TTL_SECONDS,
        )
        relays = [
            {"kind": _turn_kind(u), "urls": [u], "username": username, "credential": credential}
            for u in turn_urls
        ]
    if not stun:
        stun = [s for s in (_stun_from_turn(u) for u in turn_urls) if s]
    return {
        "stun": list(dict.fromkeys(stun)),
        "turn": relays,
        "icePolicy": config["ICE_TRANSPORT_POLICY"],
    }


# --- results ----------------------------------------------------------------------------------


def browser_family(user_agent: str) -> str:
    """A coarse browser family from the User-Agent header; the header itself is not kept."""
    ua = user_agent or ""
    if "Edg/" in ua or "EdgA/" in ua or "EdgiOS/" in ua:
        return Browser.EDGE
    if "Firefox/" in ua or "FxiOS/" in ua:
        return Browser.FIREFOX
    if "Chrome/" in ua or "Chromium/" in ua or "CriOS/" in ua:
        return Browser.CHROME
    if "Safari/" in ua:
        return Browser.SAFARI
    return Browser.OTHER


@transaction.atomic
def record(
    *, appointment: Appointment, result: SetupResult, user_agent: str = "",
    now: datetime | None = None,
) -> SetupCheck:
    """Keep a result on the appointment (and only the newest :data:`KEEP_RESULTS`)."""
    check = SetupCheck.objects.create(
        appointment=appointment,
        checked_at=now or timezone.now(),
        browser=browser_family(user_agent),
        **result.model_dump(),
    )
    stale = SetupCheck.objects.filter(appointment=appointment).order_by("-checked_at", "-pk")
    stale_ids = list(stale.values_list("pk", flat=True)[KEEP_RESULTS:])
    if stale_ids:
        SetupCheck.objects.filter(pk__in=stale_ids).delete()
    return check


def latest(appointment: Appointment) -> SetupCheck | None:
    return (
        SetupCheck.objects.filter(appointment=appointment).order_by("-checked_at", "-pk").first()
    )


class Status(enum.StrEnum):
    """What the counselor's pages say: ready, problems, or not tested."""

    READY = "ready"
    PROBLEMS = "problems"
    NOT_TESTED = "not-tested"


def status_of(check: SetupCheck | None) -> Status:
    if check is None:
        return Status.NOT_TESTED
    return Status.READY if check.verdict == Verdict.READY else Status.PROBLEMS
