"""What a client sees of the counselor and of the technique, in real browsers (issue 15,
items 12 and 14): the name the counselor chose on their account page, on the picture, in
the chat and at the safety code, never their login name; and no technical words on the
page of a running call, including the texts its scripts write.

One call for all of it (each browser test costs CI time). The server side of both is
tested without a browser too: tests/rooms/test_host_name.py, tests/web/test_client_words.py.
"""

from __future__ import annotations

from tests.e2e.helpers import api_appointment, knock, log_in, wait_for_media
from tests.web.test_client_words import jargon

SHOWN_NAME = "Dr. Jane Doe"
LOGIN_NAME = "counselor"


def test_the_client_sees_the_chosen_name_and_plain_words(new_page, live_server_process):
    host = new_page()
    log_in(host, LOGIN_NAME)
    host.goto("/accounts/")
    assert "“Counselor”" in host.inner_text("#name-default")
    host.fill("#id_display_name", SHOWN_NAME)
    host.click("form[action='/accounts/name/'] button[type=submit]")
    host.wait_for_selector(f"#id_display_name[value='{SHOWN_NAME}']")

    appointment = api_appointment(live_server_process, "Names")
    host.goto(appointment["host_url"])
    guest = new_page()
    knock(guest, appointment["guest_url"], "Kim")
    host.locator("#lobby li:has-text('Kim')").get_by_role("button", name="Admit: Kim").click()
    guest.wait_for_selector("#call:not([hidden])")
    wait_for_media(guest)

    # On the counselor's picture.
    caption = guest.locator("#tiles .tile.remote figcaption")
    assert caption.inner_text() == SHOWN_NAME
    # In the chat.
    host.click("#toggle-chat")
    host.fill("#chat-input", "Guten Tag")
    host.press("#chat-input", "Enter")
    guest.wait_for_selector("#chat-unread:not([hidden])")
    guest.click("#toggle-chat")
    guest.wait_for_selector("#chat-log .chat-message:not(.mine)")
    assert guest.inner_text("#chat-log .chat-message:not(.mine) .who") == SHOWN_NAME
    # At the safety code.
    guest.wait_for_selector("#safety:not([hidden]) .code", state="attached")
    assert SHOWN_NAME in guest.locator("#safety-codes").text_content()
    for where in ("#tiles", "#chat-log", "#safety-codes"):
        assert LOGIN_NAME not in guest.locator(where).text_content(), where

    # The whole page of the running call, with what its scripts wrote (the connection
    # badge on the tile, the quality, the details table): plain words only.
    guest.wait_for_selector("#tiles .tile.remote .path")
    assert jargon(guest.locator("body").text_content()) == []
