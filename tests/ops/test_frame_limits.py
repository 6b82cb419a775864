"""What docs/protocol.md promises about large and deeply nested frames, under `visavis
serve` (uvicorn) itself: a real server process, a real WebSocket (issue 16, items 6 and 12)."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, server_env
from tests.ops.servers import prepare

LIMIT = 65536  # ws_max_message_bytes, the default


@pytest.fixture
def server(tmp_path, request):
    server = LiveServer(data_dir=tmp_path, extra_env=server_env(request))
    prepare(server)
    server.start()
    yield server
    server.stop()


async def test_frames_over_the_limit_and_deep_nesting_get_errors_and_the_connection_stays(
    server,
):
    async with connect(
        server.url.replace("http", "ws", 1) + "/ws/room", origin=server.url, open_timeout=10,
        max_size=None,
    ) as ws:
        for frame, code in [
            (json.dumps({"type": "knock", "name": "x" * (2 * LIMIT)}), "too-large"),
            ("[" * 10000 + "]" * 10000, "invalid"),
        ]:
            await ws.send(frame)
            answer = json.loads(await ws.recv())
            assert (answer["type"], answer["code"]) == ("error", code)
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"
        # Over four times the limit, uvicorn itself ends the connection: 1009.
        await ws.send("x" * (4 * LIMIT + 1))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd.code == 1009
