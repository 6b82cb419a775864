"""Appointments: a counselor's scheduled session, each with its own private room link.

What is stored here is deleted by :func:`visavis.appointments.services.purge` a
configurable number of days after the appointment's end, together with everything
attached to it (participants, revoked links, PIN attempts).
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_room_token() -> str:
    """256 random bits, URL-safe: the secret part of a guest link."""
    return secrets.token_urlsafe(32)


def new_feed_token() -> str:
    """256 random bits, URL-safe: the secret part of a counselor's calendar feed URL."""
    return secrets.token_urlsafe(32)


# The languages a client's pages and invitations can be in.
CLIENT_LANGUAGES = [("en", _("English")), ("de", _("German"))]


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every two weeks")


FREQUENCY_WEEKS = {Frequency.WEEKLY: 1, Frequency.BIWEEKLY: 2}


class Series(models.Model):
    """Appointments that repeat. Each occurrence is a full appointment with its own link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointment_series"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} ({self.pk})"


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    title = models.CharField(_("title or pseudonym"), max_length=200)
    start = models.DateTimeField(_("start"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    room_token = models.CharField(max_length=64, unique=True, default=new_room_token)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Issue 3: series, client language, PIN, external video, calendar sequence.
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    language = models.CharField(
        _("language for the client"), max_length=8, choices=CLIENT_LANGUAGES, default="en"
    )
    # Django password hash of the 6-digit PIN; empty when the appointment has none.
    pin_hash = models.CharField(max_length=256, blank=True, default="")
    external_url = models.URLField(_("external video link"), max_length=500, blank=True)
    # iCalendar SEQUENCE: goes up with every change a calendar should pick up.
    sequence = models.PositiveIntegerField(default=0)
    # Issue 18: a group session (up to ``max_group_size`` people) goes through a media
    # server; an individual one stays peer to peer (visavis.rooms.topology).
    group = models.BooleanField(_("group session"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["owner", "start"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    @property
    def end(self):
        return self.start + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    @property
    def is_external(self) -> bool:
        return bool(self.external_url)

    @property
    def room_opens_at(self):
        return self.start - timedelta(minutes=settings.VISAVIS["ROOM_OPENS_MINUTES_BEFORE"])

    @property
    def room_closes_at(self):
        return self.end + timedelta(minutes=settings.VISAVIS["ROOM_CLOSES_MINUTES_AFTER"])


class RevokedLink(models.Model):
    """A guest link that was replaced. Only a hash of the old token is kept."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="revoked_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"revoked link of {self.appointment_id}"

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class PinAttempt(models.Model):
    """A wrong PIN entered for an appointment, for the limit of attempts per time span.

    Kept in the database (not in memory or a cache) so the limit holds across server
    processes.
    """

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="pin_attempts"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["appointment", "at"])]

    def __str__(self) -> str:
        return f"wrong PIN for {self.appointment_id} at {self.at:%Y-%m-%d %H:%M}"

    @staticmethod
    def lockout() -> timedelta:
        """How long a wrong PIN counts against the limit (``pin_lockout_minutes``, see
        :func:`visavis.entry.door.enter_pin`); older attempts are purged."""
        return timedelta(minutes=settings.VISAVIS["PIN_LOCKOUT_MINUTES"])


class CalendarSettings(models.Model):
    """A counselor's own settings for appointments: time zone and private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_settings"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The secret of the counselor's iCalendar feed URL; empty while the feed is off.
    feed_token = models.CharField(max_length=64, blank=True, default="", db_index=True)
    feed_hide_titles = models.BooleanField(_("hide titles in the calendar feed"), default=False)

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(self.user)
