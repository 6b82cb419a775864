"""Calls that get through a relay and survive a restart of the visavis server."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import LiveServer, running_server
from tests.e2e.conftest import Pages
from tests.e2e.helpers import (
    assert_media_keeps_flowing,
    start_call,
    wait_for_media,
)
from tests.e2e.turn import start_coturn
from visavis.rooms.turn import turn_credential

pytestmark = pytest.mark.backend

SELECTED_PATHS = """
async () => {
  const paths = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId) {
        const pair = stats.get(s.selectedCandidatePairId);
        paths.push([stats.get(pair.localCandidateId).candidateType,
                    stats.get(pair.remoteCandidateId).candidateType]);
      }
    });
  }
  return paths;
}
"""

# Watches the remote video: the longest time between two rendered frames.
FRAME_GAPS = """
() => {
  const video = document.querySelector("#tiles .tile.remote video");
  window.__gap = {max: 0, last: performance.now(), frames: 0};
  const onFrame = (now) => {
    const gap = window.__gap;
    gap.max = Math.max(gap.max, now - gap.last);
    gap.last = now;
    gap.frames += 1;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
"""

RELAY_CANDIDATES = """
async ([urls, username, credential]) => {
  const pc = new RTCPeerConnection({iceServers: [{urls, username, credential}],
                                    iceTransportPolicy: "relay"});
  const errors = [];
  const relays = [];
  pc.onicecandidateerror = (e) => errors.push(e.errorCode);
  pc.onicecandidate = (e) => { if (e.candidate && e.candidate.type === "relay") relays.push(1); };
  pc.createDataChannel("probe");
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    setTimeout(resolve, 8000);
  });
  pc.close();
  return {relays: relays.length, errors};
}
"""


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    server = start_coturn(tmp_path_factory.mktemp("coturn"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def relay_server(tmp_path_factory, coturn, request):
    """A visavis that hands out TURN credentials and tells browsers to relay only."""
    with running_server(
        tmp_path_factory,
        request,
        "relay",
        VISAVIS_TURN_URLS=json.dumps([coturn.url]),
        VISAVIS_TURN_SECRET=coturn.secret,
        VISAVIS_ICE_TRANSPORT_POLICY="relay",
    ) as server:
        yield server


@pytest.fixture
def relay_page(browser, relay_server):
    pages = Pages(browser, relay_server.url)
    yield pages
    pages.close()


def test_call_through_the_turn_relay(relay_page, relay_server, coturn):
    host, guest = start_call(relay_page, relay_server, "Relayed")
    for page in (host, guest):
        stats = wait_for_media(page)
        assert_media_keeps_flowing(page, stats)
        paths = page.evaluate(SELECTED_PATHS)
        assert paths and all("relay" in pair for pair in paths), paths
    # Both people are told, in words, that their call goes through the relay.
    badge = host.locator("#tiles .tile.remote .path")
    badge.wait_for()
    assert badge.get_attribute("data-path") == "relay"
    assert "Through the server, still encrypted" in badge.inner_text()


def test_expired_turn_credentials_are_refused(relay_page, coturn):
    page = relay_page()
    page.goto("/accounts/login/")
    fresh = turn_credential(secret=coturn.secret, user="probe", ttl=600)
    expired = turn_credential(secret=coturn.secret, user="probe", ttl=600, now=time.time() - 3600)
    ok = page.evaluate(RELAY_CANDIDATES, [[coturn.url], *fresh])
    refused = page.evaluate(RELAY_CANDIDATES, [[coturn.url], *expired])
    assert ok["relays"] > 0, ok
    assert refused["relays"] == 0, refused
    assert 401 in refused["errors"], refused


def test_direct_call_says_so(new_page, live_server_process):
    host, _guest = start_call(new_page, live_server_process, "Direct path")
    wait_for_media(host)
    badge = host.locator("#tiles .tile.remote .path")
    badge.wait_for()
    assert badge.get_attribute("data-path") == "direct"


@pytest.fixture
def restartable_server(tmp_path_factory, request):
    with running_server(tmp_path_factory, request, "restart") as server:
        yield server


@pytest.fixture
def restart_page(browser, restartable_server):
    pages = Pages(browser, restartable_server.url)
    yield pages
    pages.close()


def test_call_survives_a_server_restart(restart_page, restartable_server):
    host, guest = start_call(restart_page, restartable_server, "Restart")
    for page in (host, guest):
        wait_for_media(page)
        page.evaluate(FRAME_GAPS)

    restartable_server.stop()
    for page in (host, guest):
        page.wait_for_selector("#reconnecting:not([hidden])")
    time.sleep(3)  # the server stays away for a while: media must not care
    before = [page.evaluate("window.__gap.frames") for page in (host, guest)]
    restartable_server.start()
    for page in (host, guest):
        page.wait_for_selector("#reconnecting", state="hidden", timeout=20000)

    for page, frames_before in zip((host, guest), before, strict=True):
        gap = page.evaluate("window.__gap")
        print(f"longest gap between frames during the restart: {gap['max']:.0f} ms")
        # Frames kept coming while the server was down and afterwards.
        assert gap["frames"] > frames_before > 20, gap
        assert gap["max"] < 1500, gap
        assert_media_keeps_flowing(page, wait_for_media(page))

    # Signalling works again, with the same places: no new knock, and leaving is seen.
    assert host.locator("#lobby li").count() == 0
    assert guest.locator("#call").is_visible()
    guest.click("#hang-up")
    host.wait_for_selector("#tiles .tile.remote", state="detached")


def test_generated_coturn_config_starts_and_relays(browser, tmp_path, live_server_process):
    """`visavis turnconfig` output, as docs/deploy.md uses it, runs a working coturn."""
    import shutil
    import socket
    import subprocess

    from tests.conftest import free_port

    port = free_port()
    env_server = LiveServer(data_dir=tmp_path, extra_env={"VISAVIS_TURN_SECRET": "deploy-secret"})
    result = env_server.run(
        "turnconfig", "--no-tls", "--listening-ip", "127.0.0.1", "--port", str(port),
        "--min-port", "51000", "--max-port", "51100", "--log-file", str(tmp_path / "turn.log"),
    )
    assert result.returncode == 0, result.stderr
    config = tmp_path / "turnserver.conf"
    config.write_text(result.stdout)
    process = subprocess.Popen([shutil.which("turnserver"), "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        page = browser.new_page()
        page.goto(live_server_process.url + "/accounts/login/")
        url = f"turn:127.0.0.1:{port}?transport=udp"
        good = turn_credential(secret="deploy-secret", user="probe", ttl=600)
        wrong = turn_credential(secret="not-the-secret", user="probe", ttl=600)
        assert page.evaluate(RELAY_CANDIDATES, [[url], *good])["relays"] > 0
        assert page.evaluate(RELAY_CANDIDATES, [[url], *wrong])["relays"] == 0
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
