"""A real ``visavis serve`` process with a counselor, an API token and appointments."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime

from tests.conftest import COUNSELOR_PASSWORD, LiveServer


def prepare(server: LiveServer) -> str:
    """Create the counselor ``counselor`` on ``server``'s database; return an API token."""
    created = server.run("createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert created.returncode == 0, created.stderr
    issued = server.run("createtoken", "counselor")
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip().splitlines()[-1]


def create_appointment(server: LiveServer, token: str, title: str = "Session") -> dict:
    """An appointment that starts now, through the JSON API; returns the API's answer."""
    body = json.dumps({
        "title": title,
        "start": datetime.now(UTC).isoformat(),
        "duration_minutes": 50,
    }).encode()
    request = urllib.request.Request(
        server.url + "/api/v1/appointments",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def room_token(appointment: dict) -> str:
    return appointment["guest_url"].rstrip("/").rsplit("/", 1)[-1]
