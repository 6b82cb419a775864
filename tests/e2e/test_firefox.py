"""The Firefox lane (issue 19): Debian's Firefox ESR beside Chromium, in real calls.

A client in Firefox goes the whole way — privacy notice, device check, setup test,
knock, waiting room, call, chat, safety code, quality modes, reload, quick exit — with
a counselor in Chromium; a counselor in Firefox holds a call with a client in Chromium;
and three people mixing both browsers see and hear each other. Media is proven by
``getStats()`` on every side, as everywhere.

The browser side only: the database and channel layer play no part, so the
PostgreSQL + Redis round of scripts/test leaves these out.
"""

from __future__ import annotations

import time

from tests.e2e.helpers import (
    api_appointment,
    assert_media_keeps_flowing,
    inbound,
    knock,
    log_in,
    open_guest_page,
    wait_for_media,
)
from tests.e2e.test_prejoin import max_meter_level, wait_until
from tests.e2e.test_quality import VIDEO_ENCODINGS
from tests.e2e.test_safety_code import CODE, codes
from tests.e2e.test_setup_check import outcomes

USER_AGENT = "() => navigator.userAgent"


def admit(host, name: str) -> None:
    host.locator(f"#lobby li:has-text('{name}')").get_by_role(
        "button", name=f"Admit: {name}"
    ).click()


def only_code(page) -> str:
    (code,) = codes(page).values()
    assert CODE.match(code), code
    return code


def chat(sender, receiver, text: str) -> None:
    """``sender`` writes ``text`` in the call's chat; ``receiver`` reads it."""
    if sender.locator("#chat-input").is_hidden():
        sender.click("#toggle-chat")
    sender.fill("#chat-input", text)
    sender.press("#chat-input", "Enter")
    sender.wait_for_selector(f"#chat-log .chat-message.mine:has-text('{text}')")
    if receiver.locator("#chat-input").is_hidden():
        receiver.click("#toggle-chat")
    receiver.wait_for_selector(f"#chat-log .chat-message:not(.mine):has-text('{text}')")


def test_a_client_in_firefox_goes_the_whole_way(new_page, firefox, live_server_process):
    appointment = api_appointment(live_server_process, "Firefox client")
    host = new_page()
    log_in(host)
    host.goto(appointment["host_url"])
    guest = new_page.add(firefox)
    assert "Firefox/" in guest.evaluate(USER_AGENT)

    # The setup test runs through to a verdict (no relay configured on this server).
    guest.goto(appointment["guest_url"] + "/setup")
    guest.click("#start-test")
    guest.wait_for_selector('[data-check="microphone"] .check-result[data-outcome="pass"]')
    guest.click("#play-tone")
    guest.click("#heard-yes")
    guest.wait_for_selector("#setup-verdict:not([hidden])", timeout=45000)
    results = outcomes(guest)
    assert guest.get_attribute("#setup-verdict", "data-verdict") == "ready", results
    assert results["camera"] == "pass" and results["call"] == "pass", results

    # Privacy notice, then the device check: preview, level meter, device lists.
    open_guest_page(guest, appointment["guest_url"])
    wait_until(guest, "document.querySelector('#preview-video').videoWidth > 0")
    assert max_meter_level(guest) >= 3, guest.visavis_log
    guest.click("#device-settings > summary")
    wait_until(guest, "!document.querySelector('#camera-select').disabled")
    assert guest.locator("#camera-select option").count() >= 1
    assert guest.locator("#microphone-select option").count() >= 1

    # Knock, wait, come in.
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    guest.wait_for_selector("#waiting:not([hidden])")
    admit(host, "Robin")
    guest.wait_for_selector("#call:not([hidden])")
    host_stats, guest_stats = wait_for_media(host), wait_for_media(guest)
    assert_media_keeps_flowing(host, host_stats)
    assert_media_keeps_flowing(guest, guest_stats)

    # Firefox's stats (no transport report: the pair marked selected) give a verdict.
    badge = guest.locator("#tiles .tile.remote .quality")
    badge.wait_for()
    wait_until(guest, "document.querySelector('#tiles .tile.remote .quality')"
                      ".dataset.verdict === 'good'")
    # No RED in Firefox: the voice is protected by Opus's error correction, and both
    # connection panels say so.
    for page in (guest, host):
        page.click("#connection-details summary")
        wait_until(page, "document.querySelector('#quality-rows tr td:last-child')"
                         "?.textContent === 'Error correction (FEC)'")
        page.click("#connection-details summary")

    # Chat both ways, and the same safety code on both screens.
    chat(host, guest, "Hello from Chromium")
    chat(guest, host, "Hello from Firefox")
    assert only_code(host) == only_code(guest)

    # Audio only from Firefox: the counselor's picture of them stops, the voice goes on.
    guest.select_option("#quality-mode", "audio")
    ((encoding,),) = guest.evaluate(VIDEO_ENCODINGS)
    assert encoding["active"] is False
    time.sleep(1)
    before = inbound(host)[0]
    time.sleep(2)
    after = inbound(host)[0]
    assert after["video"]["framesDecoded"] - before["video"]["framesDecoded"] <= 1
    assert after["audio"]["packetsReceived"] > before["audio"]["packetsReceived"] + 50
    guest.select_option("#quality-mode", "auto")
    wait_for_media(host)

    # A reload goes straight back into the call, without knocking; one tile.
    guest.reload()
    guest.wait_for_selector("#call:not([hidden])", timeout=20000)
    wait_for_media(host)
    wait_for_media(guest)
    assert host.locator("#tiles .tile.remote").count() == 1
    assert host.locator("#lobby li").count() == 0

    # Quick exit: a neutral page, the call gone for the counselor, Back does not bring it.
    guest.keyboard.press("Escape")
    guest.keyboard.press("Escape")
    guest.wait_for_url("**/start")
    assert "visavis" not in guest.content().lower()
    host.wait_for_selector("#tiles .tile.remote", state="detached", timeout=10000)
    guest.go_back()
    assert guest.locator("#call:not([hidden])").count() == 0


def test_a_counselor_in_firefox_with_a_client_in_chromium(new_page, firefox,
                                                          live_server_process):
    appointment = api_appointment(live_server_process, "Firefox counselor")
    host = new_page.add(firefox)
    log_in(host)
    host.goto(appointment["host_url"])
    guest = new_page()
    knock(guest, appointment["guest_url"], "Kim")
    admit(host, "Kim")
    guest.wait_for_selector("#call:not([hidden])")
    assert_media_keeps_flowing(host, wait_for_media(host))
    assert_media_keeps_flowing(guest, wait_for_media(guest))
    assert only_code(host) == only_code(guest)
    chat(guest, host, "Hello from Chromium")
    host.click("#hang-up")
    guest.wait_for_selector("#tiles .tile.remote", state="detached", timeout=10000)


def test_three_people_in_two_browsers(new_page, firefox, live_server_process):
    appointment = api_appointment(live_server_process, "Mixed")
    host = new_page()
    log_in(host)
    host.goto(appointment["host_url"])
    in_firefox, in_chromium = new_page.add(firefox), new_page()
    for page, name in ((in_firefox, "Alex"), (in_chromium, "Sam")):
        knock(page, appointment["guest_url"], name)
        page.wait_for_selector("#waiting:not([hidden])")
        admit(host, name)
        page.wait_for_selector("#call:not([hidden])")
    for page in (host, in_firefox, in_chromium):
        assert_media_keeps_flowing(page, wait_for_media(page, peers=2))
        assert len(inbound(page)) == 2
