"""The quick exit of a call: where a participant lands who has to leave at once.

Someone in a counselling call may need to hide it in a second, for example when a
person walks into the room. The call page replaces itself (``location.replace``, so
Back does not return) with :func:`quick_exit`, which sends the browser on to the
operator's ``quick_exit_url``; by default that is :func:`neutral_page`, a plain page of
this server that names neither visavis nor counselling and loads nothing else.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from visavis import config

# A search on the neutral page only pretends: nothing is looked up, nothing is kept.
_MAX_QUERY = 100


@require_GET
@never_cache
def quick_exit(request):
    """Send the browser on to the configured neutral page (the template cannot know it)."""
    return HttpResponseRedirect(config.load().quick_exit_url)


@require_GET
@never_cache
def neutral_page(request):
    """A weather page that has nothing to say: unbranded, without any visavis styling."""
    query = request.GET.get("q", "").strip()[:_MAX_QUERY]
    return render(request, "web/neutral_page.html", {"query": query})
