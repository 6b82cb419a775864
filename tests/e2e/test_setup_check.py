"""The client's setup test days ahead: a real coturn, the page runs to "ready", the
counselor's dashboard says so. Plus the cheap variant without TURN, on a phone."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import running_server
from tests.e2e.conftest import RECORD_PEER_CONNECTIONS, PageLog, Pages, check_pages
from tests.e2e.helpers import log_in
from tests.e2e.turn import start_coturn

SHOTS = Path("/tmp/shots")


def appointment_days_ahead(server, title: str, days: int = 3) -> dict:
    token = server.run("createtoken", "counselor").stdout.strip().splitlines()[-1]
    start = (datetime.now(UTC) + timedelta(days=days)).isoformat()
    body = json.dumps({"title": title, "start": start, "duration_minutes": 50}).encode()
    request = urllib.request.Request(
        server.url + "/api/v1/appointments",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def outcomes(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#setup-checks li')]
             .map((li) => [li.dataset.check, li.querySelector('.check-result').dataset.outcome]))"""
    )


def run_test(page, setup_url: str, shot: str) -> dict[str, str]:
    """Go through the page as a client would; return the outcome of every check."""
    page.goto(setup_url)
    page.screenshot(path=str(SHOTS / f"{shot}-start.png"), full_page=True)
    page.click("#start-test")
    page.wait_for_selector('[data-check="microphone"] .check-result[data-outcome="pass"]')
    page.click("#play-tone")
    page.click("#heard-yes")
    try:
        page.wait_for_selector("#setup-verdict:not([hidden])", timeout=45000)
        page.wait_for_selector("#verdict-saved[data-saved]")
    finally:
        page.screenshot(path=str(SHOTS / f"{shot}-verdict.png"), full_page=True)
    assert page.get_attribute("#verdict-saved", "data-saved") == "true", page.visavis_log
    return outcomes(page)


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    server = start_coturn(tmp_path_factory.mktemp("coturn-setup"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def turn_server(tmp_path_factory, coturn, request):
    """A visavis with a TURN relay reachable over UDP and TCP (the test coturn has no TLS)."""
    urls = [coturn.url, f"turn:127.0.0.1:{coturn.port}?transport=tcp"]
    with running_server(
        tmp_path_factory,
        request,
        "setup-turn",
        VISAVIS_TURN_URLS=json.dumps(urls),
        VISAVIS_TURN_SECRET=coturn.secret,
    ) as server:
        yield server


def test_setup_test_days_ahead_through_turn_is_ready(browser, turn_server, coturn):
    SHOTS.mkdir(exist_ok=True)
    appointment = appointment_days_ahead(turn_server, "Setup with relay")
    pages = Pages(browser, turn_server.url)
    try:
        client = pages()
        results = run_test(client, appointment["guest_url"] + "/setup", "setup-desktop")
        assert client.get_attribute("#setup-verdict", "data-verdict") == "ready", (
            f"{results}\n{client.locator('#setup-verdict').inner_text()}\n{client.visavis_log}\n"
            f"{coturn.log_path.read_text(errors='replace')[-3000:]}"
        )
        assert results["relay_udp"] == "pass" and results["relay_tcp"] == "pass", results
        assert results["relay_tls"] == "skipped" and results["call"] == "pass", results
        assert results["camera"] == results["host"] == "pass", results
        assert "kbit/s" in client.inner_text("#call-numbers")
        assert client.locator("#no-relay").is_hidden()

        counselor = pages()
        log_in(counselor)
        item = counselor.locator("li.appointment", has_text="Setup with relay")
        assert item.locator(".badge.setup").get_attribute("data-setup") == "ready"
        assert "Setup: ready" in item.inner_text()
        item.screenshot(path=str(SHOTS / "setup-dashboard-item.png"))
        counselor.goto(appointment["host_url"].replace("/room", ""))
        summary = counselor.locator(".setup-summary")
        assert summary.get_attribute("data-setup") == "ready"
        assert "Test call: works" in summary.text_content()  # in the closed details
        counselor.screenshot(path=str(SHOTS / "setup-counselor.png"), full_page=True)
    finally:
        pages.close()


def test_without_turn_on_a_phone_direct_only(playwright, browser, live_server_process):
    """The cheap variant: no TURN configured, the page says so and tests direct calls."""
    SHOTS.mkdir(exist_ok=True)
    appointment = appointment_days_ahead(live_server_process, "Setup direct", days=5)
    context = browser.new_context(
        **playwright.devices["Pixel 7"], base_url=live_server_process.url, locale="de-DE"
    )
    context.add_init_script(RECORD_PEER_CONNECTIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.visavis_log = PageLog(page, live_server_process.url)
    try:
        results = run_test(page, appointment["guest_url"] + "/setup", "setup-phone")
        assert page.get_attribute("#setup-verdict", "data-verdict") == "ready", results
        assert all(results[k] == "skipped" for k in ("relay_udp", "relay_tcp", "relay_tls"))
        assert results["srflx"] == "skipped" and results["call"] == "pass", results
        assert page.locator("#no-relay").is_visible()
    finally:
        context.close()
        check_pages([page])


def test_a_link_tested_too_often_is_told_why(browser, turn_server):
    """Issue 16, item 3: after 20 relay credentials in an hour the link gets none, and the
    page says so in words instead of failing every check."""
    appointment = appointment_days_ahead(turn_server, "Setup too often")
    for _ in range(20):
        with urllib.request.urlopen(appointment["guest_url"] + "/setup/ice") as response:
            assert response.status == 200
    pages = Pages(browser, turn_server.url)
    try:
        client = pages()
        client.goto(appointment["guest_url"] + "/setup")
        client.click("#start-test")
        client.wait_for_selector("#media-problem:not([hidden])", timeout=30000)
        assert "many setup tests in the last hour" in client.inner_text("#media-problem")
        assert client.locator("#setup-verdict").is_hidden()
    finally:
        pages.close()
