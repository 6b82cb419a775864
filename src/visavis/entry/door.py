"""The door for clients: the one place that decides whether a guest link lets its holder in.

Between a client and the room stand, always asked in this order:

1. **the link**: known, not replaced by a new one (revoked), the appointment not cancelled;
2. **the time window**: from ``room_opens_at`` to ``room_closes_at`` of the appointment;
3. **the PIN**, where the appointment has one: entered in this Django session (and at most
   ``pin_max_attempts`` wrong ones per ``pin_lockout_minutes``);
4. **the built-in room**: an appointment with an external video link has no room here;
5. **the privacy notice**: confirmed in this session (the record is the consent app's).

Every answer is one :class:`Entry`; each caller asks the question it has and never decides
again itself:

- the client's room page (``web/views/client.py``): :func:`room_page`, all five;
- the room, when a guest knocks (``rooms/services.py``): :func:`check_guest_entry`, the same
  rules again for the appointment the connection is in, so that a hand-made client cannot
  skip the page (the page is a courtesy, this is the lock);
- the setup test (``setupcheck/views.py``): :func:`setup_test`, the link, not ended and the
  built-in room, but any time before (clients try it days ahead) and no PIN or notice;
- the client's calendar file: :func:`resolve`, the link alone;
- the counselor's pages: :func:`window`, whether the link works now by time alone.

The appointment's owner never comes through here: hosts are not guests. Functions that
depend on the time take ``now=`` so tests can move the clock instead of waiting.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from visavis.appointments.models import Appointment, PinAttempt, RevokedLink
from visavis.appointments.services import AppointmentError, clean_pin, plausible_token
from visavis.consent import services as consent

_PIN_SESSION_KEY = "visavis_pins"


class Entry(enum.StrEnum):
    """Where a client stands at the door, in the order of the checks: the first that fails
    is the answer. ``OPEN`` lets them in. The values are also the names of the client's
    notices (``web/guest_notice.html``) and the words of the setup test's refusals."""

    UNKNOWN = "unknown"  # no appointment has (or had) this link
    REVOKED = "revoked"  # the counselor replaced the link with a new one
    CANCELLED = "cancelled"
    ENDED = "ended"
    NOT_OPEN_YET = "not-open-yet"
    PIN_REQUIRED = "pin-required"
    EXTERNAL = "external"  # the session takes place on another video service
    CONSENT_REQUIRED = "consent-required"
    OPEN = "open"


class EntryRefused(Exception):
    """A guest may not knock; ``reason`` says why, in words for a log or a protocol error."""

    MESSAGES = {
        Entry.CANCELLED: "the appointment was cancelled",
        Entry.ENDED: "the appointment has ended",
        Entry.NOT_OPEN_YET: "the room is not open yet",
        Entry.PIN_REQUIRED: "enter the appointment's PIN on the room page first",
        Entry.EXTERNAL: "this appointment uses an external video service",
        Entry.CONSENT_REQUIRED: "confirm the privacy notice on the room page first",
    }

    def __init__(self, reason: Entry):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


@dataclass(frozen=True)
class GuestLink:
    """A guest link at the door: how far it lets its holder in, and the appointment it
    belongs to (also when revoked or cancelled, for the notice's language; None when
    unknown)."""

    state: Entry
    appointment: Appointment | None = None


# --- 1. the link ------------------------------------------------------------------------------


def resolve(token: str) -> GuestLink:
    """The link alone: ``UNKNOWN``, ``REVOKED``, ``CANCELLED``, or ``OPEN`` for a link that
    is its appointment's current one."""
    if not plausible_token(token):
        return GuestLink(Entry.UNKNOWN)
    appointment = Appointment.objects.select_related("owner").filter(room_token=token).first()
    if appointment is not None:
        state = Entry.CANCELLED if appointment.is_cancelled else Entry.OPEN
        return GuestLink(state, appointment)
    revoked = (
        RevokedLink.objects.select_related("appointment__owner")
        .filter(token_hash=RevokedLink.hash_of(token))
        .first()
    )
    if revoked is not None:
        return GuestLink(Entry.REVOKED, revoked.appointment)
    return GuestLink(Entry.UNKNOWN)


# --- 2. the time window -----------------------------------------------------------------------


def window(appointment: Appointment, *, now: datetime | None = None) -> Entry:
    """Whether the appointment's link works right now, judged by time alone:
    ``NOT_OPEN_YET``, ``OPEN`` or ``ENDED``."""
    now = now or timezone.now()
    if now < appointment.room_opens_at:
        return Entry.NOT_OPEN_YET
    if now > appointment.room_closes_at:
        return Entry.ENDED
    return Entry.OPEN


# --- 3. the PIN -------------------------------------------------------------------------------


def _pin_marker(appointment: Appointment) -> str:
    # Changes whenever the PIN is set anew (the hash has a fresh salt), so guests who
    # entered an old PIN must enter the new one. Not the hash itself: sessions are stored.
    return hashlib.sha256(appointment.pin_hash.encode()).hexdigest()[:24]


def pin_passed(appointment: Appointment, session) -> bool:
    """Whether this guest's Django session entered the appointment's current PIN."""
    if not appointment.has_pin:
        return True
    if session is None:
        return False
    passed = session.get(_PIN_SESSION_KEY) or {}
    return isinstance(passed, dict) and passed.get(str(appointment.pk)) == _pin_marker(
        appointment
    )


def _remember_pin(appointment: Appointment, session) -> None:
    passed = dict(session.get(_PIN_SESSION_KEY) or {})
    passed[str(appointment.pk)] = _pin_marker(appointment)
    session[_PIN_SESSION_KEY] = passed


@dataclass(frozen=True)
class PinCheck:
    """The outcome of a PIN entry. ``blocked_until`` is set while no attempt is allowed."""

    ok: bool
    remaining: int = 0
    blocked_until: datetime | None = None
    malformed: bool = False


def _recent_failures(appointment_id, now: datetime) -> list[datetime]:
    """The latest failures within the lockout before ``now``, newest first. Also those
    later than ``now``: a concurrent request that began later may have counted first."""
    limit = settings.VISAVIS["PIN_MAX_ATTEMPTS"]
    return list(
        PinAttempt.objects.filter(appointment_id=appointment_id, at__gt=now - PinAttempt.lockout())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )


def _blocked_until(failures: list[datetime]) -> datetime | None:
    limit = settings.VISAVIS["PIN_MAX_ATTEMPTS"]
    if len(failures) < limit:
        return None
    return failures[limit - 1] + PinAttempt.lockout()


def pin_blocked_until(appointment: Appointment, *, now: datetime | None = None):
    """When the next PIN attempt is allowed again, or None if it is allowed now."""
    now = now or timezone.now()
    return _blocked_until(_recent_failures(appointment.pk, now))


def _well_formed(pin: str) -> str | None:
    try:
        return clean_pin(pin)
    except AppointmentError:
        return None


def enter_pin(
    *, appointment: Appointment, pin: str, session, now: datetime | None = None
) -> PinCheck:
    """Check a PIN a guest entered, at most ``pin_max_attempts`` wrong ones per
    ``pin_lockout_minutes`` per appointment (counted in the database, so across all server
    processes). On success the guest's session remembers it for this appointment.

    An attempt is admitted and counted as a failure under a lock on the appointment's row
    (in every process; SQLite's transactions take the write lock at their start), and only
    then is the PIN's hash checked, outside the lock; a right PIN removes its record again.
    So concurrent guesses are evaluated at most the limit, and a slow hash holds up no one.
    """
    now = now or timezone.now()
    limit = settings.VISAVIS["PIN_MAX_ATTEMPTS"]
    with transaction.atomic():
        # One admission at a time per appointment, in whichever process.
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        failures = _recent_failures(locked.pk, now)
        blocked = _blocked_until(failures)
        if blocked is not None:
            return PinCheck(ok=False, blocked_until=blocked)
        pin = _well_formed(pin)
        if pin is None:
            # A typo in the format is not a guess: it does not count.
            return PinCheck(ok=False, malformed=True, remaining=limit - len(failures))
        attempt = PinAttempt.objects.create(appointment=locked, at=now) if locked.pin_hash else None
    if attempt is None or check_password(pin, locked.pin_hash):
        if attempt is not None:
            attempt.delete()
        if session is not None:
            _remember_pin(locked, session)
        return PinCheck(ok=True)
    failures = _recent_failures(locked.pk, now)
    return PinCheck(
        ok=False, remaining=max(0, limit - len(failures)), blocked_until=_blocked_until(failures)
    )


# --- the questions, checks 1 to 5 -------------------------------------------------------------


def guest_entry(appointment: Appointment, *, session, now: datetime | None = None) -> Entry:
    """Whether a guest with this Django session may knock at the appointment's room now,
    and if not, why: checks 1 (cancelled) to 5 in order."""
    if appointment.is_cancelled:
        return Entry.CANCELLED
    state = window(appointment, now=now)
    if state != Entry.OPEN:
        return state
    if not pin_passed(appointment, session):
        return Entry.PIN_REQUIRED
    if appointment.is_external:
        return Entry.EXTERNAL
    if not consent.consent_given(appointment, session):
        return Entry.CONSENT_REQUIRED
    return Entry.OPEN


def room_page(token: str, *, session, now: datetime | None = None) -> GuestLink:
    """How far the client's room page (the guest link) lets this session in."""
    link = resolve(token)
    if link.state != Entry.OPEN:
        return link
    return GuestLink(guest_entry(link.appointment, session=session, now=now), link.appointment)


def check_guest_entry(*, appointment: Appointment, session, now: datetime | None = None) -> None:
    """Raise :class:`EntryRefused` unless a guest with ``session`` may knock right now.

    The room services call this inside the transaction of a knock, with the appointment's
    row locked, so that no rule can be skipped with a hand-made WebSocket client."""
    state = guest_entry(appointment, session=session, now=now)
    if state != Entry.OPEN:
        raise EntryRefused(state)


def setup_test(token: str, *, now: datetime | None = None) -> GuestLink:
    """Whether the setup test of the guest link ``token`` may run: the link, not ended, the
    built-in room (``EXTERNAL``: the page says there is nothing to test). Not the PIN, the
    notice or the opening time: the test lets no one into a room, and clients are meant to
    try it days ahead."""
    link = resolve(token)
    if link.state != Entry.OPEN:
        return link
    appointment = link.appointment
    if window(appointment, now=now) == Entry.ENDED:
        return GuestLink(Entry.ENDED, appointment)
    if appointment.is_external:
        return GuestLink(Entry.EXTERNAL, appointment)
    return link
