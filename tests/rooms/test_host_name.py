"""Issue 15 (12): what a client sees as the counselor's name comes from the server: the
name the counselor set on their account page, or a neutral word in the client's
language; never the login name (half of a login, and often a real name)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.rooms.conftest import db
from visavis.accounts.services import set_display_name
from visavis.appointments.services import create_appointment

pytestmark = pytest.mark.django_db(transaction=True)


async def _host_as_the_client_sees_it(connect, counselor, room) -> dict:
    host = await connect(counselor)
    await host.enter_as_host(room)
    guest = await connect()
    guest_id = await guest.knock(room)
    await host.expect("waiting-room")
    await host.send({"type": "admit", "id": guest_id})
    peers = (await guest.expect("admitted"))["peers"]
    assert [peer["role"] for peer in peers] == ["host"]
    return peers[0]


async def test_without_a_name_the_client_sees_a_neutral_word_not_the_login(
    connect, counselor, room
):
    host = await _host_as_the_client_sees_it(connect, counselor, room)
    assert host["name"] == "Counselor"
    assert counselor.get_username() not in host["name"]


async def test_the_neutral_word_is_in_the_clients_language(connect, counselor):
    german = await db(create_appointment)(
        owner=counselor, title="Sitzung", start=timezone.now(), duration_minutes=50,
        language="de",
    )
    host = await _host_as_the_client_sees_it(connect, counselor, german.room_token)
    assert host["name"] == "Beratung"


async def test_the_client_sees_the_name_the_counselor_set(connect, counselor, room):
    await db(set_display_name)(user=counselor, name="  Dr. Jane   Doe ")
    host = await _host_as_the_client_sees_it(connect, counselor, room)
    assert host["name"] == "Dr. Jane Doe"


async def test_a_full_name_set_by_the_operator_is_no_longer_the_source(
    connect, counselor, room
):
    """Before, a full name (else the login) was shown; now only the counselor's choice."""
    counselor.first_name, counselor.last_name = "Alexandra", "Berger"
    await db(counselor.save)()
    host = await _host_as_the_client_sees_it(connect, counselor, room)
    assert host["name"] == "Counselor"
