"""CSRF protection that works with ``Referrer-Policy: no-referrer``.

Room links carry their secret in the URL, so visavis sends no Referer anywhere.
The price: browsers then send ``Origin: null`` on same-origin form posts and no
Referer at all, and Django's origin and (HTTPS) referer checks reject them. The
browser-set ``Sec-Fetch-Site: same-origin`` header proves the same fact without
a Referer: pages cannot forge it. Only when it says ``same-origin`` do we accept a
``null`` origin or a missing referer. The CSRF token (cookie plus form field) is
still checked for every unsafe request, exactly as before.
"""

from django.middleware.csrf import CsrfViewMiddleware


def _same_origin_by_fetch_metadata(request) -> bool:
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and _same_origin_by_fetch_metadata(request):
            return True
        return super()._origin_verified(request)

    def _check_referer(self, request):
        if not request.META.get("HTTP_REFERER") and _same_origin_by_fetch_metadata(request):
            return
        super()._check_referer(request)
