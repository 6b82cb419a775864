"""Who may do what: every role against every page, API call and protocol message.

Two tables: one for HTTP (pages and the API), one for the room protocol. Each row is
(role, action, expected outcome); a row that no longer holds fails with its own id.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.rooms.conftest import _session_cookie
from visavis.accounts.services import create_counselor, issue_token
from visavis.appointments import services as appointments

PASSWORD = "a long Passw0rd!x"
PIN = "520813"
LOGIN = "redirect-to-login"

# --- pages and API ------------------------------------------------------------------------

# Role columns: anonymous browser, client who entered the PIN, another counselor, the
# owner, the operator (superuser, not the owner). Values: status code, or LOGIN.
ROLES = ["anonymous", "client", "colleague", "owner", "operator"]
PAGES = {
    # action: (url template, expected per role in ROLES order)
    "dashboard": ("/", [LOGIN, LOGIN, 200, 200, 200]),
    "new appointment": ("/appointments/new", [LOGIN, LOGIN, 200, 200, 200]),
    "appointment page": ("/appointments/{id}", [LOGIN, LOGIN, 404, 200, 404]),
    "edit page": ("/appointments/{id}/edit", [LOGIN, LOGIN, 404, 200, 404]),
    "cancel question": ("/appointments/{id}/cancel", [LOGIN, LOGIN, 404, 200, 404]),
    "replace link question": ("/appointments/{id}/revoke", [LOGIN, LOGIN, 404, 200, 404]),
    "host room": ("/appointments/{id}/room", [LOGIN, LOGIN, 404, 200, 404]),
    "invitation ics": ("/appointments/{id}/invitation.ics", [LOGIN, LOGIN, 404, 200, 404]),
    "calendar settings": ("/calendar/settings", [LOGIN, LOGIN, 200, 200, 200]),
    "guest link": ("/r/{token}", [200, 200, 200, 200, 200]),
    "guest link unknown": ("/r/no-such-link-at-all", [404, 404, 404, 404, 404]),
    "admin": ("/admin/", [302, 302, 302, 302, 200]),
    "admin appointments": ("/admin/appointments/appointment/", [302, 302, 302, 302, 404]),
    "setup test": ("/r/{token}/setup", [200, 200, 200, 200, 200]),
    "setup test ICE servers": ("/r/{token}/setup/ice", [200, 200, 200, 200, 200]),
    "setup test unknown": ("/r/no-such-link-at-all/setup", [404, 404, 404, 404, 404]),
    "help": ("/help", [200, 200, 200, 200, 200]),
    "privacy notice": ("/privacy", [200, 200, 200, 200, 200]),
    "account": ("/accounts/", [LOGIN, LOGIN, 200, 200, 200]),
    "second factor set-up": ("/accounts/second-factor/", [LOGIN, LOGIN, 200, 200, 200]),
    "password change": ("/accounts/password_change/", [LOGIN, LOGIN, 200, 200, 200]),
    "password reset (no SMTP)": ("/accounts/password_reset/", [404, 404, 404, 404, 404]),
    "healthz": ("/healthz", [200, 200, 200, 200, 200]),
    "metrics (off)": ("/metrics", [404, 404, 404, 404, 404]),
}
POSTS = {
    "cancel": ("/appointments/{id}/cancel", [LOGIN, LOGIN, 404, 302, 404]),
    "revoke link": ("/appointments/{id}/revoke", [LOGIN, LOGIN, 404, 302, 404]),
    "new pin": ("/appointments/{id}/pin", [LOGIN, LOGIN, 404, 302, 404]),
    # Each counselor's own name for clients; no appointment involved.
    "display name": ("/accounts/name/", [LOGIN, LOGIN, 302, 302, 302]),
    # An empty result is refused plainly, whoever sends it; nothing is stored.
    "setup test result (empty)": ("/r/{token}/setup/result", [400, 400, 400, 400, 400]),
    # Last: it ends the role's logins (then the login page follows, for everyone).
    "log out everywhere": ("/accounts/logout-everywhere/", [LOGIN] * 5),
}
# API: the bearer token of each role (anonymous and client have none).
API = {
    "list": ("GET", "/api/v1/appointments", [401, 401, 200, 200, 200]),
    "get": ("GET", "/api/v1/appointments/{id}", [401, 401, 404, 200, 404]),
    "update": ("PATCH", "/api/v1/appointments/{id}", [401, 401, 404, 200, 404]),
    "revoke": ("POST", "/api/v1/appointments/{id}/revoke-link", [401, 401, 404, 200, 404]),
    "cancel": ("DELETE", "/api/v1/appointments/{id}", [401, 401, 404, 200, 404]),
}


def _rows(table):
    for action, (*_, expected) in table.items():
        for role, outcome in zip(ROLES, expected, strict=True):
            yield pytest.param(action, role, outcome, id=f"{action}-{role}")


@pytest.fixture
def world(db, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = create_counselor(username="owner", password=PASSWORD)
    create_counselor(username="colleague", password=PASSWORD)
    django_user_model.objects.create_superuser("operator", password=PASSWORD)
    appointment = appointments.create_appointment(
        owner=owner, title="Session", start=timezone.now(), duration_minutes=50, pin=PIN
    )
    clients = {}
    for role in ROLES:
        client = Client()
        if role in {"colleague", "owner", "operator"}:
            assert client.login(username=role, password=PASSWORD)
        clients[role] = client
    pin_page = clients["client"].post(f"/r/{appointment.room_token}", {"pin": PIN})
    assert pin_page.status_code in {200, 302}
    tokens = {r: issue_token(username=r) for r in ("colleague", "owner", "operator")}
    return appointment, clients, tokens


def _outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def test_pages_and_api(world):
    """One pass over the whole HTTP table; every mismatch is listed at once."""
    appointment, clients, tokens = world
    wrong = []
    for action, role, expected in (p.values for p in [*_rows(PAGES), *_rows(POSTS)]):
        table = PAGES if action in PAGES else POSTS
        url = table[action][0].format(id=appointment.pk, token=appointment.room_token)
        # Each state-changing row acts on an appointment of its own.
        if table is POSTS:
            fresh = appointments.create_appointment(
                owner=appointment.owner, title="Other", start=timezone.now(),
                duration_minutes=50,
            )
            url = table[action][0].format(id=fresh.pk, token=fresh.room_token)
        client = clients[role]
        response = client.get(url) if table is PAGES else client.post(url, {"confirm": "yes"})
        if _outcome(response) != expected:
            wrong.append(f"{action} as {role}: {_outcome(response)}, expected {expected}")
    for action, role, expected in (p.values for p in _rows(API)):
        method, path, _ = API[action]
        fresh = appointments.create_appointment(
            owner=appointment.owner, title="Other", start=timezone.now(), duration_minutes=50
        )
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        body = '{"title": "Renamed"}' if method == "PATCH" else ""
        response = Client().generic(
            method, path.format(id=fresh.pk), body,
            content_type="application/json", headers=headers,
        )
        if response.status_code != expected:
            wrong.append(f"API {action} as {role}: {response.status_code}, expected {expected}")
    assert wrong == []


# --- the room protocol ---------------------------------------------------------------------

# Roles in a room. "lobby": a guest who said hello; "denied": a guest who was denied and
# comes back with a new connection (its resume token no longer works); "colleague" and
# "operator": logged in, but not the owner, so only guests.
PROTOCOL = {
    # action: expected per role, in this order:
    #   fresh, lobby, waiting, admitted, denied, colleague, operator, owner
    # ("ok" = accepted; otherwise the error code)
    "knock": ["hello-first", "ok", "bad-state", "bad-state", "ok", "ok", "ok", "bad-state"],
    "admit": ["hello-first", "not-allowed", "not-allowed", "not-allowed", "not-allowed",
              "not-allowed", "not-allowed", "ok"],
    "deny": ["hello-first", "not-allowed", "not-allowed", "not-allowed", "not-allowed",
             "not-allowed", "not-allowed", "ok"],
    "signal": ["hello-first", "bad-state", "bad-state", "ok", "bad-state", "bad-state",
               "bad-state", "ok"],
    "leave": ["hello-first", "ok", "ok", "ok", "ok", "ok", "ok", "ok"],
    # Moderation (issue 5): only the owner, in the call.
    **{
        action: ["hello-first", *["not-allowed"] * 6, "ok"]
        for action in ("deny-message", "send-back", "remove", "lock", "unlock", "note", "end")
    },
}
ROOM_ROLES = ["fresh", "lobby", "waiting", "admitted", "denied", "colleague", "operator",
              "owner"]


@pytest.fixture(autouse=True)
def consent_given(monkeypatch):
    """The protocol table is about roles, not the privacy notice a client confirms before
    knocking (tested with the consent app): every guest here counts as having confirmed."""
    try:
        from visavis.consent import services as consent
    except ImportError:
        return
    monkeypatch.setattr(consent, "consent_given", lambda appointment, session: True)



@pytest.fixture
def room_world(transactional_db, settings, django_user_model):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = create_counselor(username="owner", password=PASSWORD)
    colleague = create_counselor(username="colleague", password=PASSWORD)
    operator = django_user_model.objects.create_superuser("operator", password=PASSWORD)
    sessions = {u.username: _session_cookie(u) for u in (owner, colleague, operator)}

    def new_room() -> str:
        return appointments.create_appointment(
            owner=owner, title="Session", start=timezone.now(), duration_minutes=50
        ).room_token

    return new_room, sessions


async def _open(session=None):
    from channels.testing import WebsocketCommunicator

    from tests.rooms.conftest import Client as WsClient
    from visavis.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/room", headers=headers)
    assert (await communicator.connect())[0]
    return WsClient(communicator)


async def _drain(client) -> None:
    while not await client.ws.receive_nothing(timeout=0.05):
        await client.ws.receive_output()


@pytest.mark.parametrize("role", ROOM_ROLES)
async def test_protocol(room_world, role):
    """Each row of the protocol table for ``role``, each in a room of its own."""
    from channels.db import database_sync_to_async

    new_room, sessions = room_world
    for action, expected in PROTOCOL.items():
        room = await database_sync_to_async(new_room)()
        await _protocol_row(room, sessions, action, role, expected[ROOM_ROLES.index(role)])


async def _protocol_row(room, sessions, action, role, expected):
    from visavis.rooms import limits

    limits.reset()  # every row knocks from the same (test) address
    host = await _open(sessions["owner"])
    host_id = (await host.hello(room))["id"]
    # A guest in the call and one waiting, for the actions to be aimed at.
    peer = await _open()
    peer_id = (await peer.hello(room))["id"]
    await peer.send({"type": "knock", "name": "Peer"})
    await peer.expect("waiting")  # as a real host, admit only someone who has knocked
    await host.send({"type": "admit", "id": peer_id})
    await peer.expect("admitted")
    other = await _open()
    other_id = (await other.hello(room))["id"]
    await other.send({"type": "knock", "name": "Other"})
    await other.expect("waiting")
    opened = [host, peer, other]

    if role == "owner":
        me = host
    else:
        me = await _open(sessions.get(role))
        opened.append(me)
        if role != "fresh":
            welcome = await me.hello(room)
            assert welcome["role"] == "guest"
        if role in {"waiting", "admitted", "denied"}:
            await me.send({"type": "knock", "name": "Me"})
            await me.expect("waiting")
        if role == "admitted":
            await host.send({"type": "admit", "id": welcome["id"]})
            await me.expect("admitted")
        if role == "denied":
            await _drain(host)
            await host.send({"type": "deny", "id": welcome["id"]})
            await me.expect("denied")
            closed = await me.ws.receive_output(timeout=3)
            assert closed["type"] == "websocket.close"
            me = await _open()
            opened.append(me)
            await me.send({"type": "hello", "version": 1, "room": room,
                           "resume": welcome["resume"]})
            again = await me.expect("welcome")
            assert again["resumed"] is False and again["state"] == "lobby"
    for client in opened:
        await _drain(client)

    target = peer_id if role in {"owner", "admitted"} and action == "signal" else other_id
    if action == "signal" and role == "admitted":
        target = host_id
    message = {
        "knock": {"type": "knock", "name": "Me"},
        "admit": {"type": "admit", "id": other_id},
        "deny": {"type": "deny", "id": other_id},
        "signal": {"type": "signal", "to": target, "data": {"candidate": {
            "candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host"}}},
        "leave": {"type": "leave"},
        "deny-message": {"type": "deny", "id": other_id, "message": "Not today."},
        "send-back": {"type": "send-back", "id": peer_id},
        "remove": {"type": "remove", "id": other_id},
        "lock": {"type": "lock"},
        "unlock": {"type": "unlock"},
        "note": {"type": "note", "text": "Five more minutes."},
        "end": {"type": "end"},
    }[action]
    await me.send(message)
    if expected == "ok":
        if action == "knock":
            await me.expect("waiting")
        elif action == "admit":
            await other.expect("admitted")
        elif action == "deny":
            await other.expect("denied")
        elif action == "signal":
            receiver = {peer_id: peer, host_id: host}[target]
            relayed = await receiver.expect("signal")
            assert relayed["data"] == message["data"]
        elif action == "leave":
            assert await me.ws.receive_nothing(timeout=0.05)
        elif action == "deny-message":
            assert (await other.expect("denied"))["message"] == "Not today."
        elif action == "send-back":
            await peer.expect("sent-back")
            assert (await host.expect("left"))["id"] == peer_id
        elif action == "remove":
            await other.expect("removed")
        elif action in {"lock", "unlock"}:
            assert (await host.expect("status"))["locked"] is (action == "lock")
        elif action == "note":
            assert (await other.expect("note"))["text"] == "Five more minutes."
        elif action == "end":
            for client in (peer, other, host):
                await client.expect("ended")
    else:
        error = await me.expect("error")
        assert error["code"] == expected, (action, role, error)
        # Nobody else heard of it.
        for client in (host, peer, other):
            if client is not me:
                assert await client.ws.receive_nothing(timeout=0.05)
    for client in opened:
        await client.close()
