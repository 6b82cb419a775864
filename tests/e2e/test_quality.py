"""Quality modes, the quality indicator and its numbers."""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.helpers import (
    call_across,
    inbound,
    start_call,
    wait_for_media,
)
from tests.e2e.netns import TestHost, can_impair, can_make_namespaces

# The browser side only: the database and channel layer play no part, so the
# PostgreSQL + Redis round of scripts/test leaves these out.

VIDEO_ENCODINGS = """
() => window.__pcs.filter((pc) => pc.connectionState !== "closed").map((pc) =>
  pc.getSenders().filter((s) => s.track && s.track.kind === "video")
    .map((s) => s.getParameters().encodings[0]))
"""


def test_indicator_shows_the_connection_and_its_numbers(new_page, live_server_process):
    host, _guest = start_call(new_page, live_server_process, "Indicator")
    wait_for_media(host)
    badge = host.locator("#tiles .tile.remote .quality")
    badge.wait_for()
    assert badge.get_attribute("data-verdict") == "good"  # loopback: no loss, no delay
    assert badge.inner_text() == "Connection: good"
    host.click("#connection-details summary")
    row = host.locator("#quality-rows tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "Kim" and cells[1] == "Connection: good"
    assert cells[2].endswith(" ms") and cells[3].endswith(" %")
    assert int(cells[5].split()[0]) > 50, cells  # receiving: audio and video
    assert cells[7] == "Sent twice (RED)", cells  # sound first: both browsers have RED


def test_audio_only_stops_the_picture_but_not_the_voice(new_page, live_server_process):
    host, guest = start_call(new_page, live_server_process, "Audio only")
    wait_for_media(host)
    guest.select_option("#quality-mode", "audio")
    ((encoding,),) = guest.evaluate(VIDEO_ENCODINGS)
    assert encoding["active"] is False
    time.sleep(1)  # frames already on their way
    before = inbound(host)[0]
    time.sleep(2)
    after = inbound(host)[0]
    assert after["video"]["framesDecoded"] - before["video"]["framesDecoded"] <= 1
    assert after["audio"]["packetsReceived"] > before["audio"]["packetsReceived"] + 50

    guest.select_option("#quality-mode", "low")
    (encoding,) = guest.evaluate(VIDEO_ENCODINGS)[0]
    assert encoding["active"] is True
    assert encoding["maxBitrate"] == 250000 and encoding["scaleResolutionDownBy"] == 2.5
    time.sleep(2)
    assert inbound(host)[0]["video"]["framesDecoded"] > after["video"]["framesDecoded"] + 10


# --- a really poor link: the automatic offer of audio only ---------------------------------

SUGGESTION = """
() => ({
  shown: !document.getElementById("audio-suggestion").hidden,
  text: document.getElementById("audio-suggestion-text").textContent,
  rows: [...document.querySelectorAll("#quality-rows tr")].map((r) => r.innerText),
})
"""


@pytest.fixture
def poor_link_host(tmp_path):
    """A test host in a network namespace whose link to this machine can be made poor."""
    if not (can_make_namespaces() and can_impair()):
        if os.environ.get("CI") == "true":
            pytest.fail("network namespaces and impairment are needed "
                        "(root, iproute2 and Debian's nftables package)")
        pytest.skip("needs root, iproute2 and nftables")
    host = TestHost.create(tmp_path)
    yield host
    host.remove()


def test_a_poor_link_offers_audio_only_and_the_voice_goes_on(
    playwright, poor_link_host, tmp_path, request
):
    """The client's link gets poor in the call (heavy loss, little bandwidth, for real in
    a network namespace): visavis offers audio only with the reason; accepting it stops
    the client's picture while the voice keeps flowing."""
    link = poor_link_host
    with call_across(
        link, playwright, tmp_path, request, title="Poor link", guest_name="Kim"
    ) as (_server, host, guest):
        assert guest.evaluate(SUGGESTION)["shown"] is False

        # The link gets poor, both ways: 15 % of the media packets lost, 300 kbit/s.
        link.impair(rate_kbit=300, loss_percent=15)
        seen = []
        impaired_at = time.monotonic()
        deadline = impaired_at + 40
        while time.monotonic() < deadline:
            seen.append(guest.evaluate(SUGGESTION))
            if seen[-1]["shown"]:
                break
            time.sleep(1)
        else:
            print(guest.visavis_log)
            raise AssertionError(f"no audio-only offer; quality rows seen: {seen}")
        text = seen[-1]["text"]
        print(f"offered {time.monotonic() - impaired_at:.0f} s after the link got poor: {text}")
        assert "loss" in text, text  # says why
        loss = float(text.split("loss ")[1].split(" %")[0])
        assert loss > 8, text

        guest.click("#switch-to-audio")
        assert guest.is_hidden("#audio-suggestion")
        assert guest.input_value("#quality-mode") == "audio"
        ((encoding,),) = guest.evaluate(VIDEO_ENCODINGS)
        assert encoding["active"] is False
        time.sleep(1.5)  # frames already on their way
        before = inbound(host)[0]
        time.sleep(3)
        after = inbound(host)[0]
        assert after["video"]["framesDecoded"] - before["video"]["framesDecoded"] <= 1
        assert after["audio"]["packetsReceived"] > before["audio"]["packetsReceived"] + 50
        assert after["audio"]["totalAudioEnergy"] > before["audio"]["totalAudioEnergy"]
