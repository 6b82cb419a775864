"""One room, two server processes: host on process A, guests on process B.

The same with real browsers and media: tests/e2e/test_two_processes.py.

Everything between them goes through PostgreSQL (room state) and Redis (messages to
connections of the other process); nothing is sticky.
"""

from __future__ import annotations

import asyncio

from tests.backends import PostgresDatabases, require_postgres, require_redis
from tests.conftest import LiveServer
from tests.integration.wsclient import Participant, guest_session, session_cookie
from tests.ops.servers import create_appointment as api_appointment
from tests.ops.servers import room_token

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}
ANSWER = {"description": {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}}
CANDIDATE = {"candidate": {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
                           "sdpMid": "0", "sdpMLineIndex": 0}}


async def test_every_room_message_crosses_processes(two_servers):
    a, b = two_servers
    room = room_token(await asyncio.to_thread(api_appointment, a, a.api_token, "Across"))
    session = await asyncio.to_thread(session_cookie, a)

    host = await Participant.open(a, session=session)
    assert (await host.hello(room))["role"] == "host"
    guest = await Participant.open(b, session=await asyncio.to_thread(guest_session, b, room))
    assert (await guest.hello(room))["role"] == "guest"

    # knock on B shows in A's waiting room; admit on A lets the guest on B in.
    await guest.send({"type": "knock", "name": "Robin"})
    await guest.until("waiting")
    lobby = await host.until("lobby")
    while lobby["waiting"] == []:  # the host's own first lobby may still be queued
        lobby = await host.until("lobby")
    assert lobby["waiting"] == [{"id": guest.id, "name": "Robin"}]
    await host.send({"type": "admit", "id": guest.id})
    admitted = await guest.until("admitted")
    assert [peer["id"] for peer in admitted["peers"]] == [host.id]
    assert (await host.until("joined"))["peer"]["id"] == guest.id

    # Negotiation both ways, in order, with the sender filled in by the server.
    await host.send({"type": "signal", "to": guest.id, "data": OFFER})
    await host.send({"type": "signal", "to": guest.id, "data": CANDIDATE})
    assert await guest.until("signal") == {"type": "signal", "from": host.id, "data": OFFER}
    assert (await guest.until("signal"))["data"] == CANDIDATE
    await guest.send({"type": "signal", "to": host.id, "data": ANSWER})
    await guest.send({"type": "signal", "to": host.id, "data": CANDIDATE})
    assert await host.until("signal") == {"type": "signal", "from": guest.id, "data": ANSWER}
    assert (await host.until("signal"))["data"] == CANDIDATE

    # deny across processes closes the denied guest's connection on B.
    stranger = await Participant.open(
        b, session=await asyncio.to_thread(guest_session, b, room)
    )
    await stranger.hello(room)
    await stranger.send({"type": "knock", "name": "Stranger"})
    await stranger.until("waiting")
    await host.send({"type": "deny", "id": stranger.id})
    await stranger.until("denied")
    assert await stranger.closed() is not None

    # The counselor opens the room on B: the old host connection on A is replaced.
    new_host = await Participant.open(b, session=session)
    await new_host.hello(room)
    await host.until("replaced")
    assert await host.closed() is not None
    assert (await guest.until("left"))["id"] == host.id
    assert (await guest.until("joined"))["peer"]["id"] == new_host.id

    # A guest who leaves on B is gone for the host on B, and nobody waits.
    await guest.send({"type": "leave"})
    assert (await new_host.until("left"))["id"] == guest.id
    for participant in (guest, new_host):
        await participant.close()


def test_processes_starting_together_on_an_empty_database_take_turns(tmp_path):
    databases = PostgresDatabases(require_postgres())
    env = {"VISAVIS_DATABASE_URL": databases.create(), "VISAVIS_REDIS_URL": require_redis()}
    servers = [LiveServer(data_dir=tmp_path / name, extra_env=env) for name in "ab"]
    try:
        for server in servers:
            server.data_dir.mkdir()
            server.launch()
        for server in servers:
            server.wait_until_up()
            assert server.process.poll() is None, server.log()
        assert all("Traceback" not in server.log() for server in servers), [
            server.log() for server in servers
        ]
    finally:
        for server in servers:
            server.stop()
        databases.drop_all()


def _log_out_everywhere(server: LiveServer, session: str) -> None:
    """Press "Log out everywhere" on the account page of ``server`` with ``session``."""
    import re
    import urllib.parse
    import urllib.request

    page = urllib.request.urlopen(urllib.request.Request(
        server.url + "/accounts/", headers={"Cookie": f"sessionid={session}"}
    ), timeout=10)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    csrf = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()
    ).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode()
    urllib.request.urlopen(urllib.request.Request(
        server.url + "/accounts/logout-everywhere/", data=form,
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf_cookie}"},
    ), timeout=10)


async def test_log_out_everywhere_closes_connections_in_the_other_process(two_servers):
    """Issue 16, item 11: the session ends on B; the host connection on A is closed."""
    a, b = two_servers
    room = room_token(await asyncio.to_thread(api_appointment, a, a.api_token, "Logout"))
    session = await asyncio.to_thread(session_cookie, a)
    host = await Participant.open(a, session=session)
    assert (await host.hello(room))["role"] == "host"
    guest = await Participant.open(b, session=await asyncio.to_thread(guest_session, b, room))
    await guest.hello(room)
    await guest.send({"type": "knock", "name": "Robin"})
    await guest.until("waiting")
    await host.send({"type": "admit", "id": guest.id})
    await guest.until("admitted")
    await asyncio.to_thread(_log_out_everywhere, b, session)
    await host.until("logged-out")
    assert await host.closed() is not None
    assert (await guest.until("left"))["id"] == host.id
    await guest.close()
