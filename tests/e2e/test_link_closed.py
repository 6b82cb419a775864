"""Issue 16, item 9, in a real browser: a client waiting when the counselor replaces the
link (or cancels) is told plainly, and is no longer in the waiting room."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import api, api_appointment, knock

pytestmark = pytest.mark.backend


def test_a_waiting_client_is_told_when_the_link_is_replaced(new_page, live_server_process):
    server = live_server_process
    appointment = api_appointment(server, "Replaced link")
    robin = new_page()
    knock(robin, appointment["guest_url"], "Robin")
    robin.wait_for_selector("#waiting:not([hidden])")
    api(server, "POST", f"/appointments/{appointment['id']}/revoke-link")
    robin.wait_for_selector("#link-closed:not([hidden])")
    assert robin.locator("#waiting").is_hidden()
    assert "no longer valid" in robin.inner_text("#link-closed")
