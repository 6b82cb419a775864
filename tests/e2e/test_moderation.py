"""The counselor's side in real browsers (issue 5): a knock in another appointment shows up
wherever the counselor is, notes to the waiting room, lock, send back and admit again,
remove, and ending the session for everyone. One combined scenario: browser tests are
expensive."""

from __future__ import annotations

import re
import time

from tests.e2e.conftest import PageLog
from tests.e2e.helpers import api_appointment, knock, log_in, wait_for_media


def wait_until(page, script: str, timeout: float = 10.0) -> None:
    """Poll ``script`` (a function) with page.evaluate: wait_for_function would evaluate
    it with eval inside the page, which the page's CSP rightly forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"not true within {timeout}s: {script}"
        time.sleep(0.1)


def title_count(page) -> int:
    """The "(n) " in front of the page's title: people waiting in the counselor's rooms
    (other tests' clients who closed their page still count for the grace period)."""
    match = re.match(r"\((\d+)\) ", page.title())
    return int(match.group(1)) if match else 0


def lobby_button(host, name: str, action: str):
    return host.locator(f"#lobby li:has-text('{name}')").get_by_role(
        "button", name=f"{action}: {name}", exact=True
    )


def test_counselor_moderates_the_room(new_page, live_server_process):
    server = live_server_process
    first = api_appointment(server, "Room A")
    second = api_appointment(server, "Room B")
    host = new_page()
    log_in(host)
    host.goto(first["host_url"])
    host.wait_for_selector("#lock-room:not([disabled])")  # the host's status has come
    host.click("body")  # a gesture: the page may play its tone from now on
    dashboard = host.context.new_page()
    dashboard.goto("/")
    time.sleep(0.5)  # both pages have their snapshot of who waits
    before = title_count(host)
    assert title_count(dashboard) == before

    # A client knocks in Room B while the counselor sits in Room A: banner, title, tone.
    robin = new_page()
    knock(robin, second["guest_url"], "Robin")
    robin.wait_for_selector("#waiting:not([hidden])")
    banner = host.locator("#watch-banner")
    banner.wait_for(state="visible")
    assert "Someone is waiting in another appointment" in banner.inner_text()
    wait_until(host, f"() => document.title.startsWith('({before + 1}) ')")
    wait_until(host, "() => window.__visavisTones >= 1")
    # The dashboard shows who waits where (the counselor's own client: with the name).
    dashboard.wait_for_selector("#waiting-now:not([hidden])")
    assert "Robin is waiting in Room B." in dashboard.inner_text("#waiting-rooms")
    wait_until(dashboard, f"() => document.title.startsWith('({before + 1}) ')")
    dashboard.close()

    # Into Room B through the banner; a note reaches the waiting client.
    banner.get_by_role("link", name="Room B").click()
    host.wait_for_url(re.compile(re.escape(second["host_url"]) + "$"))
    lobby_button(host, "Robin", "Admit").wait_for()
    # Room B's own waiting room shows Robin; the banner is for the other rooms only.
    assert host.locator("#watch-banner").get_by_role("link", name="Room B").count() == 0
    host.fill("#note-text", "I'll be 5 minutes late.")
    host.click("#note-form button[type=submit]")
    robin.wait_for_selector("#waiting-note:not([hidden])")
    assert robin.inner_text("#waiting-note-text") == "I'll be 5 minutes late."
    host.wait_for_selector("#current-note:not([hidden])")

    # Locked: the next client is told so plainly and does not reach the waiting room.
    host.click("#lock-room")
    host.wait_for_selector("#lock-state:not([hidden])")
    sam = new_page()
    knock(sam, second["guest_url"], "Sam")
    sam.wait_for_selector("#locked:not([hidden])")
    assert "locked" in sam.inner_text("#locked")
    assert host.locator("#lobby li").count() == 1

    # The owner always gets in: a second tab enters the locked room and takes over; the
    # first tab says so. The counselor goes on in the new tab.
    second_tab = host.context.new_page()
    second_tab.set_default_timeout(15000)
    second_tab.visavis_log = PageLog(second_tab, server.url)
    second_tab.goto(host.url)
    second_tab.wait_for_selector("#lock-state:not([hidden])")
    deadline = time.monotonic() + 15
    while "opened in another window" not in host.inner_text("#connection-status"):
        assert time.monotonic() < deadline, host.inner_text("#connection-status")
        time.sleep(0.1)
    second_tab.wait_for_selector("#lobby li:has-text('Robin')")
    host.visavis_log.check()
    host = second_tab

    # Admitted: media flows, the note is over, the timer runs (for the host only).
    lobby_button(host, "Robin", "Admit").click()
    robin.wait_for_selector("#call:not([hidden])")
    wait_for_media(host)
    wait_for_media(robin)
    host.wait_for_selector("#current-note", state="hidden")
    assert "In the call for" in host.inner_text("#session-timer")
    assert robin.locator("#session-timer").count() == 0

    # Back to the waiting room, and in again: new peer connections, media flows again.
    host.locator("#participants li:has-text('Robin')").get_by_role(
        "button", name="Back to the waiting room: Robin"
    ).click()
    robin.wait_for_selector("#waiting:not([hidden])")
    assert robin.locator("#sent-back-info").is_visible()
    host.wait_for_selector("#tiles .tile.remote", state="detached")
    lobby_button(host, "Robin", "Admit").click()
    robin.wait_for_selector("#call:not([hidden])")
    wait_for_media(robin)
    wait_for_media(host)

    # Unlocked: a stranger who knocks is turned away with a message that reaches them.
    host.click("#lock-room")
    host.wait_for_selector("#lock-state", state="hidden")
    jo = new_page()
    knock(jo, second["guest_url"], "Jo")
    entry = host.locator("#lobby li:has-text('Jo')")
    entry.locator("summary").click()
    entry.locator(".deny-message").fill("This appointment is for someone else.")
    entry.get_by_role("button", name="Deny and send the message").click()
    jo.wait_for_selector("#denied:not([hidden])")
    assert jo.inner_text("#denied-message-text") == "This appointment is for someone else."
    host.wait_for_selector("#lobby li:has-text('Jo')", state="detached")

    # Sam comes in too; then Robin is removed, and the session ends for all.
    knock(sam, second["guest_url"], "Sam")
    lobby_button(host, "Sam", "Admit").click()
    sam.wait_for_selector("#call:not([hidden])")
    host.locator("#participants li:has-text('Robin')").get_by_role(
        "button", name="Remove: Robin"
    ).click()
    robin.wait_for_selector("#removed:not([hidden])")
    host.wait_for_selector("#participants li:has-text('Robin')", state="detached")

    host.once("dialog", lambda dialog: dialog.accept())
    host.click("#end-session")
    sam.wait_for_selector("#session-ended:not([hidden])")
    host.wait_for_selector("#host-ended:not([hidden])")
    for page in (robin, sam):
        tracks = page.evaluate(
            "() => (window.__pcs || []).filter((pc) => pc.connectionState !== 'closed').length"
        )
        assert tracks == 0
    host.visavis_log.check()  # the counselor's second tab kept to the origin and the CSP too
