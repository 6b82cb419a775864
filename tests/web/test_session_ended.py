"""After the host ended the session, the client's link says so (issue 15, item 10): no
pre-join page, no camera, until the host enters the room again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.web.test_guest import confirm_notice, make, text, url
from visavis.rooms.models import RoomState

pytestmark = pytest.mark.django_db


def test_link_after_end_for_everyone_says_the_session_has_ended(counselor, guest):
    appointment = make(counselor)
    confirm_notice(guest, appointment)
    assert 'id="knock-form"' in text(guest.get(url(appointment)))
    RoomState.objects.create(appointment=appointment, ended_at=timezone.now())
    response = guest.get(url(appointment))
    body = text(response)
    assert response.status_code == 200
    assert 'data-state="session-ended"' in body and "The session has ended" in body
    assert 'id="knock-form"' not in body and "guest.js" not in body
    # The host entered the room again: the link opens the room as before.
    RoomState.objects.filter(appointment=appointment).update(ended_at=None)
    assert 'id="knock-form"' in text(guest.get(url(appointment)))
