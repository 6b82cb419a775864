"""A participant speaking the room protocol over a real WebSocket, for tests across processes."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import COUNSELOR_PASSWORD, LiveServer


def session_cookie(server: LiveServer, username: str = "counselor") -> str:
    """Log in through the login form of ``server``; return the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(server.url + "/accounts/login/", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": COUNSELOR_PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(urllib.request.Request(server.url + "/accounts/login/", data=form), timeout=10)
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "login failed"
    return cookies["sessionid"]


def guest_session(server: LiveServer, room: str) -> str:
    """A client's session that confirmed the privacy notice on the guest page of ``room``
    (as a browser does before it may knock); return the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server.url}/r/{room}", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"step": "consent", "read_notice": "on", "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(urllib.request.Request(f"{server.url}/r/{room}", data=form), timeout=10)
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "the privacy notice step did not take the confirmation"
    return cookies["sessionid"]


class Participant:
    def __init__(self, ws):
        self.ws = ws
        self.id: str | None = None

    @classmethod
    async def open(cls, server: LiveServer, *, session: str | None = None) -> Participant:
        headers = {"Cookie": f"sessionid={session}"} if session else None
        ws = await connect(
            server.url.replace("http", "ws", 1) + "/ws/room",
            origin=server.url,
            additional_headers=headers,
            open_timeout=10,
        )
        return cls(ws)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def until(self, type_: str, timeout: float = 10) -> dict:
        """The next message of ``type_``; messages of other types before it are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await self.ws.recv())
                if message["type"] == type_:
                    return message
                if message["type"] == "error":
                    raise AssertionError(f"error while waiting for {type_}: {message}")

    async def hello(self, room: str) -> dict:
        await self.send({"type": "hello", "version": 1, "room": room})
        welcome = await self.until("welcome")
        self.id = welcome["id"]
        return welcome

    async def closed(self, timeout: float = 10) -> int | None:
        """Wait for the server to close the connection; return the close code."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self.ws.recv()
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None

    async def close(self) -> None:
        await self.ws.close()
