"""A network drop on one side: ICE restarts and the media comes back by itself."""


from __future__ import annotations

import os
import time

import pytest

from tests.e2e.helpers import call_across, inbound
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
    with call_across(
        test_host, playwright, tmp_path, request, title="Drop", guest_name="Alex"
    ) as (server, host, guest):
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
