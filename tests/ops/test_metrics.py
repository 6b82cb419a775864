"""``/metrics``: off by default; when switched on, only aggregate counts."""

from __future__ import annotations

import re

import pytest
from django.test import AsyncClient, Client

from tests.rooms.conftest import db
from visavis.appointments.services import create_appointment

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = re.compile(r"^(visavis_[a-z_]+) (\d+)$")


@pytest.fixture
def metrics_on(settings):
    settings.VISAVIS = {**settings.VISAVIS, "METRICS": True}


async def scrape() -> dict[str, int]:
    response = await AsyncClient().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "Set-Cookie" not in response.headers
    text = response.content.decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) visavis_[a-z_]+ ", line), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not a plain sample line: {line!r}"
        samples[match.group(1)] = int(match.group(2))
    return samples


def test_metrics_are_off_by_default():
    assert Client().get("/metrics").status_code == 404


async def test_metrics_count_rooms_participants_and_calls(
    metrics_on, connect, counselor, room
):
    assert await scrape() == {
        "visavis_open_rooms": 0,
        "visavis_connected_participants": 0,
        "visavis_calls_started_total": 0,
    }
    host = await connect(counselor)
    await host.hello(room)
    guest = await connect()
    guest_id = (await guest.hello(room))["id"]
    await guest.send({"type": "knock", "name": "Robin Secret-Name"})
    await guest.expect("waiting")
    await host.send({"type": "admit", "id": guest_id})
    await guest.expect("admitted")

    other = await db(create_appointment)(
        owner=counselor, title="Other", start=_now(), duration_minutes=50
    )
    lobby_only = await connect()
    await lobby_only.hello(other.room_token)

    samples = await scrape()
    assert samples == {
        "visavis_open_rooms": 2,
        "visavis_connected_participants": 3,
        "visavis_calls_started_total": 1,
    }
    # Only counts: no name, no room token, no participant id.
    body = (await AsyncClient().get("/metrics")).content.decode()
    for secret in ("Robin", room, other.room_token, guest_id, "owner"):
        assert secret not in body

    await guest.send({"type": "leave"})
    await until(host, "left")
    assert (await scrape())["visavis_connected_participants"] == 2
    # A second guest admitted into the call with the host starts the next call.
    again = await connect()
    again_id = (await again.hello(room))["id"]
    await again.send({"type": "knock", "name": "Kim"})
    await again.expect("waiting")
    await host.send({"type": "admit", "id": again_id})
    await again.expect("admitted")
    assert (await scrape())["visavis_calls_started_total"] == 2


async def until(client, type_: str) -> dict:
    """Read ``client``'s messages up to the first of ``type_``."""
    while (message := await client.receive())["type"] != type_:
        pass
    return message


def _now():
    from django.utils import timezone

    return timezone.now()
