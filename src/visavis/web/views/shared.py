"""What the counselor's and the client's pages share: the room page's configuration, a
calendar file as a download, the JavaScript translations and the 404 page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.gzip import gzip_page
from django.views.i18n import JavaScriptCatalog

from visavis.rooms import topology
from visavis.rooms.routing import WS_PATH


def room_config(appointment) -> dict:
    """What js/room.js needs of the room, for the host's and the client's room page alike.

    ``topology`` names the media topology the page starts its call with (js/topology.js,
    rooms/topology.py): the peer-to-peer ``"mesh"`` for individual appointments. Only for
    an appointment whose call is available (:func:`visavis.rooms.topology.availability`);
    the pages show why not instead."""
    return {
        "room": appointment.room_token,
        "ws": WS_PATH,
        "maxParticipants": topology.capacity(group=appointment.group),
        "topology": topology.topology(appointment),
    }


def ics_response(content: bytes, filename: str) -> HttpResponse:
    """A calendar file as a download, never cached (it holds the guest link)."""
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@gzip_page
def javascript_catalog(request, lang):
    """The JavaScript translations for one language, independent of the browser's, so that
    a client's room page speaks the appointment's language in its scripts too.

    Compressed (a quarter of the size): the same public text for everyone, no secret and
    nothing from the request in it, so compression cannot leak anything (BREACH)."""
    if lang not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(lang):
        return JavaScriptCatalog.as_view(packages=["visavis.web"])(request)


def not_found(request, exception=None):
    return render(request, "web/not_found.html", status=404)
