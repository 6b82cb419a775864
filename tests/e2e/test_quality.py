"""Quality modes, the quality indicator and its numbers."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import inbound, start_call, wait_for_media

# The browser side only: the database and channel layer play no part, so the
# PostgreSQL + Redis round of scripts/test leaves these out.
pytestmark = pytest.mark.client_only

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
