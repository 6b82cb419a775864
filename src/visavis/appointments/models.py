"""Appointments: a counselor's scheduled session, each with its own private room link."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_room_token() -> str:
    """256 random bits, URL-safe: the secret part of a guest link."""
    return secrets.token_urlsafe(32)


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

    class Meta:
        ordering = ["start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    @property
    def end(self):
        return self.start + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
