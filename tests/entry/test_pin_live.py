"""PIN guesses under real concurrency: a burst of simultaneous wrong PINs against a real
server process (SQLite, or PostgreSQL in the second round) is evaluated at most
``pin_max_attempts`` times."""

from __future__ import annotations

import pytest

from tests.burst import burst, form_token, post_form, shell
from tests.conftest import running_server

PIN_LIMIT = 5  # the default of pin_max_attempts
NEW_APPOINTMENT = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from visavis.appointments import services
owner = get_user_model().objects.get(username="carol")
appointment = services.create_appointment(
    owner=owner, title="Session", start=timezone.now(), duration_minutes=50, pin="123456"
)
print(appointment.room_token)
"""
COUNT_ATTEMPTS = (
    "from visavis.appointments.models import PinAttempt; print(PinAttempt.objects.count())"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    with running_server(tmp_path_factory, request, "pins", users=("carol",)) as server:
        yield server


def test_a_burst_of_wrong_pins_is_evaluated_at_most_limit_times(server):
    room = f"/r/{shell(server, NEW_APPOINTMENT)}"
    answers = burst(server, room, [{"pin": f"{i:06d}"} for i in range(1, 61)])
    statuses = [a.status for a in answers]
    assert all(s in {403, 429} for s in statuses), statuses
    assert int(shell(server, COUNT_ATTEMPTS)) == PIN_LIMIT
    assert statuses.count(403) <= PIN_LIMIT - 1
    # Locked now: the right PIN is not even checked.
    assert post_form(server, room, {"pin": "123456"}, form_token(server, room)).status == 429
