"""Quick exit, then Back (issue 15, item 1): from every state of a client's link — the
privacy notice step, the pre-join page, the waiting room, the call — Back once and
twice never shows a visavis page again and never turns a camera on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.e2e.helpers import api, confirm_privacy_notice, log_in

# Every getUserMedia call, and every visavis page that got as far as showing its header,
# reported to the test through bindings (they survive navigations, unlike page state).
WATCH = """
(() => {
  const devices = navigator.mediaDevices;
  if (devices && devices.getUserMedia) {
    const native = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => {
      window.visavisCamera(location.href);
      return native(constraints);
    };
  }
  document.addEventListener("DOMContentLoaded", () => {
    if (document.querySelector(".site-header")) window.visavisShown(location.href);
  });
})();
"""

STATES = ["notice", "prejoin", "waiting", "call"]
PIN = "408215"


def watched(page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"camera": [], "shown": []}
    page.context.expose_binding("visavisCamera", lambda _source, url: seen["camera"].append(url))
    page.context.expose_binding("visavisShown", lambda _source, url: seen["shown"].append(url))
    page.context.add_init_script(WATCH)
    return seen


def reach(state: str, new_page, server, page) -> None:
    """Bring the client's page ``page`` to ``state``, through a PIN step: every step of
    the link is one more entry in the tab's history that Back could return to."""
    body = {"title": f"History {state}", "start": datetime.now(UTC).isoformat(),
            "duration_minutes": 50, "pin": PIN}
    appointment = api(server, "POST", "/appointments", body)
    page.goto(appointment["guest_url"])
    page.fill("#id_pin", PIN)
    with page.expect_navigation(wait_until="load"):
        page.click("#pin-submit")
    if state == "notice":
        page.wait_for_selector("#consent-read")
        return
    confirm_privacy_notice(page)
    if state == "prejoin":
        page.wait_for_selector("#prejoin:not([hidden])")
        page.wait_for_function("() => document.querySelector('#preview-video').srcObject !== null")
        return
    host = None
    if state == "call":
        host = new_page()
        log_in(host)
        host.goto(appointment["host_url"])
    page.fill("#display-name", "Robin")
    page.click("#knock-button")
    page.wait_for_selector("#waiting:not([hidden])")
    if host is not None:
        host.get_by_role("button", name="Admit: Robin").click()
        page.wait_for_selector("#call:not([hidden])")


@pytest.mark.parametrize("state", STATES)
def test_back_after_quick_exit_never_brings_visavis_back(state, new_page, live_server_process):
    page = new_page()
    seen = watched(page)
    reach(state, new_page, live_server_process, page)
    assert state == "notice" or seen["camera"], "the page should have opened the camera"
    page.locator("button.quick-exit:visible").first.click()
    page.wait_for_url("**/start")
    assert page.evaluate("window.sessionStorage.getItem('visavis.name')") is None
    seen["camera"].clear()
    seen["shown"].clear()
    for _ in range(2):
        page.go_back(wait_until="load")
        page.wait_for_load_state("load")
        assert "/r/" not in page.url, page.url
        assert not seen["shown"], f"visavis was shown again: {seen['shown']}"
        assert not seen["camera"], f"a camera was turned on again: {seen['camera']}"
    # Nothing in this tab could take the call back up: no saved place, no name.
    if page.url.startswith(live_server_process.url):
        kept = page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('visavis.resume'))"
        )
        assert kept == []
