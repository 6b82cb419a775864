"""The waiting room both ways (issue 21, item 2), in real browsers: the waiting client
answers with a prepared message and with a text of their own; the counselor sees each
beside the knock, live; the text is nowhere on the server."""

from __future__ import annotations

from tests.e2e.helpers import api_appointment, knock, log_in

TEXT = "Mein Zug hat Verspätung, ich komme vom Handy."


def test_the_waiting_client_answers_and_the_counselor_reads_it(new_page, live_server_process):
    appointment = api_appointment(live_server_process, "Both ways")
    guest = new_page()
    knock(guest, appointment["guest_url"], "Robin")
    guest.wait_for_selector("#waiting:not([hidden])")
    form = guest.locator("#reply-form")
    form.wait_for()

    # The counselor has not opened the session: the client is told, and keeps waiting.
    guest.get_by_role("button", name="I am here").click()
    guest.wait_for_selector("#reply-status:has-text('not opened the session yet')")
    assert guest.locator("#waiting").is_visible()

    host = new_page()
    log_in(host)
    host.goto(appointment["host_url"])
    entry = host.locator("#lobby li:has-text('Robin')")
    entry.wait_for()
    assert entry.locator(".reply").is_hidden()

    guest.get_by_role("button", name="I need two more minutes").click()
    guest.wait_for_selector("#reply-status:has-text('Sent: I need two more minutes')")
    entry.locator(".reply:has-text('I need two more minutes')").wait_for()

    guest.fill("#reply-text", TEXT)
    guest.press("#reply-text", "Enter")
    entry.locator(f".reply:has-text('{TEXT}')").wait_for()
    assert guest.input_value("#reply-text") == ""

    # The list is drawn anew when someone else knocks: Robin's answer stays beside them.
    other = new_page()
    knock(other, appointment["guest_url"], "Sam")
    host.locator("#lobby li:has-text('Sam')").wait_for()
    assert entry.locator(".reply").inner_text() == TEXT
    assert host.locator("#lobby li:has-text('Sam') .reply").is_hidden()

    # Admitted, the form is gone; the answer never reached the server's disk or log.
    entry.get_by_role("button", name="Admit: Robin").click()
    guest.wait_for_selector("#call:not([hidden])")
    assert form.is_hidden()
    assert TEXT not in live_server_process.log()
    for path in live_server_process.data_dir.glob("visavis.sqlite3*"):
        assert TEXT.encode() not in path.read_bytes()
