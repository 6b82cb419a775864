"""Hand-made WebSocket clients against the real consumer, database and channel layer."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from visavis.appointments.services import create_appointment


class Client:
    """A participant speaking the protocol by hand, as any program could."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.ws = communicator

    async def send(self, message: dict | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.ws.send_to(text_data=text)

    async def receive(self, timeout: float = 3) -> dict:
        return json.loads(await self.ws.receive_from(timeout=timeout))

    async def expect(self, type_: str, timeout: float = 3) -> dict:
        message = await self.receive(timeout)
        assert message["type"] == type_, message
        return message

    async def silent(self) -> bool:
        return await self.ws.receive_nothing(timeout=0.2)

    async def hello(self, room: str) -> dict:
        """hello in the newest protocol version, as today's pages say it."""
        await self.send({"type": "hello", "versions": [2], "room": room})
        welcome = await self.expect("welcome")
        self.token = welcome["resume"]
        return welcome

    async def enter_as_host(self, room: str) -> dict:
        """hello as the owner, and the three messages that always follow it."""
        welcome = await self.hello(room)
        assert welcome["role"] == "host", welcome
        await self.expect("admitted")
        await self.expect("waiting-room")
        await self.expect("status")
        return welcome

    async def knock(self, room: str, name: str = "Robin") -> str:
        """hello and knock as a guest; returns the guest's id."""
        guest_id = (await self.hello(room))["id"]
        await self.send({"type": "knock", "name": name})
        await self.expect("waiting")
        return guest_id

    async def closed(self) -> bool:
        """Whether the server closed this connection (the next output is the close)."""
        return (await self.ws.receive_output(timeout=2))["type"] == "websocket.close"

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
async def connect(settings):
    from visavis.asgi import application
    opened: list[Client] = []

    async def make(user=None, path: str = "/ws/room") -> Client:
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        if user is not None:
            # A real login session, sent as the browser would: in the cookie header.
            session = await db(_session_cookie)(user)
            headers.append((b"cookie", f"sessionid={session}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        client = Client(communicator)
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.close()


@pytest.fixture
def counselor(django_user_model):
    return django_user_model.objects.create_user(username="owner", password="x-Long-Password-1")


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_user(username="colleague", password="x-Long-Password-1")


@pytest.fixture
def appointment(counselor):
    from django.utils import timezone

    return create_appointment(
        owner=counselor, title="Session", start=timezone.now(), duration_minutes=50
    )


@pytest.fixture
def room(appointment) -> str:
    return appointment.room_token


def db(fn):
    return database_sync_to_async(fn)


def _session_cookie(user) -> str:
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user)
    return http.cookies["sessionid"].value


@pytest.fixture(autouse=True)
def consent_given(monkeypatch):
    """These tests are about the protocol, not about the privacy notice a client confirms
    on the guest page before knocking (the consent app tests that step, and that a
    hand-made client cannot skip it): here every guest counts as having confirmed it."""
    try:
        from visavis.consent import services as consent
    except ImportError:
        return
    monkeypatch.setattr(consent, "consent_given", lambda appointment, session: True)
