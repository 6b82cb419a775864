"""Appointment services: the only place that creates, changes, reads for an owner, cancels
and deletes appointments. Whether a guest link lets a client in (link, time window, PIN,
privacy notice) is decided at the door, :mod:`visavis.entry.door`, one floor up.

Views, the API, the room services and the commands call these. They raise
:class:`AppointmentError` subclasses whose message is safe to show to the counselor;
the callers turn them into a form error, a 4xx answer or a 404. Functions that depend
on the time take ``now=`` so tests can move the clock instead of waiting.
"""

from __future__ import annotations

import enum
import re
import secrets
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import import_module
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from visavis.accounts import throttle
from visavis.appointments.models import (
    CLIENT_LANGUAGES,
    FREQUENCY_WEEKS,
    Appointment,
    CalendarSettings,
    Frequency,
    PinAttempt,
    RevokedLink,
    Series,
    new_feed_token,
    new_room_token,
)
from visavis.appointments.signals import guest_entry_closed

MIN_DURATION = 5
MAX_DURATION = 600
MAX_TITLE = 200
PIN_LENGTH = 6
MAX_OCCURRENCES = 52
MIN_OCCURRENCES = 2
MAX_EXTERNAL_URL = 500
LANGUAGE_CODES = [code for code, _name in CLIENT_LANGUAGES]

_PIN = re.compile(r"[0-9]{6}")


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
"""Marks an argument of :func:`update_appointment` that is to stay as it is."""


class AppointmentError(Exception):
    """The request cannot be carried out; ``str(exc)`` is safe to show to the counselor."""


class AppointmentNotFound(AppointmentError):
    """No such appointment for this counselor (also when it belongs to someone else)."""


class AppointmentConflict(AppointmentError):
    """The appointment is in a state that does not allow the change (e.g. it is cancelled)."""


# --- time zones -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def calendar_settings(user) -> CalendarSettings:
    found, _created = CalendarSettings.objects.get_or_create(user=user)
    return found


def zone_for(user) -> ZoneInfo:
    """The counselor's time zone: their own setting, else the configured ``time_zone``."""
    name = (
        CalendarSettings.objects.filter(user=user).values_list("time_zone", flat=True).first()
    )
    if name and name in time_zone_names():
        return ZoneInfo(name)
    return ZoneInfo(settings.TIME_ZONE)


def set_time_zone(*, user, name: str) -> CalendarSettings:
    name = name.strip()
    if name not in time_zone_names():
        raise AppointmentError(_("Unknown time zone: %(name)s") % {"name": name[:64]})
    found = calendar_settings(user)
    found.time_zone = name
    found.save(update_fields=["time_zone"])
    return found


def _aware(moment: datetime, zone) -> datetime:
    """A naive time is read in ``zone`` (the counselor's); an aware one is kept."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, zone)
    return moment


# --- checking input -------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise AppointmentError(_("The title must not be empty."))
    if len(title) > MAX_TITLE:
        raise AppointmentError(
            _("The title must be at most %(max)d characters.") % {"max": MAX_TITLE}
        )
    return title


def _check_duration(duration_minutes: int) -> int:
    if (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not MIN_DURATION <= duration_minutes <= MAX_DURATION
    ):
        raise AppointmentError(
            _("The duration must be between %(min)d and %(max)d minutes.")
            % {"min": MIN_DURATION, "max": MAX_DURATION}
        )
    return duration_minutes


def _clean_language(language: str | None) -> str:
    if language is None:
        default = settings.LANGUAGE_CODE.split("-")[0]
        return default if default in LANGUAGE_CODES else "en"
    if language not in LANGUAGE_CODES:
        raise AppointmentError(_("The client's language must be English or German."))
    return language


def clean_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not _PIN.fullmatch(pin):
        raise AppointmentError(_("The PIN must be exactly 6 digits."))
    return pin


def clean_external_url(url: str | None) -> str:
    """An https link to another video service, or "" for the built-in room."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > MAX_EXTERNAL_URL:
        raise AppointmentError(
            _("The external video link must be at most %(max)d characters.")
            % {"max": MAX_EXTERNAL_URL}
        )
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise AppointmentError(
            _("The external video link must be a complete https:// address.")
        ) from None
    return url


# How far in the past a new start may lie: the counselor may have opened the form a few
# minutes before saving it, or create the appointment for a session that just began.
PAST_START_GRACE = timedelta(minutes=5)


def check_start_not_past(start: datetime, *, owner, now: datetime | None = None) -> datetime:
    """Refuse a start more than :data:`PAST_START_GRACE` ago: an appointment in the past
    would only be listed as over, its link never working. The counselor's pages and the
    API call this for a new start (creating, or moving an appointment); the functions
    below accept any start, for imports and tests. A naive ``start`` is read in the
    counselor's time zone; the aware start is returned."""
    start = _aware(start, zone_for(owner))
    if start < (now or timezone.now()) - PAST_START_GRACE:
        raise AppointmentError(
            _("This start time has already passed. Please choose a time in the future.")
        )
    return start


def _check_group(group: bool) -> bool:
    if not isinstance(group, bool):
        raise AppointmentError(_("Say whether this is a group session: yes or no."))
    return group


def new_random_pin() -> str:
    return f"{secrets.randbelow(10**PIN_LENGTH):06d}"


# --- creating -------------------------------------------------------------------------------


def create_appointment(
    *,
    owner,
    title: str,
    start: datetime,
    duration_minutes: int,
    language: str | None = None,
    pin: str | None = None,
    external_url: str | None = None,
    group: bool = False,
) -> Appointment:
    """Create one appointment with a fresh private link. A naive ``start`` is read in the
    counselor's time zone. ``pin`` (6 digits) is stored only as a hash. A ``group``
    session is for up to ``max_group_size`` people (visavis.rooms.topology)."""
    appointment = _new_appointment(
        owner=owner,
        title=title,
        start=start,
        duration_minutes=duration_minutes,
        language=language,
        pin=pin,
        external_url=external_url,
        group=group,
    )
    appointment.save()
    return appointment


def _new_appointment(
    *, owner, title, start, duration_minutes, language, pin, external_url, group=False
):
    return Appointment(
        owner=owner,
        title=_clean_title(title),
        start=_aware(start, zone_for(owner)),
        duration_minutes=_check_duration(duration_minutes),
        language=_clean_language(language),
        pin_hash=make_password(clean_pin(pin)) if (pin or "").strip() else "",
        external_url=clean_external_url(external_url),
        group=_check_group(group),
    )


def occurrence_starts(
    *, start: datetime, zone, frequency: str, count: int | None = None, until: date | None = None
) -> list[datetime]:
    """Start times of a series: same wall-clock time in ``zone`` every one or two weeks.

    Exactly one of ``count`` (2 to 52) or ``until`` (a last date, inclusive) is given; at
    most 52 occurrences either way.
    """
    if frequency not in FREQUENCY_WEEKS:
        raise AppointmentError(_("Repeat weekly or every two weeks."))
    if (count is None) == (until is None):
        raise AppointmentError(_("Give either a number of appointments or an end date."))
    weeks = FREQUENCY_WEEKS[Frequency(frequency)]
    local = timezone.localtime(_aware(start, zone), zone).replace(tzinfo=None)
    if count is not None:
        if isinstance(count, bool) or not MIN_OCCURRENCES <= count <= MAX_OCCURRENCES:
            raise AppointmentError(
                _("A series has between %(min)d and %(max)d appointments.")
                % {"min": MIN_OCCURRENCES, "max": MAX_OCCURRENCES}
            )
        total = count
    else:
        if until < local.date():
            raise AppointmentError(_("The end date must not be before the first appointment."))
        total = (until - local.date()).days // (7 * weeks) + 1
        if total < MIN_OCCURRENCES:
            raise AppointmentError(
                _("Until this end date there would be only one appointment.")
            )
        if total > MAX_OCCURRENCES:
            raise AppointmentError(
                _("A series has at most %(max)d appointments; choose an earlier end date.")
                % {"max": MAX_OCCURRENCES}
            )
    try:
        return [
            timezone.make_aware(local + timedelta(weeks=weeks * index), zone)
            for index in range(total)
        ]
    except OverflowError:
        raise AppointmentError(_("The series reaches too far into the future.")) from None


@transaction.atomic
def create_series(
    *,
    owner,
    title: str,
    start: datetime,
    duration_minutes: int,
    frequency: str,
    count: int | None = None,
    until: date | None = None,
    language: str | None = None,
    pin: str | None = None,
    external_url: str | None = None,
    group: bool = False,
) -> Series:
    """Create a repeating appointment: every occurrence gets its own room and link; they
    share title, duration, language, PIN, external link and whether it is a group session."""
    zone = zone_for(owner)
    starts = occurrence_starts(
        start=start, zone=zone, frequency=frequency, count=count, until=until
    )
    template = _new_appointment(
        owner=owner,
        title=title,
        start=starts[0],
        duration_minutes=duration_minutes,
        language=language,
        pin=pin,
        external_url=external_url,
        group=group,
    )
    series = Series.objects.create(owner=owner, frequency=frequency)
    Appointment.objects.bulk_create(
        [
            Appointment(
                owner=owner,
                series=series,
                title=template.title,
                start=moment,
                duration_minutes=template.duration_minutes,
                language=template.language,
                pin_hash=template.pin_hash,
                external_url=template.external_url,
                group=template.group,
                room_token=new_room_token(),
            )
            for moment in starts
        ]
    )
    return series


# --- reading --------------------------------------------------------------------------------


def appointments_for(owner):
    return Appointment.objects.filter(owner=owner).order_by("start")


def search(
    *,
    owner,
    query: str = "",
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    series_id=None,
    include_cancelled: bool = True,
):
    """The counselor's appointments, oldest first, filtered as asked."""
    found = appointments_for(owner).select_related("series")
    if query.strip():
        found = found.filter(title__icontains=query.strip())
    if starts_after is not None:
        found = found.filter(start__gte=starts_after)
    if starts_before is not None:
        found = found.filter(start__lt=starts_before)
    if series_id is not None:
        found = found.filter(series_id=series_id)
    if not include_cancelled:
        found = found.filter(cancelled_at__isnull=True)
    return found


def get_for_owner(*, owner, appointment_id) -> Appointment:
    try:
        return Appointment.objects.select_related("series").get(pk=appointment_id, owner=owner)
    except (Appointment.DoesNotExist, ValidationError, ValueError, TypeError):
        raise AppointmentNotFound(_("No such appointment.")) from None


def get_series_for_owner(*, owner, series_id) -> Series:
    try:
        return Series.objects.get(pk=series_id, owner=owner)
    except (Series.DoesNotExist, ValidationError, ValueError, TypeError):
        raise AppointmentNotFound(_("No such series.")) from None


def series_members(series: Series):
    return series.appointments.order_by("start")


# --- changing -------------------------------------------------------------------------------


class ApplyTo(enum.StrEnum):
    THIS = "this"
    SERIES = "series"


def _targets(appointment: Appointment, apply_to: str, now: datetime) -> list[Appointment]:
    """The appointment itself, plus, for ``series``, every occurrence not yet over."""
    if apply_to not in (ApplyTo.THIS, ApplyTo.SERIES):
        raise AppointmentError(_("Apply the change to this appointment or to the series."))
    if apply_to == ApplyTo.THIS or appointment.series_id is None:
        return [appointment]
    others = [
        other
        for other in Appointment.objects.select_for_update().filter(
            series_id=appointment.series_id, cancelled_at__isnull=True
        ).exclude(pk=appointment.pk)
        if other.end > now
    ]
    return [appointment, *others]


@transaction.atomic
def update_appointment(
    *,
    owner,
    appointment_id,
    apply_to: str = ApplyTo.THIS,
    title: str | _Unset = UNSET,
    start: datetime | _Unset = UNSET,
    duration_minutes: int | _Unset = UNSET,
    language: str | _Unset = UNSET,
    pin: str | _Unset | None = UNSET,
    external_url: str | _Unset | None = UNSET,
    group: bool | _Unset = UNSET,
    now: datetime | None = None,
) -> Appointment:
    """Change an appointment, or (``apply_to="series"``) every occurrence of its series that
    is not over yet. Arguments left out stay as they are; ``pin=None`` removes the PIN and
    ``external_url=None`` (or "") returns to the built-in room.

    A new start moves the other occurrences by the same amount of wall-clock time in the
    counselor's time zone, so a weekly 10:00 session stays at 10:00 across daylight saving.
    Links stay the same; a new PIN locks out guests who entered the old one.
    """
    now = now or timezone.now()
    appointment = get_for_owner(owner=owner, appointment_id=appointment_id)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.is_cancelled:
        raise AppointmentConflict(_("A cancelled appointment cannot be changed."))
    zone = zone_for(owner)
    changes: dict[str, object] = {}
    if title is not UNSET:
        changes["title"] = _clean_title(title)
    if duration_minutes is not UNSET:
        changes["duration_minutes"] = _check_duration(duration_minutes)
    if language is not UNSET:
        changes["language"] = _clean_language(language)
    if pin is not UNSET:
        changes["pin_hash"] = make_password(clean_pin(pin)) if (pin or "").strip() else ""
    if external_url is not UNSET:
        changes["external_url"] = clean_external_url(external_url)
    if group is not UNSET:
        changes["group"] = _check_group(group)
    shift = None
    if start is not UNSET:
        new_start = _aware(start, zone)
        old_local = timezone.localtime(appointment.start, zone).replace(tzinfo=None)
        shift = timezone.localtime(new_start, zone).replace(tzinfo=None) - old_local
    targets = _targets(appointment, apply_to, now)
    if not changes and not shift:
        return appointment
    for target in targets:
        for field, value in changes.items():
            setattr(target, field, value)
        if shift:
            local = timezone.localtime(target.start, zone).replace(tzinfo=None)
            try:
                target.start = timezone.make_aware(local + shift, zone)
            except OverflowError:
                raise AppointmentError(_("The new start is out of range.")) from None
        target.sequence += 1
        target.save()
    return targets[0]


@transaction.atomic
def cancel_appointment(
    *, owner, appointment_id, apply_to: str = ApplyTo.THIS, now: datetime | None = None
) -> Appointment:
    """Cancel the appointment (or every occurrence of its series that is not over yet).
    Its link then shows "cancelled". Cancelling twice is harmless."""
    now = now or timezone.now()
    appointment = get_for_owner(owner=owner, appointment_id=appointment_id)
    if apply_to == ApplyTo.SERIES and appointment.series_id is not None:
        targets = _targets(appointment, apply_to, now)
    elif apply_to in (ApplyTo.THIS, ApplyTo.SERIES):
        targets = [appointment]
    else:
        raise AppointmentError(_("Apply the change to this appointment or to the series."))
    for target in targets:
        if target.cancelled_at is None:
            target.cancelled_at = now
            target.sequence += 1
            target.save(update_fields=["cancelled_at", "sequence", "updated_at"])
            guest_entry_closed.send(sender=Appointment, appointment_id=target.pk)
    return appointment


@transaction.atomic
def revoke_link(*, owner, appointment_id) -> Appointment:
    """Issue a new guest link; the old one says "no longer valid" from now on."""
    appointment = get_for_owner(owner=owner, appointment_id=appointment_id)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    RevokedLink.objects.create(
        appointment=appointment, token_hash=RevokedLink.hash_of(appointment.room_token)
    )
    appointment.room_token = new_room_token()
    appointment.sequence += 1
    appointment.save(update_fields=["room_token", "sequence", "updated_at"])
    guest_entry_closed.send(sender=Appointment, appointment_id=appointment.pk)
    return appointment


@transaction.atomic
def set_new_random_pin(*, owner, appointment_id, apply_to: str = ApplyTo.THIS) -> str:
    """Give the appointment (or its series) a new random PIN and return it, the only time
    it is available in clear."""
    pin = new_random_pin()
    update_appointment(owner=owner, appointment_id=appointment_id, apply_to=apply_to, pin=pin)
    return pin


# --- guest links ----------------------------------------------------------------------------
# Whether a link lets a client in is decided at the door, visavis.entry.door.


def plausible_token(token: str) -> bool:
    """Whether ``token`` could be a room or feed token at all (before asking the database)."""
    return bool(token) and len(token) <= 64


def find_by_room_token(token: str) -> Appointment | None:
    """The appointment whose room a link opens (for its host, too), or None. Cancelled
    ones are not returned."""
    if not plausible_token(token):
        return None
    return Appointment.objects.filter(room_token=token, cancelled_at__isnull=True).first()


# --- retention ------------------------------------------------------------------------------


def purge(*, now: datetime | None = None) -> int:
    """Delete every appointment whose end lies more than ``retention_days`` back, with all
    that is attached to it (participants, revoked links, PIN attempts, and anything else
    that refers to it), plus emptied series, old PIN attempts, login failures whose window
    is over, and expired sessions.

    Returns how many appointments were deleted. Safe to run at any time, in any process,
    as often as wanted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VISAVIS["RETENTION_DAYS"])
    # The end is not a column; an appointment that ended before the cutoff started before it.
    candidates = Appointment.objects.filter(start__lt=cutoff).values_list(
        "pk", "start", "duration_minutes"
    )
    expired = [
        pk for pk, start, minutes in candidates if start + timedelta(minutes=minutes) < cutoff
    ]
    for offset in range(0, len(expired), 500):
        Appointment.objects.filter(pk__in=expired[offset : offset + 500]).delete()
    Series.objects.filter(appointments__isnull=True).delete()
    PinAttempt.objects.filter(at__lt=now - PinAttempt.lockout()).delete()
    throttle.delete_expired(now=now)
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    _forget_deleted()
    return len(expired)


def _forget_deleted() -> None:
    """On SQLite: deleted rows are overwritten (``secure_delete``, settings.py), but their
    earlier versions stay in the ``-wal`` file until a checkpoint: copy it into the
    database and empty it now. (If a reader holds it, the next purge does it.)"""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- calendar feed --------------------------------------------------------------------------


def enable_feed(*, user) -> CalendarSettings:
    """Turn the private calendar feed on with a new secret URL (the old URL stops working)."""
    found = calendar_settings(user)
    found.feed_token = new_feed_token()
    found.save(update_fields=["feed_token"])
    return found


def disable_feed(*, user) -> CalendarSettings:
    found = calendar_settings(user)
    found.feed_token = ""
    found.save(update_fields=["feed_token"])
    return found


def set_feed_hide_titles(*, user, hide: bool) -> CalendarSettings:
    found = calendar_settings(user)
    found.feed_hide_titles = bool(hide)
    found.save(update_fields=["feed_hide_titles"])
    return found


def feed_owner(token: str) -> CalendarSettings | None:
    """The calendar settings whose feed URL carries ``token``, if that feed is on."""
    if not plausible_token(token):
        return None
    return (
        CalendarSettings.objects.select_related("user")
        .filter(feed_token=token, user__is_active=True)
        .first()
    )
