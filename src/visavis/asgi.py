"""ASGI entry point: HTTP through Django, WebSockets through Channels, in one process."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visavis.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from visavis.rooms.origin import SameOriginValidator  # noqa: E402
from visavis.rooms.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin's host must be an allowed host, and its scheme, host and port
        # those of the request itself (rooms/origin.py).
        "websocket": AllowedHostsOriginValidator(
            SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
