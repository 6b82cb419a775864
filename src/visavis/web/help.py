"""The client's help page: camera, microphone, sound and connection problems, in plain
words. Readable without login, linked from every page a client sees (base.html). The
text is written per language in its own template (web/help_de.html, web/help_en.html)
rather than as many small translated strings: it is prose, and reads better that way."""

from __future__ import annotations

from django.views.decorators.http import require_GET

from visavis.consent.views import client_page, page_language


@require_GET
def help_page(request):
    language = page_language(request)
    return client_page(
        request, "web/help.html", {"body": f"web/help_{language}.html"}, language=language
    )
