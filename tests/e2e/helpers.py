"""Steps and media checks shared by the browser tests."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

from tests.conftest import COUNSELOR_PASSWORD

INBOUND_STATS = """
async () => {
  const result = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    const entry = {state: pc.connectionState, video: null, audio: null};
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") {
        entry.video = {framesDecoded: s.framesDecoded || 0, frameWidth: s.frameWidth || 0};
      } else if (s.kind === "audio") {
        entry.audio = {packetsReceived: s.packetsReceived || 0,
                       totalAudioEnergy: s.totalAudioEnergy || 0};
      }
    });
    result.push(entry);
  }
  return result;
}
"""


def log_in(page, username: str = "counselor", password: str = COUNSELOR_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")


# The counselor's time zone in the test server (config default): the form reads times in it.
SERVER_TIME_ZONE = "Europe/Berlin"


def create_appointment(
    page, title: str, *, pin: str = "", language: str = "", back_to_dashboard: bool = True
) -> None:
    """Create an appointment starting now on the dashboard. visavis then shows its invitation
    page; by default go back to the dashboard, where it is listed with "Enter room"."""
    from zoneinfo import ZoneInfo

    page.goto("/")
    page.fill("#id_title", title)
    now = datetime.now(ZoneInfo(SERVER_TIME_ZONE))
    page.fill("#id_start", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_duration_minutes", "50")
    if language:
        page.select_option("#id_language", language)
    if pin:
        page.click("details.more > summary")
        page.fill("#id_pin", pin)
    page.click("text=Create appointment")
    page.wait_for_selector("#invite-link-text")
    if back_to_dashboard:
        page.goto("/")
        page.wait_for_selector(f"li.appointment:has-text('{title}')")


def enter_room(page, title: str) -> str:
    """Open the host room of the appointment ``title``; return the client's link."""
    page.locator(f"li.appointment:has-text('{title}')").get_by_text("Enter room").click()
    page.wait_for_selector("#guest-link", state="attached")
    return page.input_value("#guest-link")


def confirm_privacy_notice(page) -> None:
    """The consent step in front of the room (visavis.consent): tick the box and continue,
    if this browser has not done so for the appointment yet."""
    if page.locator("#consent-read").count():
        page.check("#consent-read")
        with page.expect_navigation(wait_until="load"):  # the pre-join page and its scripts
            page.click("#consent-continue")


def open_guest_page(page, guest_url: str) -> None:
    """Open the client's link and pass the privacy notice step: the pre-join page."""
    page.goto(guest_url)
    confirm_privacy_notice(page)


def knock(page, guest_url: str, name: str) -> None:
    open_guest_page(page, guest_url)
    page.fill("#display-name", name)
    page.click("#knock-button")


def inbound(page) -> list[dict]:
    return page.evaluate(INBOUND_STATS)


def _flowing(entries: list[dict]) -> bool:
    return bool(entries) and all(
        e["video"] and e["video"]["framesDecoded"] > 0 and e["video"]["frameWidth"] >= 320
        and e["audio"] and e["audio"]["packetsReceived"] > 0 and e["audio"]["totalAudioEnergy"] > 0
        for e in entries
    )


def wait_for_media(page, *, peers: int = 1, timeout: float = 30.0) -> list[dict]:
    """Wait until every peer connection of ``page`` decodes video and receives audio."""
    deadline = time.monotonic() + timeout
    entries: list[dict] = []
    while time.monotonic() < deadline:
        entries = inbound(page)
        if len(entries) >= peers and _flowing(entries):
            return entries
        time.sleep(0.25)
    raise AssertionError(
        f"media did not flow within {timeout}s: {entries}\n--- page log ---\n{page.visavis_log}"
    )


def assert_media_keeps_flowing(page, before: list[dict]) -> None:
    """Frames decoded and audio packets received must go on rising."""
    time.sleep(1.5)
    after = inbound(page)
    assert len(after) == len(before), (before, after)
    for old, new in zip(before, after, strict=True):
        assert new["video"]["framesDecoded"] > old["video"]["framesDecoded"], (old, new)
        assert new["audio"]["packetsReceived"] > old["audio"]["packetsReceived"], (old, new)
        assert new["audio"]["totalAudioEnergy"] > old["audio"]["totalAudioEnergy"], (old, new)


def api(server, method: str, path: str, body: dict | None = None,
        username: str = "counselor") -> dict:
    """Call the JSON API (``path`` below /api/v1) as ``username``, with a fresh token."""
    import json
    import urllib.request

    token = server.run("createtoken", username).stdout.strip().splitlines()[-1]
    request = urllib.request.Request(
        server.url + "/api/v1" + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response) if response.status != 204 else {}


def api_appointment(server, title: str, username: str = "counselor") -> dict:
    """Create an appointment through the JSON API (for tests about rooms, not the dashboard)."""
    from datetime import UTC

    body = {"title": title, "start": datetime.now(UTC).isoformat(), "duration_minutes": 50}
    return api(server, "POST", "/appointments", body, username=username)


def start_call(make_page, server, title: str, guest_name: str = "Kim"):
    """Host (logged in) and guest in a call of a new appointment; returns both pages."""
    appointment = api_appointment(server, title)
    host = make_page()
    log_in(host)
    host.goto(appointment["host_url"])
    guest = make_page()
    knock(guest, appointment["guest_url"], guest_name)
    host.locator(f"#lobby li:has-text('{guest_name}')").get_by_role(
        "button", name=f"Admit: {guest_name}"
    ).click()
    guest.wait_for_selector("#call:not([hidden])")
    return host, guest


@contextlib.contextmanager
def call_across(test_host, playwright, tmp_path, request, *, title: str, guest_name: str):
    """A call between a counselor outside ``test_host`` (a network namespace, see
    netns.py) and a client inside it, media flowing: visavis serves on the outside
    address. Yields (server, host page, guest page). Afterwards the pages are checked
    (origin, CSP) when the test passed, and browsers and server are stopped either way."""
    import json

    from tests.conftest import LiveServer, free_port, server_env
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Pages

    port = free_port()
    origin = f"http://{test_host.outside_address}:{port}"
    server = LiveServer(
        data_dir=tmp_path / "data",
        port=port,
        extra_env={
            **server_env(request),
            "VISAVIS_ALLOWED_HOSTS": json.dumps([test_host.outside_address, "127.0.0.1"]),
        },
        host=test_host.outside_address,
    )
    server.data_dir.mkdir()
    assert server.run("createuser", "counselor", "--password-stdin",
                      stdin=COUNSELOR_PASSWORD).returncode == 0
    server.start()
    args = [*CHROMIUM_ARGS, f"--unsafely-treat-insecure-origin-as-secure={origin}"]
    browsers = []
    try:
        outside = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        browsers.append(outside)
        inside = playwright.chromium.launch(
            executable_path=test_host.chromium_wrapper(tmp_path, CHROMIUM), args=args
        )
        browsers.append(inside)
        pages = Pages(outside, origin)
        host, guest = pages.add(outside), pages.add(inside)

        appointment = api_appointment(server, title)
        log_in(host)
        host.goto(appointment["host_url"])
        knock(guest, appointment["guest_url"], guest_name)
        host.locator(f"#lobby li:has-text('{guest_name}')").get_by_role(
            "button", name=f"Admit: {guest_name}"
        ).click()
        for page in (host, guest):
            wait_for_media(page)
        yield server, host, guest
        pages.close()
    finally:
        for browser in browsers:
            browser.close()
        server.stop()


def past_appointment(server, title: str, *, days: float = 2) -> dict:
    """An appointment that took place ``days`` ago. The API refuses a start in the past
    (issue 15), so it is created ahead and then moved back in the server's database."""
    from datetime import UTC, timedelta

    start = datetime.now(UTC) + timedelta(hours=1)
    created = api(server, "POST", "/appointments",
                  {"title": title, "start": start.isoformat(), "duration_minutes": 50})
    moved = server.run("shell", "-c", (
        "from datetime import timedelta\n"
        "from django.db.models import F\n"
        "from visavis.appointments.models import Appointment\n"
        f"Appointment.objects.filter(pk='{created['id']}')"
        f".update(start=F('start') - timedelta(days={days}, hours=1))\n"
    ))
    assert moved.returncode == 0, moved.stderr
    return created
