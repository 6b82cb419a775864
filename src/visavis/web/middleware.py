"""Headers Django has no setting for, and the counselor's time zone."""

from django.utils import timezone

from visavis.appointments.services import zone_for

# Camera, microphone, screen sharing and speaker choice for our own pages only;
# the other powerful features off. Only features Chromium knows are listed, so that
# the browser console stays free of warnings.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=(self)",
        "display-capture=(self)",
        "speaker-selection=(self)",
        "autoplay=(self)",
        "fullscreen=(self)",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "hid=()",
        "midi=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "browsing-topics=()",
    ]
)


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class CounselorTimeZoneMiddleware:
    """Show and read times in the logged-in counselor's own time zone (their calendar setting).

    Everyone else (guests, the API, the login page) gets the configured ``time_zone``;
    guest pages switch to the appointment owner's zone themselves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_for(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
