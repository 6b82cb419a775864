"""The safety code: the same on both ends of an honest call, different when someone
in the signalling path swaps a certificate fingerprint."""

from __future__ import annotations

import re

import pytest

from tests.conftest import running_server
from tests.e2e.conftest import Pages
from tests.e2e.helpers import start_call, wait_for_media

# The browser side only: the database and channel layer play no part, so the
# PostgreSQL + Redis round of scripts/test leaves these out.

CODE = re.compile(r"^\d{4} \d{4}$")


def codes(page) -> dict[str, str]:
    page.wait_for_selector("#safety:not([hidden]) .code", state="attached")
    return {
        item.get_attribute("data-peer"): item.locator(".code").text_content()
        for item in page.locator("#safety-codes li").all()
    }


def test_both_ends_show_the_same_safety_code(new_page, live_server_process):
    host, guest = start_call(new_page, live_server_process, "Safety", "Mika")
    wait_for_media(host)
    host_codes, guest_codes = codes(host), codes(guest)
    assert len(host_codes) == 1 and len(guest_codes) == 1
    (host_code,), (guest_code,) = host_codes.values(), guest_codes.values()
    assert CODE.match(host_code), host_code
    assert host_code == guest_code
    assert "Mika" in host.locator("#safety-codes").text_content()


@pytest.fixture(scope="module")
def tampering_server(tmp_path_factory, request):
    with running_server(
        tmp_path_factory, request, "tamper", VISAVIS_TEST_TAMPER_FINGERPRINTS="true"
    ) as server:
        yield server


@pytest.fixture
def tamper_page(browser, tampering_server):
    pages = Pages(browser, tampering_server.url)
    yield pages
    pages.close()


def test_a_swapped_fingerprint_gives_different_codes(tamper_page, tampering_server):
    host, guest = start_call(tamper_page, tampering_server, "Safety", "Mika")
    (host_code,), (guest_code,) = codes(host).values(), codes(guest).values()
    assert CODE.match(host_code) and CODE.match(guest_code)
    assert host_code != guest_code
