"""Issue 16, item 3, with a real visavis process and a real coturn configured by
`visavis turnconfig`: a room link alone yields no relay credential, and the credential of
one participant cannot take more than its quota of the relay's allocations.

No browser: the room protocol over a real WebSocket (tests/integration/wsclient.py) and a
minimal TURN client (tests/e2e/turnclient.py) that counts what coturn grants.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import free_port, running_server
from tests.e2e.turnclient import Allocation
from tests.integration.wsclient import Participant, guest_session, session_cookie
from tests.ops.servers import create_appointment as api_appointment
from tests.ops.servers import room_token

pytestmark = pytest.mark.backend

SECRET = "quota-test-secret"
# The relay port range of the documented set-up before issue 16: 41 ports.
MIN_PORT, MAX_PORT = 52100, 52140


@pytest.fixture(scope="module")
def relay(tmp_path_factory, request):
    """`visavis turnconfig` output run by coturn, and a visavis that hands out its
    credentials; yields (visavis server, coturn address)."""
    folder = tmp_path_factory.mktemp("quota")
    port = free_port()
    url = f"turn:127.0.0.1:{port}?transport=udp"
    with running_server(
        tmp_path_factory, request, "quota",
        VISAVIS_TURN_URLS=json.dumps([url]), VISAVIS_TURN_SECRET=SECRET,
    ) as server:
        made = server.run(
            "turnconfig", "--no-tls", "--listening-ip", "127.0.0.1", "--port", str(port),
            "--min-port", str(MIN_PORT), "--max-port", str(MAX_PORT),
            "--log-file", str(folder / "turn.log"),
        )
        assert made.returncode == 0, made.stderr
        (folder / "turnserver.conf").write_text(made.stdout)
        process = subprocess.Popen(
            [shutil.which("turnserver"), "-c", str(folder / "turnserver.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            yield server, ("127.0.0.1", port)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _api_token(server) -> str:
    issued = server.run("createtoken", "counselor")
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip().splitlines()[-1]


def _allocate(address, server_message: dict, count: int) -> list[int]:
    turn = next(s for s in server_message["ice_servers"] if s.get("username"))
    allocations = [Allocation(address, turn["username"], turn["credential"]) for _ in range(count)]
    try:
        return [a.allocate() for a in allocations]
    finally:
        for allocation in allocations:
            allocation.close()


async def _first(participant: Participant, types: set[str], timeout: float = 2) -> dict | None:
    """The first message of one of ``types``, or None if none comes within ``timeout``."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await participant.ws.recv())
                if message["type"] in types:
                    return message
    except TimeoutError:
        return None


async def test_link_holders_get_no_credentials_and_one_participant_cannot_drain_the_relay(
    relay,
):
    server, address = relay
    appointment = await asyncio.to_thread(api_appointment, server, _api_token(server), "Quota")
    room = room_token(appointment)

    # Six anonymous link holders say hello and knock: no credential in anything they get.
    strangers = []
    for n in range(6):
        stranger = await Participant.open(
            server, session=await asyncio.to_thread(guest_session, server, room)
        )
        welcome = await stranger.hello(room)
        assert "ice_servers" not in welcome and "credential" not in json.dumps(welcome)
        await stranger.send({"type": "knock", "name": f"Stranger {n}"})
        assert await _first(stranger, {"waiting"}) is not None
        assert await _first(stranger, {"ice-servers"}, timeout=0.5) is None
        strangers.append(stranger)

    # The host's own credential: at most 12 allocations of the 41 relay ports.
    host = await Participant.open(server, session=await asyncio.to_thread(session_cookie, server))
    await host.hello(room)
    host_servers = await _first(host, {"ice-servers"}, timeout=10)
    assert host_servers is not None
    granted = await asyncio.to_thread(_allocate, address, host_servers, 20)
    assert granted.count(0) == 12 and set(granted[12:]) == {486}, granted

    # A guest the host admits gets their own credential, and the relay still has room.
    await host.send({"type": "admit", "id": strangers[0].id})
    guest_servers = await _first(strangers[0], {"ice-servers"}, timeout=10)
    assert guest_servers is not None
    assert await asyncio.to_thread(_allocate, address, guest_servers, 2) == [0, 0]
    for participant in (host, *strangers):
        await participant.close()


def test_an_allocation_outlives_its_short_credential(relay):
    """A 10-minute credential does not cut a longer call: coturn refuses the expired
    credential for new allocations, but refreshes the allocation it granted with it."""
    from visavis.rooms.turn import turn_credential

    _server, address = relay
    username, password = turn_credential(secret=SECRET, user="short-lived", ttl=2)
    allocation = Allocation(address, username, password)
    assert allocation.allocate() == 0
    time.sleep(3)
    assert allocation.refresh() == 0
    assert Allocation(address, username, password).allocate() == 401
    allocation.close()
