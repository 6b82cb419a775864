"""Graceful shutdown: every room WebSocket is closed with 1012 ("service restart").

Clients take 1012 as "reconnect at once" (to this process when it is back, or to
another one behind the same address). Real server process, real WebSocket client.
"""

from __future__ import annotations

import asyncio
import json
import signal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, server_env
from tests.integration.wsclient import guest_session
from tests.ops.servers import create_appointment, prepare, room_token

SERVICE_RESTART = 1012


@pytest.fixture
def server(tmp_path, request):
    server = LiveServer(data_dir=tmp_path, extra_env=server_env(request))
    token = prepare(server)
    server.start()
    server.api_token = token
    yield server
    server.stop()


async def _open(server: LiveServer, session: str | None = None):
    return await connect(
        server.url.replace("http", "ws", 1) + "/ws/room", origin=server.url, open_timeout=10,
        additional_headers={"Cookie": f"sessionid={session}"} if session else None,
    )


async def _close_code(ws) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=15)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_shutdown_closes_room_websockets_with_service_restart(server, signum):
    room = room_token(create_appointment(server, server.api_token))
    guest = await _open(server, await asyncio.to_thread(guest_session, server, room))
    await guest.send(json.dumps({"type": "hello", "version": 1, "room": room}))
    welcome = json.loads(await asyncio.wait_for(guest.recv(), timeout=10))
    assert welcome["type"] == "welcome", welcome
    await guest.send(json.dumps({"type": "knock", "name": "Robin"}))
    assert json.loads(await asyncio.wait_for(guest.recv(), timeout=10))["type"] == "waiting"
    idle = await _open(server)  # a connection that never said hello is closed the same way

    server.process.send_signal(signum)
    codes = await asyncio.gather(_close_code(guest), _close_code(idle))

    assert codes == [SERVICE_RESTART, SERVICE_RESTART], server.log()
    returncode = await asyncio.to_thread(server.process.wait, 15)
    assert returncode == 0, server.log()
    assert "Traceback" not in server.log(), server.log()
    assert "visavis stopped." in server.log()
