"""The privacy notice page and the consent step in front of a client's room."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from visavis.appointments import links
from visavis.appointments.links import language_links
from visavis.consent import services
from visavis.consent.forms import ConsentForm


def page_language(request) -> str:
    """For pages without an appointment (notice, help): ``?lang=`` if it names a client
    language, else the browser's language if it is one, else English."""
    chosen = request.GET.get("lang", "")
    if chosen in services.LANGUAGE_CODES:
        return chosen
    browser = (getattr(request, "LANGUAGE_CODE", "") or "").split("-")[0]
    return browser if browser in services.LANGUAGE_CODES else "en"


def client_page(request, template: str, context: dict, *, language: str):
    """Render one of the client's plain pages in ``language``, never cached."""
    with translation.override(language):
        response = render(
            request,
            template,
            {
                **context,
                "language": language,
                "language_links": language_links(request, language),
                "same_window": True,  # the footer's links: no form or call to keep here
            },
        )
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def privacy_notice(request):
    language = page_language(request)
    return client_page(
        request,
        "consent/privacy.html",
        {"notice": services.notice(language)},
        language=language,
    )


def guest_consent_step(request, appointment, language: str):
    """The consent step of a client's link: the form, or, once ticked, the confirmation
    recorded and back to the link. web.views.client shows it where the door
    (visavis.entry.door) says ``CONSENT_REQUIRED``; this step decides nothing about entry.
    Runs inside the guest page's language override."""
    posted = request.method == "POST" and ConsentForm.is_ours(request.POST)
    if request.method == "POST" and not posted:  # e.g. the PIN form sent twice
        return redirect(request.get_full_path())
    form = ConsentForm(request.POST if posted else None)
    if posted and form.is_valid():
        services.record_consent(
            appointment=appointment, language=language, session=request.session
        )
        return redirect(request.get_full_path())
    error = _("Please tick the box to confirm that you have read the privacy notice.")
    return render(
        request,
        "consent/consent_step.html",
        {
            "appointment": appointment,
            "form": form,
            "error": error if posted else "",
            "notice_url": links.notice_url(language),
            "language_links": language_links(request, language),
        },
        status=400 if posted else 200,
    )
