"""Playwright with Debian's Chromium, fake camera and microphone (see shared testing recipe)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("VISAVIS_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
]

# Records every RTCPeerConnection a page creates, so tests can read getStats() without
# any test hook in the application itself.
RECORD_PEER_CONNECTIONS = """
(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
})();
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageLog:
    """Console messages and failed or foreign requests of one page, for failure output."""

    def __init__(self, page, origin: str):
        self.lines: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda msg: self.lines.append(f"console.{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.lines.append(f"pageerror: {exc}"))

        def on_request(request):
            url = request.url
            if not (url.startswith(origin) or url.startswith("data:") or url.startswith("blob:")
                    or url.startswith(origin.replace("http", "ws", 1))):
                self.foreign.append(url)

        page.on("request", on_request)

    def __str__(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def new_page(browser, live_server_process):
    contexts = []

    def make(locale: str = "en-US"):
        context = browser.new_context(locale=locale, base_url=live_server_process.url)
        context.add_init_script(RECORD_PEER_CONNECTIONS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.visavis_log = PageLog(page, live_server_process.url)
        return page

    yield make
    for context in contexts:
        context.close()
