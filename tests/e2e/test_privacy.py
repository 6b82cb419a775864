"""No page in any state asks a third party for anything or breaks its Content-Security-Policy.

The ``new_page`` fixture checks every page at teardown (foreign requests and CSP
violations); this test walks through every page and state so that the check sees them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.helpers import (
    api,
    confirm_privacy_notice,
    create_appointment,
    enter_room,
    knock,
    log_in,
    past_appointment,
    wait_for_media,
)

PIN = "482916"


def visit(page, url: str, *, status: int | None = None) -> None:
    response = page.goto(url, wait_until="load")
    if status is not None:
        assert response.status == status, (url, response.status)
    page.wait_for_load_state("networkidle")


def test_the_violation_check_itself_catches_csp_violations(new_page):
    page = new_page()
    visit(page, "/accounts/login/")
    page.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = true";
      document.body.append(s);
    }""")
    page.wait_for_function("() => true")
    page.wait_for_timeout(200)  # let the console event arrive
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.visavis_log.violations), page.visavis_log
    page.visavis_log.violations.clear()  # expected here; do not fail the teardown check


def test_every_page_in_every_state_stays_on_its_own_origin(new_page, live_server_process):
    server = live_server_process
    host = new_page()
    visit(host, "/accounts/login/", status=200)
    log_in(host)
    visit(host, "/", status=200)
    create_appointment(host, "Privacy tour", pin=PIN, back_to_dashboard=False)
    detail_url = host.url
    visit(host, detail_url, status=200)
    visit(host, detail_url + "/edit", status=200)
    visit(host, "/calendar/settings", status=200)
    visit(host, "/no/such/page", status=404)
    visit(host, "/")
    guest_url = enter_room(host, "Privacy tour")

    # The client: PIN form, wrong PIN, room before joining, waiting, in the call, ended.
    guest = new_page()
    visit(guest, guest_url, status=200)
    guest.fill("#id_pin", "111111")
    with guest.expect_navigation():
        guest.click("#pin-submit")
    guest.wait_for_selector("#pin-error")
    guest.fill("#id_pin", PIN)
    with guest.expect_navigation(wait_until="load"):
        guest.click("#pin-submit")
    confirm_privacy_notice(guest)  # the consent step, after the PIN
    guest.wait_for_selector("#knock-form")
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    guest.wait_for_selector("#waiting:not([hidden])")
    entry = host.locator("#lobby li:has-text('Robin')")
    entry.wait_for()  # the host room with a waiting client
    entry.get_by_role("button", name="Admit: Robin").click()
    guest.wait_for_selector("#call:not([hidden])")
    wait_for_media(host)
    wait_for_media(guest)
    guest.click("#hang-up")
    guest.wait_for_selector("#ended:not([hidden])")

    # A second client is denied.
    plain = api(server, "POST", "/appointments", {
        "title": "Deny tour", "start": datetime.now(UTC).isoformat(), "duration_minutes": 50,
    })
    visit(host, plain["host_url"])
    denied = new_page()
    knock(denied, plain["guest_url"], "Stranger")
    host.locator("#lobby li:has-text('Stranger')").get_by_role(
        "button", name="Deny: Stranger"
    ).click()
    denied.wait_for_selector("#denied:not([hidden])")

    # The link's other states: not open yet, over, cancelled, replaced, unknown.
    notices = new_page()
    later = api(server, "POST", "/appointments", {
        "title": "Later", "duration_minutes": 50,
        "start": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
    })
    visit(notices, later["guest_url"], status=200)
    over = past_appointment(server, "Over", days=2)
    visit(notices, over["guest_url"], status=410)
    api(server, "DELETE", f"/appointments/{later['id']}")
    visit(notices, later["guest_url"], status=410)
    api(server, "POST", f"/appointments/{plain['id']}/revoke-link")
    visit(notices, plain["guest_url"], status=410)
    visit(notices, "/r/no-such-link", status=404)
    # The pages a client can open from every one of theirs: help and the privacy notice.
    visit(notices, "/help?lang=de", status=200)
    visit(notices, "/privacy?lang=en", status=200)
    # Every page above is checked at teardown; the same check, now, for a clear message.
    for page in (host, guest, denied, notices):
        page.visavis_log.check()
