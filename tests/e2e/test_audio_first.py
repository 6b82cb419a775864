"""Sound first: audio is sent with high priority and with RED redundancy."""

from __future__ import annotations

from tests.e2e.helpers import start_call, wait_for_media

# The browser side only: the database and channel layer play no part, so the
# PostgreSQL + Redis round of scripts/test leaves these out.

AUDIO_SENDING = r"""
async () => {
  const out = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    const sender = pc.getSenders().find((s) => s.track && s.track.kind === "audio");
    const parameters = sender.getParameters();
    const sdp = pc.remoteDescription ? pc.remoteDescription.sdp : "";
    out.push({priority: parameters.encodings.map((e) => e.priority),
              codecs: parameters.codecs.map((c) => c.mimeType),
              fec: /a=fmtp:\d+ .*useinbandfec=1/.test(sdp)});
  }
  return out;
}
"""


def test_audio_goes_first(new_page, live_server_process):
    host, guest = start_call(new_page, live_server_process, "Voice")
    for page in (host, guest):
        wait_for_media(page)
        (sending,) = page.evaluate(AUDIO_SENDING)
        assert sending["priority"] == ["high"], (page.url, sending)
        # RED is the codec the sender uses; Opus, with in-band FEC, inside it.
        assert sending["codecs"][:2] == ["audio/red", "audio/opus"], (page.url, sending)
        assert sending["fec"], sending
