"""Invitation texts for the client, in the appointment's language, and sending them.

There are two texts on purpose: one with the date and the link, one with the PIN. Each
tells the client that the other comes separately, so that the counselor sends them over
different channels (the Berlin data protection authority's advice for room links and
passwords). visavis e-mails only the link text, never the PIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from visavis.appointments.links import setup_url
from visavis.appointments.models import Appointment
from visavis.appointments.services import AppointmentError, zone_for


@dataclass(frozen=True)
class Invitation:
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        """A ``mailto:`` link that opens the counselor's own mail program with this text."""
        return f"mailto:?subject={quote(self.subject)}&body={quote(self.body)}"


def when(appointment: Appointment, *, language: str | None = None) -> dict[str, str]:
    """Date, time and time zone of the appointment, written for the client."""
    zone = zone_for(appointment.owner)
    local = timezone.localtime(appointment.start, zone)
    with translation.override(language or appointment.language):
        return {
            # Translators: a PHP-style date format (Django's "date" filter), with weekday.
            "date": formats.date_format(local, pgettext("long date", "l, F j, Y")),
            # Translators: a PHP-style time format (Django's "date" filter).
            "time": formats.date_format(local, pgettext("time of day", "g:i A")),
            "zone": str(zone),
        }


def before_the_session() -> list[str]:
    """What a client should do before a session in the built-in room, in the active
    language: first what the call needs (camera and microphone allowed), then what keeps
    it private. The invitation lists these, and the page of a room not open yet."""
    return [
        _(
            "Allow the page to use your camera and microphone when your browser asks; "
            "otherwise we cannot see or hear each other."
        ),
        _(
            "Open the link in a private window (also called incognito mode), especially if "
            "you are signed in to Google, Facebook or similar in your browser."
        ),
        _("Find a quiet place where you can talk undisturbed."),
        _(
            "Use headphones if you have them: nobody near you hears your counselor, and "
            "there is no echo."
        ),
    ]


def _before_the_session_text() -> str:
    return _("Before the session:") + "\n" + "\n".join(
        f"- {item}" for item in before_the_session()
    )


def link_invitation(appointment: Appointment, *, guest_url: str) -> Invitation:
    """The first message: date, time and link, and that a PIN follows separately if set."""
    with translation.override(appointment.language):
        values = {
            **when(appointment),
            "minutes": appointment.duration_minutes,
            "link": guest_url,
            "before": settings.VISAVIS["ROOM_OPENS_MINUTES_BEFORE"],
        }
        subject = _("Your video session on %(date)s") % values
        parts = [
            _("Hello,"),
            _(
                "here is the link to our video session on %(date)s at %(time)s "
                "(time zone %(zone)s), for %(minutes)s minutes:"
            )
            % values,
            guest_url,
        ]
        if appointment.is_external:
            parts.append(
                _(
                    "The link leads to a page with the details of our appointment and a "
                    "button to the video service %(service)s, which we will use for this "
                    "session."
                )
                % {"service": urlsplit(appointment.external_url).hostname or ""}
            )
        else:
            parts.append(
                _(
                    "Please open the link shortly before the start in a current browser "
                    "(for example Firefox, Chrome, Edge or Safari) on your computer or "
                    "smartphone. You do not need an app or an account. The room opens "
                    "%(before)s minutes before the start; you will wait briefly until I "
                    "let you in."
                )
                % values
            )
            parts.append(_before_the_session_text())
            # The client's setup test (setupcheck app), any time until the session.
            parts.append(
                _(
                    "You can test your camera, microphone and connection beforehand, at any "
                    "time until the session:"
                )
                + "\n"
                + setup_url(guest_url)
            )
        if appointment.has_pin:
            parts.append(
                _(
                    "To protect our conversation, the room is secured with a PIN. You will "
                    "receive the PIN in a separate message."
                )
            )
        parts.append(_("Please keep this link to yourself."))
        return Invitation(subject=subject, body="\n\n".join(parts) + "\n")


def pin_invitation(appointment: Appointment, *, pin: str) -> Invitation:
    """The second message: only the PIN, and that the link comes separately."""
    with translation.override(appointment.language):
        values = {**when(appointment), "pin": pin}
        subject = _("PIN for your video session on %(date)s") % values
        parts = [
            _("Hello,"),
            _("the PIN for our video session on %(date)s at %(time)s is:") % values,
            pin,
            _(
                "You will receive the link to the session in a separate message. Enter the "
                "PIN when the page asks for it, and please do not pass it on."
            ),
        ]
        return Invitation(subject=subject, body="\n\n".join(parts) + "\n")


def series_invitation(appointments: list[Appointment], *, guest_urls: dict) -> Invitation:
    """One message with the dates and links of several appointments of a series."""
    first = appointments[0]
    with translation.override(first.language):
        lines = []
        for appointment in appointments:
            values = when(appointment)
            lines.append(_("%(date)s at %(time)s:") % values + "\n" + guest_urls[appointment.pk])
        subject = _("Your video sessions from %(date)s") % when(first)
        parts = [
            _("Hello,"),
            _(
                "here are the dates of our video sessions (time zone %(zone)s). Each "
                "session has its own link:"
            )
            % when(first),
            "\n\n".join(lines),
            _(
                "Please open the link of each session shortly before its start in a "
                "current browser. You do not need an app or an account."
            ),
        ]
        if not first.is_external:
            parts.append(_before_the_session_text())
        if first.has_pin:
            parts.append(
                _(
                    "To protect our conversations, the rooms are secured with a PIN. You "
                    "will receive the PIN in a separate message."
                )
            )
        parts.append(_("Please keep these links to yourself."))
        return Invitation(subject=subject, body="\n\n".join(parts) + "\n")


def email_enabled() -> bool:
    return bool(settings.VISAVIS.get("EMAIL_ENABLED"))


def send_link_invitation(
    *, appointment: Appointment, to: str, guest_url: str, ics: bytes | None = None
) -> None:
    """E-mail the link invitation (never the PIN) to ``to``. The address is not stored."""
    if not email_enabled():
        raise AppointmentError(_("Sending e-mail is not set up on this server."))
    to = (to or "").strip()
    try:
        validate_email(to)
    except ValidationError:
        raise AppointmentError(_("Please enter a valid e-mail address.")) from None
    if appointment.is_cancelled:
        raise AppointmentError(_("A cancelled appointment cannot be sent."))
    invitation = link_invitation(appointment, guest_url=guest_url)
    message = EmailMessage(subject=invitation.subject, body=invitation.body, to=[to])
    if ics:
        message.attach("invitation.ics", ics, "text/calendar")
    try:
        message.send()
    except OSError:
        raise AppointmentError(
            _("The e-mail could not be sent. Please try again later or copy the text.")
        ) from None
