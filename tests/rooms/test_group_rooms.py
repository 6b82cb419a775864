"""A group appointment's room (issue 18): it holds up to ``max_group_size`` people, host
included, an individual one ``max_participants``; and while this server has no media
server (rooms/topology.py), nobody enters a group room at all, not even by hand.

The capacity tests make the group path available (as the media-server work will), since
without it a group room admits nobody.
"""

from __future__ import annotations

import pytest

from visavis import config
from visavis.appointments.services import create_appointment, update_appointment
from visavis.rooms import services, topology
from visavis.rooms.errors import Reason, RoomError
from visavis.rooms.events import State
from visavis.rooms.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_available(monkeypatch):
    monkeypatch.setattr(topology, "group_availability", lambda: topology.AVAILABLE)


@pytest.fixture
def group_appointment(counselor):
    from django.utils import timezone

    return create_appointment(
        owner=counselor, title="Group", start=timezone.now(), duration_minutes=90, group=True
    )


def _host(appointment, counselor):
    host, _ = services.join(
        room_token=appointment.room_token, user=counselor, channel_name="test.host"
    )
    return host


def _waiting_guest(appointment, index: int) -> Participant:
    guest, _ = services.join(
        room_token=appointment.room_token, user=None, channel_name=f"test.guest{index}"
    )
    services.knock(participant_id=guest.id, name=f"Guest {index}")
    return guest


def _refused_as_full(deliveries) -> bool:
    return any(getattr(d.event, "reason", None) == Reason.ROOM_FULL for d in deliveries)


def _admit_until_full(appointment, counselor, guests: int) -> list:
    host = _host(appointment, counselor)
    results = []
    for index in range(guests):
        guest = _waiting_guest(appointment, index)
        results.append(services.admit(actor_id=host.id, target_id=guest.id))
    return results


@pytest.mark.parametrize("value, expected", [(None, 9), ("3", 3), ("9", 9)])
def test_max_group_size_setting(monkeypatch, tmp_path, value, expected):
    monkeypatch.setenv("VISAVIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VISAVIS_CONFIG", raising=False)
    if value is None:
        monkeypatch.delenv("VISAVIS_MAX_GROUP_SIZE", raising=False)
    else:
        monkeypatch.setenv("VISAVIS_MAX_GROUP_SIZE", value)
    assert config.Config().max_group_size == expected


@pytest.mark.parametrize("value", ["2", "10", "many"])
def test_max_group_size_out_of_range_is_refused(monkeypatch, tmp_path, value):
    monkeypatch.setenv("VISAVIS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VISAVIS_CONFIG", raising=False)
    monkeypatch.setenv("VISAVIS_MAX_GROUP_SIZE", value)
    config.load.cache_clear()
    try:
        with pytest.raises(config.ConfigError, match="max_group_size"):
            config.load()
    finally:
        config.load.cache_clear()


def test_capacity_follows_the_appointment(settings):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_PARTICIPANTS": 4, "MAX_GROUP_SIZE": 7}
    assert topology.capacity(group=False) == 4
    assert topology.capacity(group=True) == 7


def test_a_group_room_admits_up_to_max_group_size_host_included(
    counselor, group_appointment, group_available
):
    results = _admit_until_full(group_appointment, counselor, guests=9)
    # Default max_group_size 9: the host and 8 guests; the ninth guest is refused.
    assert [_refused_as_full(r) for r in results] == [False] * 8 + [True]
    admitted = Participant.objects.filter(appointment=group_appointment, state=State.ADMITTED)
    assert admitted.count() == 9
    refusal = next(d.event for d in results[-1] if getattr(d.event, "reason", None))
    assert "maximum of 9 people" in refusal.message


def test_an_individual_room_still_holds_four(counselor, appointment):
    results = _admit_until_full(appointment, counselor, guests=4)
    assert [_refused_as_full(r) for r in results] == [False, False, False, True]


def test_a_smaller_configured_group_size_is_the_limit(
    settings, counselor, group_appointment, group_available
):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_GROUP_SIZE": 5}
    results = _admit_until_full(group_appointment, counselor, guests=5)
    assert [_refused_as_full(r) for r in results] == [False] * 4 + [True]


def test_welcome_and_knock_speak_of_the_appointments_capacity(
    counselor, group_appointment, group_available
):
    host, deliveries = services.join(
        room_token=group_appointment.room_token, user=counselor, channel_name="test.host"
    )
    welcome = next(d.event for d in deliveries if d.channel == "test.host" and
                   type(d.event).__name__ == "Welcome")
    assert welcome.max_participants == 9
    for index in range(8):
        guest = _waiting_guest(group_appointment, index)
        services.admit(actor_id=host.id, target_id=guest.id)
    late, _ = services.join(
        room_token=group_appointment.room_token, user=None, channel_name="test.late"
    )
    knocked = services.knock(participant_id=late.id, name="Late")
    assert knocked[0].event.call_full is True


# --- not available: nobody enters, and never into a mesh --------------------------------


def test_this_server_has_no_group_path_yet():
    usable = topology.group_availability()
    assert usable.available is False
    assert str(usable.reason) == "no media server configured"


def test_nobody_joins_a_group_room_while_the_group_path_is_unavailable(
    counselor, group_appointment
):
    for user in (counselor, None):
        with pytest.raises(RoomError) as refused:
            services.join(
                room_token=group_appointment.room_token, user=user, channel_name="test.x"
            )
        assert refused.value.reason == Reason.NOT_ALLOWED
        assert "no media server configured" in refused.value.message
    assert not Participant.objects.filter(appointment=group_appointment).exists()


def test_an_appointment_made_a_group_session_is_closed_to_new_connections(
    counselor, appointment
):
    _host(appointment, counselor)  # an individual session, in the mesh
    update_appointment(owner=counselor, appointment_id=appointment.pk, group=True)
    with pytest.raises(RoomError):
        services.join(room_token=appointment.room_token, user=None, channel_name="test.g")


@pytest.mark.django_db(transaction=True)
async def test_a_hand_made_client_gets_an_error_not_a_call(connect, counselor, group_appointment):
    for user in (counselor, None):
        client = await connect(user)
        await client.send({"type": "hello", "versions": [2], "room": group_appointment.room_token})
        error = await client.expect("error")
        assert error["code"] == "not-allowed"
        assert "no media server configured" in error["message"]
