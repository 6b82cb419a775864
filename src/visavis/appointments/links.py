"""Every link visavis builds to an appointment, in one place.

The client's guest link (``/r/<token>``), its setup test page, the counselor's room
(``/appointments/<id>/room``), the private calendar feed, the privacy notice and the
``?lang=`` links between a client page's languages. Pages, the API, invitations, calendar
files and the room services ask here; nothing else calls ``reverse`` for these.

It stands on the appointments floor so that every app can import it without reaching up:
the URL *names* it reverses belong to the pages above, but a name is a contract, not an
import.
"""

from __future__ import annotations

from django.urls import reverse

from visavis.appointments.services import LANGUAGE_CODES

# Each language in its own words, as the client picks it.
_NAMES = {"de": "Deutsch", "en": "English"}


def guest_path(token: str) -> str:
    """The client's link, relative: ``/r/<token>``."""
    return reverse("guest-room", args=[token])


def guest_url(request, appointment) -> str:
    """The client's link, absolute, for invitations, calendar files and the API."""
    return request.build_absolute_uri(guest_path(appointment.room_token))


def host_path(appointment) -> str:
    """The counselor's side of the room, relative."""
    return reverse("host-room", args=[appointment.pk])


def host_url(request, appointment) -> str:
    """The counselor's side of the room, absolute (calendar feed, API)."""
    return request.build_absolute_uri(host_path(appointment))


def setup_url(guest_url: str) -> str:
    """The setup test page of a guest link (absolute or not): the link plus ``/setup``."""
    return guest_url.rstrip("/") + "/setup"


def feed_url(request, token: str) -> str:
    """The counselor's private calendar feed, absolute."""
    return request.build_absolute_uri(reverse("calendar-feed", args=[token]))


def notice_url(language: str) -> str:
    """The privacy notice in the client's language."""
    return f"{reverse('privacy-notice')}?lang={language}"


def guest_language(request, appointment) -> str:
    """The appointment's client language, unless the client picked the other one (``?lang=``)."""
    chosen = request.GET.get("lang", "")
    return chosen if chosen in LANGUAGE_CODES else appointment.language


def language_links(request, current: str) -> list[dict]:
    """The other client languages of this page, as base.html shows them on client pages."""
    return [
        {"code": code, "name": _NAMES.get(code, code), "url": f"{request.path}?lang={code}"}
        for code in LANGUAGE_CODES
        if code != current
    ]
