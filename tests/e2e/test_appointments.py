"""An appointment with a PIN, end to end in real browsers: the counselor creates it, copies
the two invitation texts, the client opens the link, a wrong PIN is refused, the right one
lets them knock, the counselor admits them, and picture and sound flow."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.e2e.helpers import confirm_privacy_notice, create_appointment, log_in, wait_for_media

PIN = "482915"


def copy(page, button_selector: str) -> str:
    page.click(button_selector)
    return page.evaluate("navigator.clipboard.readText()")


def test_appointment_with_pin_from_invitation_to_call(new_page, live_server_process):
    host = new_page()
    host.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server_process.url
    )
    log_in(host)
    create_appointment(host, "PIN session", pin=PIN, back_to_dashboard=False)

    # Two separate texts, each copied with its own button; each says the other comes apart.
    link_text = copy(host, "button[data-copy='invite-link-text']")
    pin_text = copy(host, "button[data-copy='invite-pin-text']")
    guest_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}", link_text).group(0)
    assert PIN not in link_text and "PIN in a separate message" in link_text
    assert PIN in pin_text and "/r/" not in pin_text
    assert "link to the session in a separate message" in pin_text
    mailtos = [unquote(a.get_attribute("href")) for a in host.locator("a[href^='mailto:']").all()]
    assert len(mailtos) == 2
    assert guest_url in mailtos[0] and PIN not in mailtos[0]
    assert PIN in mailtos[1] and guest_url not in mailtos[1]
    # The PIN is shown only once.
    host.reload()
    assert PIN not in host.inner_text("main")

    host.get_by_role("link", name="Enter room").first.click()
    host.wait_for_selector("#guest-link", state="attached")

    guest = new_page()
    guest.goto(guest_url)
    assert guest.locator("#knock-form").count() == 0
    guest.fill("#id_pin", "111111")
    with guest.expect_navigation():
        guest.click("#pin-submit")
    guest.wait_for_selector("#pin-error")
    assert "not correct" in guest.inner_text("#pin-error")
    assert guest.locator("#knock-form").count() == 0

    guest.fill("#id_pin", PIN)
    with guest.expect_navigation(wait_until="load"):  # the room page and its scripts
        guest.click("#pin-submit")
    confirm_privacy_notice(guest)
    guest.wait_for_selector("#knock-form")
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    try:
        guest.wait_for_selector("#waiting:not([hidden])")
    except Exception:
        raise AssertionError(
            f"{guest.inner_text('main')}\n--- page log ---\n{guest.visavis_log}\n"
            f"--- cookies ---\n{guest.context.cookies()}"
        ) from None

    host.locator("#lobby li:has-text('Robin')").get_by_role(
        "button", name="Admit: Robin"
    ).click()
    guest.wait_for_selector("#call:not([hidden])")
    wait_for_media(host)
    wait_for_media(guest)
    assert host.visavis_log.foreign == [] and guest.visavis_log.foreign == []


def test_too_many_wrong_pins_then_the_time_to_try_again(new_page, live_server_process):
    host = new_page()
    log_in(host)
    create_appointment(host, "Locked session", pin=PIN, back_to_dashboard=False)
    guest_url = host.input_value("#guest-link")

    guest = new_page(locale="de-DE")
    guest.goto(guest_url + "?lang=de")
    for _ in range(5):
        guest.fill("#id_pin", "000000")
        with guest.expect_navigation():
            guest.click("#pin-submit")
    message = guest.inner_text("#pin-blocked")
    expected = r"Zu viele falsche Versuche.*versuchen Sie es um \d\d:\d\d Uhr erneut"
    assert re.search(expected, message)
    assert guest.locator("#pin-submit").is_disabled()
    # The counselor is not held back by it.
    host.get_by_role("link", name="Enter room").first.click()
    host.wait_for_selector("#lobby-empty")


def test_external_video_page_only_links_to_the_other_service(new_page):
    host = new_page()
    log_in(host)
    host.goto("/")
    host.fill("#id_title", "Zoom session")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.e2e.helpers import SERVER_TIME_ZONE

    host.fill("#id_start", datetime.now(ZoneInfo(SERVER_TIME_ZONE)).strftime("%Y-%m-%dT%H:%M"))
    host.click("details.more > summary")
    host.fill("#id_external_url", "https://meet.example.org/j/42")
    host.click("text=Create appointment")
    guest_url = host.input_value("#guest-link")

    guest = new_page()
    guest.goto(guest_url)
    button = guest.locator("#external-link")
    assert button.get_attribute("href") == "https://meet.example.org/j/42"
    assert "meet.example.org" in guest.inner_text("main")
    assert guest.locator("#knock-form").count() == 0
    guest.wait_for_load_state("networkidle")
    assert guest.visavis_log.foreign == []
