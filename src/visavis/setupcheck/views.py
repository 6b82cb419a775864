"""The client's "test your setup" page and its two small JSON endpoints.

Thin: whether the link may use the test is the door's to say
(:func:`visavis.entry.door.setup_test`); the TURN credentials and the storing of results are
in :mod:`visavis.setupcheck.services`; the result's shape in :mod:`visavis.setupcheck.schema`.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from visavis.appointments import links
from visavis.appointments.services import zone_for
from visavis.entry import door
from visavis.entry.door import Entry
from visavis.setupcheck import services
from visavis.setupcheck.schema import ResultError, parse_result

# The guest notice (web/guest_notice.html) already words these states for the client.
_NOTICE_STATES = (Entry.REVOKED, Entry.CANCELLED, Entry.ENDED)


def _no_store(response, language: str | None = None):
    response["Cache-Control"] = "no-store"
    if language:
        response["Content-Language"] = language
    return response


def setup_page(request, token):
    link = door.setup_test(token)
    if link.state == Entry.UNKNOWN:
        raise Http404
    appointment = link.appointment
    language = links.guest_language(request, appointment)
    with translation.override(language), timezone.override(zone_for(appointment.owner)):
        other_languages = links.language_links(request, language)
        if link.state in _NOTICE_STATES:
            response = render(
                request,
                "web/guest_notice.html",
                {"appointment": appointment, "state": link.state,
                 "language_links": other_languages},
                status=410,
            )
        else:
            response = render(
                request,
                "setupcheck/setup.html",
                {
                    "appointment": appointment,
                    "external": link.state == Entry.EXTERNAL,
                    "language_links": other_languages,
                    "guest_url": links.guest_path(token),
                    "setup_config": {
                        "iceUrl": reverse("setup-ice", args=[token]),
                        "resultUrl": reverse("setup-result", args=[token]),
                    },
                },
            )
    return _no_store(response, language)


def _refused(link) -> JsonResponse:
    if link.state == Entry.UNKNOWN:
        return JsonResponse({"error": "unknown link"}, status=404)
    return JsonResponse({"error": f"the setup test is not available: {link.state}"}, status=410)


@require_GET
def ice(request, token):
    """STUN and TURN servers for the test, with credentials valid for a few minutes."""
    link = door.setup_test(token)
    if link.state != Entry.OPEN:
        return _no_store(_refused(link))
    if not services.may_take_credentials(token):
        with translation.override(links.guest_language(request, link.appointment)):
            message = _(
                "This link has been used for many setup tests in the last hour. "
                "Please try again in an hour."
            )
        return _no_store(JsonResponse(
            {"error": "too many setup tests", "message": str(message)}, status=429
        ))
    return _no_store(JsonResponse(services.ice_config()))


@require_POST
def result(request, token):
    """Keep the outcome of a test (pass/fail per check and three numbers) for the counselor."""
    link = door.setup_test(token)
    if link.state != Entry.OPEN:
        return _no_store(_refused(link))
    try:
        parsed = parse_result(request.body)
    except ResultError as exc:
        return _no_store(JsonResponse({"error": str(exc)}, status=400))
    check = services.record(
        appointment=link.appointment,
        result=parsed,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return _no_store(
        JsonResponse({"verdict": check.verdict, "status": services.status_of(check)}, status=201)
    )
