"""A counselor and a client hold a private 1:1 video call, in real browsers."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.e2e.helpers import (
    assert_media_keeps_flowing,
    create_appointment,
    enter_room,
    knock,
    log_in,
    wait_for_media,
)

pytestmark = pytest.mark.backend


def test_counselor_admits_client_and_both_see_and_hear_each_other(new_page):
    host = new_page()
    log_in(host)
    create_appointment(host, "First session")
    guest_url = enter_room(host, "First session")
    assert "/r/" in guest_url

    guest = new_page()
    knock(guest, guest_url, "Robin")
    guest.wait_for_selector("#waiting:not([hidden])")

    entry = host.locator("#lobby li:has-text('Robin')")
    entry.wait_for()
    assert host.title().startswith("(1) ")
    entry.get_by_role("button", name="Admit: Robin").click()

    guest.wait_for_selector("#call:not([hidden])")
    host_stats = wait_for_media(host)
    guest_stats = wait_for_media(guest)
    assert_media_keeps_flowing(host, host_stats)
    assert_media_keeps_flowing(guest, guest_stats)
    assert host.locator("#lobby li").count() == 0
    assert not host.title().startswith("(")

    # The client hangs up; the counselor's tile for them goes away.
    guest.click("#hang-up")
    guest.wait_for_selector("#ended:not([hidden])")
    host.wait_for_selector("#tiles .tile.remote", state="detached")
    assert host.visavis_log.foreign == [] and guest.visavis_log.foreign == []


def test_denied_client_sees_a_clear_message(new_page):
    host = new_page()
    log_in(host)
    create_appointment(host, "Deny session")
    guest_url = enter_room(host, "Deny session")

    guest = new_page()
    knock(guest, guest_url, "Unexpected")
    host.locator("#lobby li:has-text('Unexpected')").get_by_role(
        "button", name="Deny: Unexpected"
    ).click()
    guest.wait_for_selector("#denied:not([hidden])")
    assert "not let in" in guest.inner_text("#denied")
    host.wait_for_selector("#lobby-empty:not([hidden])")


def test_unknown_room_link_gives_a_404_page(new_page, live_server_process):
    page = new_page()
    response = page.goto("/r/this-link-does-not-exist")
    assert response.status == 404
    assert "This link is not valid" in page.inner_text("main")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(live_server_process.url + "/r/x")
    assert error.value.code == 404


def test_another_counselor_gets_no_host_rights(new_page):
    owner = new_page()
    log_in(owner)
    create_appointment(owner, "Owner only")
    guest_url = enter_room(owner, "Owner only")
    host_url = owner.url

    colleague = new_page()
    log_in(colleague, "colleague")
    response = colleague.goto(host_url)
    assert response.status == 404
    # On the client's link the colleague is an ordinary guest who has to knock.
    knock(colleague, guest_url, "Colleague")
    colleague.wait_for_selector("#waiting:not([hidden])")
    owner.locator("#lobby li:has-text('Colleague')").wait_for()
