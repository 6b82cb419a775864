"""Two processes acting on one room at once are kept in order by the database.

Each room service locks the appointment's row (``select_for_update``) for its whole
transaction. On PostgreSQL that is what serialises them; these tests hold the row
lock from a third connection, start two conflicting changes in two threads (each
with its own database connection, as two server processes would have), and check
that both wait for the lock and that only one of them wins. SQLite has no row locks:
it serialises every write transaction as a whole (``transaction_mode = IMMEDIATE``).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tests.backends import configured_database_url
from visavis.appointments.models import Appointment
from visavis.rooms import services, topology
from visavis.rooms.errors import Reason
from visavis.rooms.events import Role, State
from visavis.rooms.models import Participant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not configured_database_url(), reason="row locks: runs on the PostgreSQL run"
    ),
]


class Attempt(threading.Thread):
    """Runs ``fn`` in a thread of its own, with a database connection of its own."""

    def __init__(self, fn, **kwargs):
        super().__init__(daemon=True)
        self.fn, self.kwargs = fn, kwargs
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.fn(**self.kwargs)
        except Exception as exc:
            self.error = exc
        finally:
            connections.close_all()


def _while_room_is_locked(appointment_id, attempts: list[Attempt]) -> None:
    """Start ``attempts`` while another transaction holds the room; they must wait for it."""
    assert connection.vendor == "postgresql"
    with transaction.atomic():
        Appointment.objects.select_for_update().get(pk=appointment_id)
        for attempt in attempts:
            attempt.start()
        for attempt in attempts:
            attempt.join(timeout=1.0)
            assert attempt.is_alive(), "a room change went ahead while the room was locked"
    for attempt in attempts:
        attempt.join(timeout=30)
        assert not attempt.is_alive()


def _guest_waiting(room: str, name: str) -> str:
    guest, _ = services.join(room_token=room, user=None, channel_name=f"test.{name}")
    services.knock(participant_id=guest.id, name=name)
    return guest.id


def test_two_admits_for_the_last_place_admit_one(settings, counselor, appointment, room):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_PARTICIPANTS": 2}
    host, _ = services.join(room_token=room, user=counselor, channel_name="test.host")
    first = _guest_waiting(room, "first")
    second = _guest_waiting(room, "second")

    attempts = [
        Attempt(services.admit, actor_id=host.id, target_id=first),
        Attempt(services.admit, actor_id=host.id, target_id=second),
    ]
    _while_room_is_locked(appointment.pk, attempts)

    assert [a.error for a in attempts] == [None, None]
    # The loser's host is told that the call is full (and its guest that they still wait).
    refusals = [
        a for a in attempts
        if any(getattr(d.event, "reason", None) == Reason.ROOM_FULL for d in a.result)
    ]
    assert len(refusals) == 1, [a.result for a in attempts]
    admitted = Participant.objects.filter(appointment=appointment, state=State.ADMITTED)
    assert admitted.count() == 2


def test_a_group_rooms_last_place_goes_to_one_of_two_admits(
    settings, monkeypatch, counselor, appointment, room
):
    # A group room holds max_group_size (here 3, host included), not max_participants.
    settings.VISAVIS = {**settings.VISAVIS, "MAX_PARTICIPANTS": 2, "MAX_GROUP_SIZE": 3}
    monkeypatch.setattr(topology, "group_availability", lambda: topology.AVAILABLE)
    Appointment.objects.filter(pk=appointment.pk).update(group=True)
    host, _ = services.join(room_token=room, user=counselor, channel_name="test.host")
    services.admit(actor_id=host.id, target_id=_guest_waiting(room, "first"))
    second = _guest_waiting(room, "second")
    third = _guest_waiting(room, "third")

    attempts = [
        Attempt(services.admit, actor_id=host.id, target_id=second),
        Attempt(services.admit, actor_id=host.id, target_id=third),
    ]
    _while_room_is_locked(appointment.pk, attempts)

    assert [a.error for a in attempts] == [None, None]
    refusals = [
        a for a in attempts
        if any(getattr(d.event, "reason", None) == Reason.ROOM_FULL for d in a.result)
    ]
    assert len(refusals) == 1, [a.result for a in attempts]
    admitted = Participant.objects.filter(appointment=appointment, state=State.ADMITTED)
    assert admitted.count() == 3


def test_two_host_connections_at_once_leave_one_host(counselor, appointment, room):
    attempts = [
        Attempt(services.join, room_token=room, user=counselor, channel_name=f"test.host{i}")
        for i in range(2)
    ]
    _while_room_is_locked(appointment.pk, attempts)

    assert [a.error for a in attempts] == [None, None]
    hosts = Participant.objects.filter(
        appointment=appointment, role=Role.HOST, state=State.ADMITTED
    )
    assert hosts.count() == 1
