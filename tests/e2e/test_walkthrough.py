"""A session walked the way people do it, for the smaller things a person meets
(issue 15, items 6, 7, 8, 10 and 11): each step asserts what the person sees."""

from __future__ import annotations

import pytest

from tests.conftest import running_server
from tests.e2e.conftest import Pages
from tests.e2e.helpers import api_appointment, confirm_privacy_notice, log_in, start_call

# A browser whose camera and microphone are blocked (the person said no, or a policy).
BLOCKED_MEDIA = """
(() => {
  const devices = navigator.mediaDevices;
  if (!devices) return;
  devices.getUserMedia = () => Promise.reject(new DOMException("blocked", "NotAllowedError"));
})();
"""
COUNT_CAMERAS = """
(() => {
  const devices = navigator.mediaDevices;
  if (!devices || !devices.getUserMedia) return;
  const native = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints) => { window.visavisCamera(); return native(constraints); };
})();
"""


def admit(host, name: str) -> None:
    host.get_by_role("button", name=f"Admit: {name}").click()


@pytest.mark.backend  # who counts as present, the end of a session: the server's part
def test_waiting_call_tools_and_the_end_as_client_and_counselor(new_page, live_server_process):
    appointment = api_appointment(live_server_process, "Walkthrough")
    guest = new_page()
    cameras: list[int] = []
    guest.context.expose_binding("visavisCamera", lambda _source: cameras.append(1))
    guest.context.add_init_script(COUNT_CAMERAS)
    guest.goto(appointment["guest_url"])
    confirm_privacy_notice(guest)
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")

    # 11. Nobody has the session open: the waiting page does not claim they were told.
    guest.wait_for_selector("#waiting:not([hidden])")
    heading = guest.locator("#waiting-heading")
    assert heading.inner_text() == "You are in the waiting room"
    assert guest.get_by_text("as soon as they open the session").is_visible()
    assert "notified" not in guest.locator("#waiting").inner_text()
    # The counselor logs in (the dashboard watches the rooms): the page says so, live.
    host = new_page()
    log_in(host)
    guest.get_by_text("Your counselor has been notified").wait_for()
    assert not guest.get_by_text("as soon as they open the session").is_visible()

    host.goto(appointment["host_url"])
    admit(host, "Robin")
    guest.wait_for_selector("#call:not([hidden])")
    host.wait_for_selector("#tiles .tile.remote video")

    # 8. "Audio only" says what changed, on the self view and in the status line.
    guest.select_option("#quality-mode", "audio")
    assert "Audio only" in guest.locator("#call-status").inner_text()
    assert guest.locator("#call-status").get_attribute("aria-live") == "polite"
    assert guest.locator(".tile.local .mode-badge").inner_text() == "Audio only"
    guest.select_option("#quality-mode", "auto")
    assert guest.locator("#call-status").inner_text() == "Your picture is sent again."
    assert guest.locator(".tile.local .mode-badge").count() == 0

    # 6. The counselor sees that the client muted and turned the camera off.
    guest.click("#toggle-mic")
    guest.click("#toggle-camera")
    tile = host.locator("#tiles .tile.remote")
    tile.locator(".media-state .badge[data-state='camera-off']").wait_for()
    assert tile.locator(".media-state").inner_text().split("\n") == ["Microphone off", "Camera off"]
    guest.click("#toggle-mic")
    tile.locator(".media-state .badge[data-state='muted']").wait_for(state="detached")

    # 10. The counselor ends the session; the client's link then says so, camera off.
    host.once("dialog", lambda dialog: dialog.accept())
    host.click("#end-session")
    guest.wait_for_selector("#session-ended:not([hidden])")
    promise = host.locator("#host-ended").inner_text().lower()
    assert "clients who open the link now are told" in promise
    cameras.clear()
    guest.goto(appointment["guest_url"])
    assert guest.locator("#notice-heading").inner_text() == "The session has ended"
    assert guest.locator("#knock-form").count() == 0
    assert cameras == [], "reopening the link turned the camera on"


def test_a_client_without_camera_and_microphone_is_present_for_the_counselor(
    new_page, live_server_process
):
    appointment = api_appointment(live_server_process, "No devices")
    host = new_page()
    log_in(host)
    host.goto(appointment["host_url"])
    guest = new_page()
    guest.context.add_init_script(BLOCKED_MEDIA)
    guest.goto(appointment["guest_url"])
    confirm_privacy_notice(guest)
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    guest.wait_for_selector("#waiting:not([hidden])")
    admit(host, "Robin")
    guest.wait_for_selector("#call:not([hidden])")

    # 6. A tile with the name and what is missing, not "Nobody else is in the call yet".
    tile = host.locator("#tiles .tile.remote")
    tile.locator(".media-state .badge[data-state='no-camera']").wait_for()
    assert tile.locator("figcaption").inner_text() == "Robin"
    assert tile.locator(".media-state").inner_text().split("\n") == ["No microphone", "No camera"]
    assert not host.get_by_text("Nobody else is in the call yet.").is_visible()


@pytest.fixture
def small_room_server(tmp_path_factory, request):
    with running_server(tmp_path_factory, request, "small", VISAVIS_MAX_PARTICIPANTS="2") as server:
        yield server


@pytest.mark.backend
def test_a_full_call_is_explained_to_the_one_who_waits_and_to_the_counselor(
    browser, small_room_server
):
    pages = Pages(browser, small_room_server.url)
    try:
        host, guest_page = start_call(pages, small_room_server, "Full", guest_name="Kim")
        link = guest_page.url
        third = pages()
        third.goto(link)
        confirm_privacy_notice(third)
        third.fill("#display-name", "Sam")
        third.click("#knock-button")
        third.wait_for_selector("#waiting:not([hidden])")
        admit(host, "Sam")

        # 7. The one who waits learns why; the counselor is told what to do, in their words.
        third.wait_for_selector("#call-full-info:not([hidden])")
        assert "The call is full at the moment" in third.locator("#call-full-info").inner_text()
        status = host.locator("#connection-status")
        host.wait_for_function(
            "() => document.querySelector('#connection-status').textContent.includes('full')"
        )
        assert "Someone must leave before you can let anyone else in" in status.inner_text()
        assert "ask your counselor" not in status.inner_text().lower()
    finally:
        pages.close()
