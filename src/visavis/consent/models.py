"""A client's confirmation that they read the privacy notice before knocking.

One row per confirmation (a group session may have several clients, and a client may
confirm again on another device). It holds when, in which language and which exact text
(a short hash of it) — no name, no address, nothing that says who clicked. It belongs to
the appointment and is deleted with it by the retention purge.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from visavis.appointments.models import Appointment


class Consent(models.Model):
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="consents"
    )
    given_at = models.DateTimeField()
    # The first 12 hex digits of the SHA-256 of the exact notice text shown: the operator
    # can tell which of their texts was accepted, as long as they keep their old texts.
    notice_version = models.CharField(max_length=12)
    language = models.CharField(max_length=8)

    class Meta:
        ordering = ["given_at"]
        verbose_name = _("privacy notice confirmation")
        verbose_name_plural = _("privacy notice confirmations")

    def __str__(self) -> str:
        return f"{self.given_at:%Y-%m-%d %H:%M} {self.notice_version} ({self.language})"
