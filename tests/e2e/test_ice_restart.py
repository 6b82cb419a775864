"""A network drop on one side: ICE restarts and the media comes back by itself."""


from __future__ import annotations

import json
import os
import time

import pytest

from tests.conftest import COUNSELOR_PASSWORD, LiveServer, free_port, server_env
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Pages
from tests.e2e.helpers import api_appointment, inbound, knock, log_in, wait_for_media
from tests.e2e.netns import TestHost, can_make_namespaces

# The browser side only: the database and channel layer play no part, so the
# PostgreSQL + Redis round of scripts/test leaves these out.

LOCAL_UFRAGS = """
() => (window.__pcs || []).filter((pc) => pc.connectionState !== "closed")
  .map((pc) => (pc.localDescription?.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1])
"""


RECORD_STATES = """
() => {
  window.__states = [];
  for (const pc of window.__pcs) {
    pc.addEventListener("connectionstatechange", () => window.__states.push(
      [Math.round(performance.now()), pc.connectionState, pc.iceConnectionState]));
  }
}
"""


@pytest.fixture
def test_host(tmp_path):
    if not can_make_namespaces():
        if os.environ.get("CI") == "true":
            pytest.fail("network namespaces are needed (run as root with iproute2)")
        pytest.skip("network namespaces need root and iproute2")
    host = TestHost.create(tmp_path)
    yield host
    host.remove()


def frames(page) -> int:
    entries = inbound(page)
    return sum(e["video"]["framesDecoded"] for e in entries if e["video"])


def wait_until(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(message)


def test_media_resumes_after_the_link_comes_back(playwright, test_host, tmp_path, request):
    port = free_port()
    origin = f"http://{test_host.outside_address}:{port}"
    server = LiveServer(
        data_dir=tmp_path / "data",
        port=port,
        extra_env={
            **server_env(request),
            "VISAVIS_ALLOWED_HOSTS": json.dumps([test_host.outside_address, "127.0.0.1"]),
        },
        host=test_host.outside_address,
    )
    server.data_dir.mkdir()
    assert server.run("createuser", "counselor", "--password-stdin",
                      stdin=COUNSELOR_PASSWORD).returncode == 0
    server.start()
    args = [*CHROMIUM_ARGS, f"--unsafely-treat-insecure-origin-as-secure={origin}"]
    browsers = []
    try:
        outside = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        inside = playwright.chromium.launch(
            executable_path=test_host.chromium_wrapper(tmp_path, CHROMIUM), args=args
        )
        browsers += [outside, inside]
        pages = Pages(outside, origin)
        host, guest = pages.add(outside), pages.add(inside)

        appointment = api_appointment(server, "Drop")
        log_in(host)
        host.goto(appointment["host_url"])
        knock(guest, appointment["guest_url"], "Alex")
        host.locator("#lobby li:has-text('Alex')").get_by_role(
            "button", name="Admit: Alex"
        ).click()
        for page in (host, guest):
            wait_for_media(page)
        ufrags_before = host.evaluate(LOCAL_UFRAGS)
        for page in (host, guest):
            page.evaluate(RECORD_STATES)

        test_host.link(up=False)
        stalled = frames(host)
        time.sleep(2)
        assert frames(host) - stalled < 10, "media still flows with the link down"
        # The client's network changes while it is away: the old path is gone for good,
        # so only an ICE restart with new candidates can bring the media back.
        test_host.move()
        time.sleep(4)
        test_host.link(up=True)

        for page in (host, guest):
            resumed_from = frames(page)
            try:
                wait_until(lambda p=page, f=resumed_from: frames(p) > f + 40, 45, "no media")
            except AssertionError:
                for other in (host, guest):  # what each side went through, for the log
                    print("states:", other.evaluate("window.__states"))
                    print("reconnecting shown:", other.is_visible("#reconnecting"))
                    print(other.visavis_log)
                print(server.log())
                raise
        # It came back through an ICE restart: new ICE credentials were negotiated.
        assert host.evaluate(LOCAL_UFRAGS) != ufrags_before
        pages.close()
    finally:
        for browser in browsers:
            browser.close()
        server.stop()
