"""The client's path before the call: device check, guidance when the browser blocks
camera or microphone, a camera-off join, and the whole way to the waiting room on a phone.

Two scenarios on purpose (browser tests are costly): one on the desktop that ends in a call,
one on a phone that starts with a blocked camera and ends by leaving the waiting room."""

from __future__ import annotations

import time

from tests.e2e.conftest import RECORD_PEER_CONNECTIONS, PageLog
from tests.e2e.helpers import api_appointment, inbound, log_in, open_guest_page, wait_for_media

# Until window.__failWith is cleared, getUserMedia fails the way a browser does when
# permission is refused or no device exists; the streams it opens are kept in __streams.
FAILING_MEDIA = """
(() => {
  window.__failWith = "NotAllowedError";
  const devices = navigator.mediaDevices;
  const real = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints) => window.__failWith
    ? Promise.reject(new DOMException("test", window.__failWith))
    : real(constraints).then((stream) => {
      (window.__streams ||= []).push(stream);
      return stream;
    });
})();
"""


def phone_page(pages, playwright, *, init_script: str = ""):
    """A Pixel 7 page that the ``new_page`` fixture checks at teardown like its own."""
    context = pages.browser.new_context(
        **playwright.devices["Pixel 7"], base_url=pages.origin, locale="en-US"
    )
    context.add_init_script(RECORD_PEER_CONNECTIONS)
    if init_script:
        context.add_init_script(init_script)
    pages.contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.visavis_log = PageLog(page, pages.origin)
    pages.pages.append(page)
    return page


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` with evaluate (wait_for_function's eval breaks the page's CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true within {timeout}s: {expression}"
        time.sleep(0.1)


def max_meter_level(page, seconds: float = 8.0) -> int:
    """The highest level the microphone meter showed within ``seconds``."""
    highest = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and highest < 5:
        highest = max(highest, int(page.get_attribute("#mic-meter", "data-level") or 0))
        time.sleep(0.1)
    return highest


def test_device_check_then_a_camera_off_join(new_page, live_server_process):
    appointment = api_appointment(live_server_process, "Camera off")
    host = new_page()
    log_in(host)
    host.goto(appointment["host_url"])

    guest = new_page()
    open_guest_page(guest, appointment["guest_url"])
    # Chromium's fake devices are listed, with their names.
    guest.click("#device-settings > summary")
    wait_until(guest, "!document.querySelector('#camera-select').disabled")
    cameras = guest.locator("#camera-select option").all_inner_texts()
    microphones = guest.locator("#microphone-select option").all_inner_texts()
    assert any("fake" in label.lower() for label in cameras), cameras
    assert any("fake" in label.lower() for label in microphones), microphones
    # Another microphone: the preview switches to it and the choice is kept for the call.
    options = guest.locator("#microphone-select option")
    assert options.count() > 1, microphones  # Chromium fakes a default and two more
    other = options.nth(1).get_attribute("value")
    guest.select_option("#microphone-select", other)
    wait_until(
        guest,
        "document.querySelector('#preview-video').srcObject"
        f"?.getAudioTracks()[0]?.getSettings().deviceId === {other!r}",
    )
    assert other in guest.evaluate("sessionStorage.getItem('visavis.devices')")
    # The fake microphone beeps: the meter moves.
    assert max_meter_level(guest) >= 5, guest.visavis_log
    # The test sound plays and the page asks whether it was heard.
    guest.click("#play-test-sound")
    guest.wait_for_selector("#test-sound-status:has-text('Did you hear')")

    # Camera off: the camera is released, the preview says so, and the join sends no video.
    guest.click("#toggle-preview-camera")
    guest.wait_for_selector("#preview-off:not([hidden])")
    assert guest.get_attribute("#toggle-preview-camera", "aria-pressed") == "true"
    assert guest.is_visible("#camera-off-note")
    assert guest.evaluate("document.querySelector('#preview-video').srcObject") is None

    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    guest.wait_for_selector("#waiting:not([hidden])")
    assert "Robin" in guest.inner_text("#waiting-as")
    host.locator("#lobby li:has-text('Robin')").get_by_role("button", name="Admit: Robin").click()
    guest.wait_for_selector("#call:not([hidden])")

    # The counselor hears the client and receives no picture from them.
    deadline = time.monotonic() + 20
    entries: list[dict] = []
    while time.monotonic() < deadline:
        entries = inbound(host)
        if entries and (entries[0]["audio"] or {}).get("packetsReceived", 0) > 20:
            break
        time.sleep(0.25)
    assert entries and entries[0]["audio"]["packetsReceived"] > 20, (entries, host.visavis_log)
    time.sleep(1)
    video = inbound(host)[0]["video"]
    assert video is None or video["framesDecoded"] == 0, video

    # In the call, "Turn camera on" starts the camera after all: the counselor sees them.
    camera = guest.locator("#toggle-camera")
    assert camera.inner_text() == "Turn camera on" and camera.is_enabled()
    camera.click()
    wait_until(guest, "document.querySelector('#toggle-camera').textContent === 'Turn camera off'")
    wait_for_media(host)


def test_phone_guidance_for_a_blocked_camera_then_knock_wait_and_leave(
    new_page, live_server_process, playwright
):
    appointment = api_appointment(live_server_process, "Phone")
    phone = phone_page(new_page, playwright, init_script=FAILING_MEDIA)
    open_guest_page(phone, appointment["guest_url"])

    # Refused: the steps for Chrome on Android.
    phone.wait_for_selector("#media-problem[data-problem='denied']")
    text = phone.inner_text("#media-problem")
    assert "blocked" in text and "Permissions" in text and "Android" in text, text
    # No device: different advice, offered after "Try again".
    phone.evaluate("window.__failWith = 'NotFoundError'")
    phone.click("#media-retry")
    phone.wait_for_selector("#media-problem[data-problem='notfound']")
    # Permission given: the problem goes, the preview plays.
    phone.evaluate("window.__failWith = null")
    phone.click("#media-retry")
    phone.wait_for_selector("#media-problem", state="hidden")
    wait_until(
        phone, "document.querySelector('#preview-video').srcObject?.getVideoTracks().length === 1"
    )

    # Nothing invites the client to install an app.
    assert phone.locator("link[rel='manifest']").count() == 0
    fits = "document.scrollingElement.scrollWidth <= window.innerWidth"
    assert phone.evaluate(fits), "the pre-join page is wider than the phone"
    phone.fill("#display-name", "Kim")
    phone.click("#knock-button")
    phone.wait_for_selector("#waiting:not([hidden])")
    assert phone.evaluate(fits), "the waiting room is wider than the phone"
    # Leaving takes one tap.
    phone.click("#leave-waiting")
    phone.wait_for_selector("#ended:not([hidden])")
    # Camera and microphone are released.
    assert phone.evaluate(
        "window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'))"
    )
    # Back in, and this time the quick exit: a neutral page, and Back does not return.
    phone.click("text=Join again")
    phone.wait_for_selector("#knock-button")
    phone.fill("#display-name", "Kim")
    phone.click("#knock-button")
    phone.wait_for_selector("#waiting:not([hidden])")
    phone.click("#waiting button.quick-exit")
    phone.wait_for_url("**/start")
    assert phone.title() == "Weather"
    assert "visavis" not in phone.content()
