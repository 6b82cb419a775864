"""A browser call across two server processes that share PostgreSQL and Redis.

The counselor's browser talks to process A, the client's to process B; knock, admit,
signalling and then media (proven by getStats) must all work across them. Lives here
beside the other browser tests because Playwright's sync API runs once per test run;
the protocol-level tests across processes are in tests/integration.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import RECORD_PEER_CONNECTIONS, PageLog
from tests.e2e.helpers import knock, log_in, wait_for_media
from tests.ops.servers import create_appointment as api_appointment

pytestmark = pytest.mark.integration


@pytest.fixture
def page_on(browser, two_servers):
    """A new page in a fresh browser context whose relative URLs go to ``server``."""
    contexts = []

    def make(server, locale: str = "en-US"):
        context = browser.new_context(locale=locale, base_url=server.url)
        context.add_init_script(RECORD_PEER_CONNECTIONS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.visavis_log = PageLog(page, server.url)
        return page

    yield make
    for context in contexts:
        context.close()


def test_browser_call_across_processes(two_servers, page_on):
    a, b = two_servers
    appointment = api_appointment(a, a.api_token, "Two processes")
    host = page_on(a)
    log_in(host)
    host.goto(appointment["host_url"])
    host.wait_for_selector("#lobby", state="attached")
    guest_url_on_b = b.url + urlsplit(appointment["guest_url"]).path

    guest = page_on(b)
    knock(guest, guest_url_on_b, "Robin")
    guest.wait_for_selector("#waiting:not([hidden])")
    host.locator("#lobby li:has-text('Robin')").get_by_role("button", name="Admit: Robin").click()
    guest.wait_for_selector("#call:not([hidden])")

    try:
        wait_for_media(host)
        wait_for_media(guest)
    except AssertionError as failure:
        raise AssertionError(
            f"{failure}\n--- server A ---\n{a.log()[-4000:]}\n--- server B ---\n{b.log()[-4000:]}"
        ) from None
    assert host.visavis_log.foreign == [] and guest.visavis_log.foreign == []
