"""The room itself asks the door (visavis.entry.door) again: a hand-made WebSocket client that
skips the guest page still cannot knock without the PIN, outside the time window, on a
cancelled appointment or one with external video. The host is never held back by any of it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client as HttpClient
from django.utils import timezone

from visavis.appointments import services
from visavis.entry import door

pytestmark = pytest.mark.django_db(transaction=True)


class Socket:
    def __init__(self, communicator):
        self.ws = communicator

    async def send(self, message: dict) -> None:
        await self.ws.send_to(text_data=json.dumps(message))

    async def expect(self, type_: str) -> dict:
        message = json.loads(await self.ws.receive_from(timeout=10))
        assert message["type"] == type_, message
        return message

    async def hello(self, room: str) -> dict:
        await self.send({"type": "hello", "version": 1, "room": room})
        return await self.expect("welcome")

    async def knock(self) -> dict:
        await self.send({"type": "knock", "name": "Robin"})
        return json.loads(await self.ws.receive_from(timeout=10))


@pytest.fixture
async def connect():
    from visavis.asgi import application

    opened = []

    async def make(session_key: str | None = None) -> Socket:
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        if session_key:
            headers.append((b"cookie", f"sessionid={session_key}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/room", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return Socket(communicator)

    yield make
    for communicator in opened:
        await communicator.disconnect()


def db(fn):
    return database_sync_to_async(fn)


def _appointment(counselor, minutes_from_now=0, **changes):
    return services.create_appointment(
        owner=counselor, title="Session", duration_minutes=50,
        start=timezone.now() + timedelta(minutes=minutes_from_now), **changes,
    )


def _guest_session_with_pin(appointment, pin: str) -> str:
    http = HttpClient()
    response = http.post(f"/r/{appointment.room_token}", {"pin": pin})
    assert response.status_code == 302, response.content
    # Then the privacy notice step (visavis.consent), also required before a knock.
    response = http.post(f"/r/{appointment.room_token}", {"step": "consent", "read_notice": "on"})
    assert response.status_code == 302, response.content
    return http.cookies["sessionid"].value


def _host_session(user) -> str:
    http = HttpClient()
    http.force_login(user)
    return http.cookies["sessionid"].value


async def test_knock_without_the_pin_is_refused(connect, counselor):
    appointment = await db(_appointment)(counselor, pin="482915")
    guest = await connect()
    await guest.hello(appointment.room_token)
    reply = await guest.knock()
    assert reply["type"] == "error" and reply["code"] == "not-allowed"
    assert "PIN" in reply["message"]


async def test_a_session_with_a_wrong_pin_is_refused_too(connect, counselor):
    appointment = await db(_appointment)(counselor, pin="482915")
    http = HttpClient()
    await db(http.get)(f"/r/{appointment.room_token}")
    await db(http.post)(f"/r/{appointment.room_token}", {"pin": "000000"})
    session = http.cookies.get("sessionid")
    guest = await connect(session.value if session else None)
    await guest.hello(appointment.room_token)
    assert (await guest.knock())["code"] == "not-allowed"


async def test_knock_after_the_pin_on_the_guest_page_works(connect, counselor):
    appointment = await db(_appointment)(counselor, pin="482915")
    session = await db(_guest_session_with_pin)(appointment, "482915")
    guest = await connect(session)
    await guest.hello(appointment.room_token)
    assert (await guest.knock())["type"] == "waiting"


async def test_a_new_pin_locks_out_the_old_session(connect, counselor):
    appointment = await db(_appointment)(counselor, pin="482915")
    session = await db(_guest_session_with_pin)(appointment, "482915")
    await db(services.update_appointment)(
        owner=counselor, appointment_id=appointment.pk, pin="135790"
    )
    guest = await connect(session)
    await guest.hello(appointment.room_token)
    assert (await guest.knock())["code"] == "not-allowed"


@pytest.mark.parametrize("minutes_from_now", [60 * 24, -60 * 5])
async def test_knock_outside_the_time_window_is_refused_but_the_host_enters(
    connect, counselor, minutes_from_now
):
    appointment = await db(_appointment)(counselor, minutes_from_now=minutes_from_now)
    guest = await connect()
    await guest.hello(appointment.room_token)
    reply = await guest.knock()
    assert reply["code"] == "not-allowed"
    host = await connect(await db(_host_session)(counselor))
    welcome = await host.hello(appointment.room_token)
    assert welcome["role"] == "host" and welcome["state"] == "admitted"


async def test_external_video_appointment_has_no_knocking(connect, counselor):
    appointment = await db(_appointment)(counselor, external_url="https://zoom.example/j/1")
    guest = await connect()
    await guest.hello(appointment.room_token)
    assert (await guest.knock())["code"] == "not-allowed"


async def test_cancelled_and_revoked_links_cannot_even_say_hello(connect, counselor):
    cancelled = await db(_appointment)(counselor)
    await db(services.cancel_appointment)(owner=counselor, appointment_id=cancelled.pk)
    revoked = await db(_appointment)(counselor)
    old = revoked.room_token
    await db(services.revoke_link)(owner=counselor, appointment_id=revoked.pk)
    for token in (cancelled.room_token, old):
        guest = await connect()
        await guest.send({"type": "hello", "version": 1, "room": token})
        assert (await guest.expect("error"))["code"] == "unknown-room"


async def test_pin_lockout_never_blocks_the_host(connect, counselor):
    appointment = await db(_appointment)(counselor, pin="482915")
    http = HttpClient()
    for _ in range(6):
        await db(http.post)(f"/r/{appointment.room_token}", {"pin": "000000"})
    assert await db(door.pin_blocked_until)(appointment) is not None
    host = await connect(await db(_host_session)(counselor))
    welcome = await host.hello(appointment.room_token)
    assert welcome["role"] == "host"
    await host.expect("admitted")
