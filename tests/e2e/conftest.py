"""Playwright with Debian's Chromium, fake camera and microphone (see shared testing recipe)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
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

# Debian's Firefox ESR, driven by Playwright over WebDriver BiDi (channel "moz-firefox";
# Playwright below 1.65). The prefs give it fake camera and microphone without a prompt,
# and loopback ICE candidates: without the two permission prefs Firefox gathers no
# loopback candidate and the call fails without an error (../shared/testing.md).
FIREFOX = os.environ.get("VISAVIS_FIREFOX", "/usr/lib/firefox-esr/firefox-esr")
FIREFOX_PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "permissions.default.camera": 1,
    "permissions.default.microphone": 1,
    "media.peerconnection.ice.loopback": True,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    "media.autoplay.default": 0,
}

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
""" + """
// Every Content-Security-Policy violation goes to the console, where PageLog finds it.
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || ""}:${e.lineNumber || 0}`);
});
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per test run: its sync API cannot be started twice in a thread."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@contextlib.contextmanager
def sound_server(folder: Path):
    """A PulseAudio server of its own with a null sink: Firefox runs WebAudio (the level
    meters) only with an audio output, which a machine without a sound card lacks.
    Yields the environment that points Firefox at it."""
    if not shutil.which("pulseaudio"):
        pytest.fail("pulseaudio not found: install Debian's pulseaudio package "
                    "(scripts/system-packages)")
    socket = folder / "native"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(folder), "HOME": str(folder)}
    process = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--log-target=stderr",
         f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
         "--load=module-null-sink sink_name=visavis"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"pulseaudio did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
        yield {"PULSE_SERVER": f"unix:{socket}"}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def firefox(playwright, tmp_path_factory):
    """Firefox ESR, for the pages of the Firefox lane (tests/e2e/test_firefox.py)."""
    if not Path(FIREFOX).exists():
        pytest.fail(f"Firefox not found at {FIREFOX}: install Debian's firefox-esr package")
    with sound_server(tmp_path_factory.mktemp("pulse")) as sound:
        browser = playwright.firefox.launch(
            channel="moz-firefox", executable_path=FIREFOX, headless=True,
            firefox_user_prefs=FIREFOX_PREFS, env={**os.environ, **sound},
        )
        yield browser
        browser.close()


class PageLog:
    """Console messages, CSP violations and foreign requests of one page.

    :meth:`check` fails when the page asked anyone but the visavis origin for anything,
    or broke its Content-Security-Policy: the browser fixtures call it at teardown."""

    def __init__(self, page, origin: str):
        self.lines: list[str] = []
        self.foreign: list[str] = []
        self.violations: list[str] = []

        def on_console(msg):
            self.lines.append(f"console.{msg.type}: {msg.text}")
            if msg.text.startswith("CSP violation:") or "Content Security Policy" in msg.text:
                self.violations.append(msg.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.lines.append(f"pageerror: {exc}"))

        def on_request(request):
            url = request.url
            if not (url.startswith(origin) or url.startswith("data:") or url.startswith("blob:")
                    or url.startswith(origin.replace("http", "ws", 1))):
                self.foreign.append(url)

        page.on("request", on_request)

    def __str__(self) -> str:
        return "\n".join(self.lines)

    def check(self) -> None:
        assert not self.foreign, f"requests to foreign origins: {self.foreign}\n{self}"
        assert not self.violations, f"CSP violations: {self.violations}\n{self}"


def check_pages(pages) -> None:
    """Fail unless every page stayed on the visavis origin and within its CSP."""
    problems = []
    for page in pages:
        try:
            page.visavis_log.check()
        except AssertionError as exc:
            problems.append(str(exc))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


class Pages:
    """Makes pages on one visavis server (a fresh context each, peer connections
    recorded), and on close fails unless they all kept to the origin and the CSP."""

    def __init__(self, browser, origin: str):
        self.browser = browser
        self.origin = origin
        self.contexts = []
        self.pages = []

    def __call__(self, locale: str = "en-US"):
        return self.add(self.browser, locale)

    def add(self, browser, locale: str = "en-US"):
        context = browser.new_context(locale=locale, base_url=self.origin)
        context.add_init_script(RECORD_PEER_CONNECTIONS)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.visavis_log = PageLog(page, self.origin)
        self.pages.append(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        check_pages(self.pages)


@pytest.fixture
def new_page(browser, live_server_process):
    pages = Pages(browser, live_server_process.url)
    yield pages
    pages.close()
