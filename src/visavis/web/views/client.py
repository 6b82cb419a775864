"""The client's pages behind the guest link: the room, the PIN form, the privacy notice
step, plain notices, and the calendar file. In the appointment's language (or the one the
client picked), never cached."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from visavis.appointments import calendar, invitations, links
from visavis.appointments import services as appointments
from visavis.consent.views import guest_consent_step
from visavis.entry import door
from visavis.entry.door import Entry
from visavis.rooms import services as room_services
from visavis.rooms import topology
from visavis.web.forms import GuestPinForm
from visavis.web.views.shared import ics_response, room_config


def guest_room(request, token):
    """The client's link: room, PIN form, privacy notice step, or a plain notice, in the
    client's language, as the door (:mod:`visavis.entry.door`) says.

    The room services ask the door again when the guest knocks, so the page is a courtesy,
    not the lock.
    """
    now = timezone.now()
    link = door.room_page(token, session=request.session, now=now)
    if link.state == Entry.UNKNOWN:
        raise Http404
    appointment = link.appointment
    language = links.guest_language(request, appointment)
    zone = appointments.zone_for(appointment.owner)
    with translation.override(language), timezone.override(zone):
        response = _guest_page(request, link, language, now)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def _notice(request, appointment, state: str, language: str, *, status: int, **extra):
    context = {
        "appointment": appointment,
        "state": state,
        "language_links": links.language_links(request, language),
        **extra,
    }
    return render(request, "web/guest_notice.html", context, status=status)


def _guest_page(request, link, language: str, now):
    appointment, entry = link.appointment, link.state
    if entry in (Entry.REVOKED, Entry.CANCELLED, Entry.ENDED):
        return _notice(request, appointment, entry, language, status=410)
    if entry in (Entry.PIN_REQUIRED, Entry.CONSENT_REQUIRED, Entry.OPEN) and (
        room_services.session_ended(appointment.pk)
    ):
        # The host's end page promises this: no pre-join page, no camera, until the host
        # enters the room again.
        return _notice(request, appointment, "session-ended", language, status=200)
    if entry == Entry.NOT_OPEN_YET:
        wait = (appointment.room_opens_at - now).total_seconds()
        return _notice(
            request,
            appointment,
            entry,
            language,
            status=200,
            refresh_seconds=max(5, min(int(wait) + 2, 3600)),
            opens_minutes=settings.VISAVIS["ROOM_OPENS_MINUTES_BEFORE"],
            before_the_session=[] if appointment.is_external else invitations.before_the_session(),
        )
    if entry == Entry.PIN_REQUIRED:
        return _guest_pin(request, appointment, language, now)
    if entry == Entry.CONSENT_REQUIRED:  # the privacy notice is confirmed before the first knock
        return guest_consent_step(request, appointment, language)
    if request.method == "POST":
        return redirect(request.get_full_path())
    if entry == Entry.EXTERNAL:
        return render(
            request,
            "web/guest_external.html",
            {
                "appointment": appointment,
                "service": _host_name(appointment.external_url),
                "language_links": links.language_links(request, language),
            },
        )
    usable = topology.availability(appointment)
    if not usable.available:
        # A group session this server cannot hold yet: said plainly, before the camera.
        return render(
            request,
            "web/room_unavailable.html",
            {
                "appointment": appointment,
                "reason": usable.reason,
                "language_links": links.language_links(request, language),
            },
        )
    return render(
        request,
        "web/guest_room.html",
        {
            "room_config": room_config(appointment),
            "language_links": links.language_links(request, language),
        },
    )


def _host_name(url: str) -> str:
    return urlsplit(url).hostname or ""


def _guest_pin(request, appointment, language: str, now):
    form = GuestPinForm(request.POST or None)
    status = 200
    error = ""
    blocked_until = door.pin_blocked_until(appointment, now=now)
    if request.method == "POST" and blocked_until is None and form.is_valid():
        result = door.enter_pin(
            appointment=appointment,
            pin=form.cleaned_data["pin"],
            session=request.session,
            now=now,
        )
        if result.ok:
            # A new session key once the PIN is proven, against session fixation.
            request.session.cycle_key()
            return redirect(request.get_full_path())
        if result.malformed:
            error, status = _("Please enter the 6 digits of the PIN."), 400
        elif result.blocked_until is not None:
            blocked_until, status = result.blocked_until, 429
        else:
            error, status = _("This PIN is not correct. Please check it and try again."), 403
    elif request.method == "POST" and blocked_until is not None:
        status = 429
    elif request.method == "POST":
        error, status = _("Please enter the 6 digits of the PIN."), 400
    return render(
        request,
        "web/guest_pin.html",
        {
            "appointment": appointment,
            # Never echo the digits back: a fresh, empty field after every attempt.
            "form": GuestPinForm(),
            "error": error,
            "blocked_until": blocked_until,
            "language_links": links.language_links(request, language),
        },
        status=status,
    )


@require_GET
def guest_ics(request, token):
    """The appointment for the client's own calendar, from the guest link itself."""
    link = door.resolve(token)
    if link.state != Entry.OPEN:
        raise Http404
    url = links.guest_url(request, link.appointment)
    return ics_response(calendar.client_ics(link.appointment, guest_url=url), "session.ics")
