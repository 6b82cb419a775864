"""The result of a client's setup test ("test your setup"), kept on the appointment.

Only pass/fail per check, three numbers and a coarse browser family are stored: no
names, no IP addresses, no user agent string, no device names. Deleted with the
appointment by the retention purge (the foreign key cascades).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    READY = "ready", _("ready")
    AUDIO_ONLY = "audio-only", _("audio only recommended")
    BLOCKED = "blocked", _("blocked")


class Outcome(models.TextChoices):
    PASS = "pass", _("works")
    FAIL = "fail", _("does not work")
    SKIPPED = "skipped", _("not tested")


class Browser(models.TextChoices):
    CHROME = "chrome", "Chrome"
    EDGE = "edge", "Edge"
    FIREFOX = "firefox", "Firefox"
    SAFARI = "safari", "Safari"
    OTHER = "other", _("other browser")


# The checks of one test, in the order the pages list them.
CHECKS = (
    "camera",
    "microphone",
    "speakers",
    "host",
    "srflx",
    "relay_udp",
    "relay_tcp",
    "relay_tls",
    "call",
)


def _outcome(name):
    return models.CharField(name, max_length=8, choices=Outcome.choices, default=Outcome.SKIPPED)


class SetupCheck(models.Model):
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="setup_checks"
    )
    checked_at = models.DateTimeField()
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    # Whether the server had a TURN relay to test against (else: direct connections only).
    relay_configured = models.BooleanField(default=False)
    camera = _outcome(_("camera"))
    microphone = _outcome(_("microphone"))
    speakers = _outcome(_("speakers"))
    host = _outcome(_("network of the device"))
    srflx = _outcome(_("address on the internet (STUN)"))
    relay_udp = _outcome(_("relay server over UDP"))
    relay_tcp = _outcome(_("relay server over TCP"))
    relay_tls = _outcome(_("relay server over TLS"))
    call = _outcome(_("test call"))
    bitrate_kbps = models.PositiveIntegerField(null=True, blank=True)
    rtt_ms = models.PositiveIntegerField(null=True, blank=True)
    loss_pct = models.FloatField(null=True, blank=True)
    browser = models.CharField(max_length=8, choices=Browser.choices, default=Browser.OTHER)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["appointment", "-checked_at"])]
        verbose_name = _("setup test")
        verbose_name_plural = _("setup tests")

    def __str__(self) -> str:
        return f"setup test of {self.appointment_id}: {self.verdict}"
