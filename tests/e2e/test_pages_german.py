"""The client's pages follow the appointment's language; German uses the formal "Sie"."""


def test_guest_page_in_german(new_page, live_server_process):
    host = new_page()
    from tests.e2e.helpers import create_appointment, enter_room, log_in, open_guest_page

    log_in(host)
    # The client's pages follow the language chosen for the appointment, not the browser's.
    # (A title of its own: other appointments on this server show "Deutsch" as language.)
    create_appointment(host, "Sitzung 7 in German", language="de")
    guest_url = enter_room(host, "Sitzung 7 in German")

    guest = new_page(locale="en-US")
    open_guest_page(guest, guest_url)
    assert guest.locator("html").get_attribute("lang") == "de"
    text = guest.inner_text("#prejoin")
    assert "Willkommen" in text and "Sie" in text
    # The JavaScript catalog is German too.
    assert guest.evaluate("django.gettext('Mute')") == "Stummschalten"
