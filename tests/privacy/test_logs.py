"""The server's log of a whole call holds no secret and nothing about the people in it."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest

from tests.conftest import COUNSELOR_PASSWORD, LiveServer, server_env
from tests.integration.wsclient import Participant, guest_session, session_cookie

NAME = "Zebulon Quill"
PIN = "604729"
SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 10.61.7.9\r\ns=-\r\nt=0 0\r\n"
    "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
)
CANDIDATE = "candidate:842163049 1 udp 1677729535 198.51.100.23 61665 typ srflx"
FORWARDED_FOR = "203.0.113.77"


def api(server: LiveServer, token: str, method: str, path: str, body=None) -> dict:
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


async def whole_call(server: LiveServer, room: str) -> list[str]:
    """Host and guest: knock, admit, offer, answer, candidates, a dropped and resumed
    connection, some refused messages, hang up. Returns the secrets handed out."""
    host = await Participant.open(server, session=session_cookie(server))
    host_welcome = await host.hello(room)
    guest = await Participant.open(server, session=guest_session(server, room))
    guest_welcome = await guest.hello(room)
    await guest.send({"type": "knock", "name": NAME})
    await guest.until("waiting")
    await host.send({"type": "admit", "id": guest.id})
    await guest.until("admitted")
    for sender, receiver, kind in ((host, guest, "offer"), (guest, host, "answer")):
        await sender.send({"type": "signal", "to": receiver.id,
                           "data": {"description": {"type": kind, "sdp": SDP}}})
        await receiver.until("signal")
        await sender.send({"type": "signal", "to": receiver.id,
                           "data": {"candidate": {"candidate": CANDIDATE, "sdpMid": "0"}}})
        await receiver.until("signal")
    # Refused messages: the errors must not echo what was sent.
    await guest.send({"type": "knock", "name": NAME})
    await guest.send({"type": "signal", "to": "nobody", "data": {"candidate": {
        "candidate": CANDIDATE}}})
    await guest.send({"type": "hello", "version": 1, "room": room + "x", "extra": NAME})
    # The guest's connection drops and comes back with its resume token.
    await guest.ws.close()
    again = await Participant.open(server)
    await again.send({"type": "hello", "version": 1, "room": room,
                      "resume": guest_welcome["resume"]})
    resumed = await again.until("welcome")
    await again.send({"type": "leave"})
    await host.until("left")
    await again.ws.close()
    await host.send({"type": "leave"})
    await host.ws.close()
    return [host_welcome["resume"], guest_welcome["resume"], resumed["resume"]]


@pytest.fixture(params=["default", "INFO"])
def logged_server(request, tmp_path_factory):
    extra = {} if request.param == "default" else {"VISAVIS_LOG_LEVEL": request.param}
    server = LiveServer(
        data_dir=tmp_path_factory.mktemp("visavis-logs"),
        extra_env={**server_env(request), **extra},
    )
    created = server.run("createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert created.returncode == 0, created.stderr
    server.start()
    yield server
    server.stop()


def test_the_log_of_a_whole_call_holds_no_secrets(logged_server):
    server = logged_server
    token = server.run("createtoken", "counselor").stdout.strip().splitlines()[-1]
    appointment = api(server, token, "POST", "/appointments", {
        "title": "Log check", "start": datetime.now(UTC).isoformat(), "duration_minutes": 50,
    })
    room = appointment["guest_url"].rsplit("/", 1)[1]
    # Guest pages: the room page, a wrong and a right PIN, an unknown and a replaced link.
    with_pin = api(server, token, "POST", "/appointments", {
        "title": "With PIN", "start": datetime.now(UTC).isoformat(), "duration_minutes": 50,
        "pin": PIN,
    })
    urllib.request.urlopen(appointment["guest_url"], timeout=10).read()
    for pin in ("111111", PIN):
        form = urllib.parse.urlencode({"pin": pin}).encode()
        with pytest.raises(urllib.error.HTTPError):  # no CSRF token: refused, still quiet
            urllib.request.urlopen(with_pin["guest_url"], data=form, timeout=10)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server.url + "/r/" + "A" * 43, timeout=10)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server.url + "/api/v1/appointments/" + room, timeout=10)
    secrets = asyncio.run(whole_call(server, room))
    server.stop()

    log = server.log()
    assert "visavis is running at" in log  # the log was captured at all
    for secret in [room, with_pin["guest_url"].rsplit("/", 1)[1], PIN, token, NAME,
                   *secrets, FORWARDED_FOR]:
        assert secret not in log, secret
    for fragment in ("v=0", "a=fingerprint", "AB:CD:EF", "candidate", "typ srflx", "sdp"):
        assert fragment not in log.lower(), fragment
    listening = f"127.0.0.1:{server.port}"
    for line in log.splitlines():
        if listening in line:
            continue  # the server's own address, as the operator chose it
        assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", line), line
        # IPv6: three colons or more (times of day have two), or "::".
        assert not re.search(r"[0-9a-f]{0,4}(:[0-9a-f]{0,4}){3,7}|::", line, re.I), line
