"""The WebSocket origin check: a room or watch connection is accepted only from a page of
this very site, same scheme, host and port.

Channels' ``AllowedHostsOriginValidator`` only compares the Origin's host name with
``ALLOWED_HOSTS``, so a page on another port or over plain HTTP of the same host could
open connections with the counselor's cookies. Here the Origin must equal the address
the request itself was made to: its scheme (``wss`` ⇔ ``https``; behind the TLS proxy,
``behind_tls_proxy``, the proxy's ``X-Forwarded-Proto``), its ``Host`` header, and the
port, default ports made explicit. Refused handshakes get HTTP 403.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _address(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or _DEFAULT_PORTS[scheme]
    except (ValueError, KeyError):
        return None
    if not parts.hostname or parts.path or parts.query or parts.username:
        return None
    return scheme, parts.hostname.lower(), port


def request_scheme(scope) -> str:
    """``https`` when the browser reached the site over TLS, else ``http``."""
    if settings.VISAVIS["BEHIND_TLS_PROXY"]:
        forwarded = _header(scope, b"x-forwarded-proto")
        if forwarded is not None:
            return "https" if forwarded.split(",")[0].strip() == "https" else "http"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def same_origin(scope) -> bool:
    """Whether the handshake's Origin is this site's own (scheme, host and port)."""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in _DEFAULT_PORTS:
        return False
    theirs = _address(parts.scheme, parts.netloc)
    ours = _address(request_scheme(scope), host)
    return theirs is not None and theirs == ours


class SameOriginValidator:
    """ASGI middleware: refuse WebSocket handshakes from any other origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not same_origin(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
