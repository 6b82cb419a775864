"""A group appointment's pages in a real browser, at phone and laptop sizes, in both
languages: the badge on the dashboard and the appointment page, and the room pages of the
counselor and the client, which say that group sessions are not available on this server
yet. Nothing sticks out sideways, no camera is asked for and no peer connection is opened.

``VISAVIS_LAYOUT_SHOTS=<dir>`` saves screenshots, as in test_layout.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.e2e.helpers import api, confirm_privacy_notice, log_in
from tests.e2e.test_layout import SIZES, Layout

NOTICE = "[data-state=group-unavailable]"


@pytest.mark.parametrize("language", ["en", "de"])
def test_group_appointment_pages(new_page, live_server_process, language):
    server = live_server_process
    layout = Layout(language)
    locale = "de-DE" if language == "de" else "en-US"
    appointment = api(
        server,
        "POST",
        "/appointments",
        {
            "title": f"Gruppe Dienstag ({language})",
            "start": datetime.now(UTC).isoformat(),
            "duration_minutes": 90,
            "language": language,
            "group": True,
        },
    )
    assert appointment["group"] is True

    host = new_page(locale=locale)
    log_in(host)
    host.goto("/")
    assert host.locator(".badge.group").first.is_visible()
    layout.check(host, "group-dashboard", sizes=SIZES)
    host.goto(f"/appointments/{appointment['id']}/edit")
    assert host.locator("#id_group").is_checked()
    layout.check(host, "group-edit", sizes=SIZES)
    host.goto(f"/appointments/{appointment['id']}")
    assert host.locator("#group-unavailable").is_visible()
    layout.check(host, "group-detail", sizes=SIZES)
    host.goto(appointment["host_url"])
    host.wait_for_selector(NOTICE)
    layout.check(host, "group-host-room", whole=["h1"], sizes=SIZES)

    guest = new_page(locale=locale)
    guest.goto(appointment["guest_url"])
    confirm_privacy_notice(guest)
    guest.wait_for_selector(NOTICE)
    layout.check(guest, "group-guest-room", whole=["h1"], sizes=SIZES)

    for page in (host, guest):
        text = page.locator(NOTICE).inner_text()
        assert ("kein Medienserver eingerichtet" if language == "de"
                else "no media server configured") in text
        assert page.evaluate("window.__pcs.length") == 0
    layout.report()
