"""The tools inside a call, in real browsers: chat, screen sharing, device switch, quick exit.

One combined scenario (each browser test costs CI time). Chat and the screen-sharing
permission travel over the calls' data channels; the test shows that the server never
received them: every frame the pages sent on their WebSocket is recorded, and the
server's log and database are searched too.
"""

from __future__ import annotations

import time

from tests.e2e.helpers import (
    api_appointment,
    assert_media_keeps_flowing,
    knock,
    log_in,
    wait_for_media,
)

# Every frame a page sends to the server over a WebSocket, kept for the test to read.
RECORD_SOCKET_FRAMES = """
(() => {
  const send = WebSocket.prototype.send;
  window.__wsSent = [];
  WebSocket.prototype.send = function (data) {
    window.__wsSent.push(String(data));
    return send.call(this, data);
  };
})();
"""

# The video this page receives and sends: frames decoded, the received picture's size,
# and the label of the track each video sender sends (a screen's label starts "screen:").
VIDEO_STATE = """
async () => {
  const result = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    const entry = {framesDecoded: 0, width: 0, height: 0, sending: null, audio: null};
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        entry.framesDecoded = s.framesDecoded || 0;
        entry.width = s.frameWidth || 0;
        entry.height = s.frameHeight || 0;
      }
    });
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind === "video") entry.sending = sender.track.label;
      if (sender.track?.kind === "audio") entry.audio = sender.track.label;
    }
    result.push(entry);
  }
  return result;
}
"""

CHAT_TEXT = "Guten Tag <b>Frau Berger</b>, wie geht es Ihnen heute?"
REPLY_TEXT = "Danke, gut. Secret-reply-7311"


def video_state(page) -> dict:
    entries = page.evaluate(VIDEO_STATE)
    assert len(entries) == 1, entries
    return entries[0]


def wait_until(page, predicate, what: str, timeout: float = 20.0) -> dict:
    """Poll the page's video state until ``predicate`` holds for it."""
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = video_state(page)
        if predicate(state):
            return state
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout}s: {state}\n{page.visavis_log}")


def frames_keep_coming(page) -> None:
    before = video_state(page)["framesDecoded"]
    wait_until(page, lambda s: s["framesDecoded"] > before + 10, "new video frames")


def start_call(new_page, server):
    """Host and guest "Kim" in a call, every WebSocket frame they send recorded."""
    appointment = api_appointment(server, "Tools session")
    host, guest = new_page(), new_page()
    for page in (host, guest):
        page.context.add_init_script(RECORD_SOCKET_FRAMES)
    log_in(host)
    host.goto(appointment["host_url"])
    knock(guest, appointment["guest_url"], "Kim")
    host.locator("#lobby li:has-text('Kim')").get_by_role("button", name="Admit: Kim").click()
    guest.wait_for_selector("#call:not([hidden])")
    return host, guest


def test_chat_screen_sharing_device_switch_and_quick_exit(new_page, live_server_process):
    host, guest = start_call(new_page, live_server_process)
    wait_for_media(host)
    wait_for_media(guest)

    # --- chat, both ways ------------------------------------------------------------------
    host.click("#toggle-chat")
    host.fill("#chat-input", CHAT_TEXT)
    host.press("#chat-input", "Enter")
    host.wait_for_selector(f"#chat-log .chat-message.mine:has-text('{CHAT_TEXT[:9]}')")
    assert host.input_value("#chat-input") == ""

    # The guest's chat is closed: the button counts the unread message.
    guest.wait_for_selector("#chat-unread:not([hidden])")
    assert guest.inner_text("#chat-unread") == "1 new"
    guest.click("#toggle-chat")
    assert guest.locator("#chat-unread").is_hidden()
    received = guest.locator("#chat-log .chat-message .text")
    assert received.inner_text() == CHAT_TEXT  # shown as text, never as HTML
    assert guest.locator("#chat-log b").count() == 0
    assert guest.get_attribute("#chat-log", "aria-live") == "polite"
    guest.fill("#chat-input", REPLY_TEXT)
    guest.click("#chat-form button[type=submit]")
    host.wait_for_selector(f"#chat-log .chat-message:not(.mine):has-text('{REPLY_TEXT}')")
    assert host.inner_text("#chat-log .chat-message:not(.mine) .who") == "Kim"

    # --- screen sharing -------------------------------------------------------------------
    # A guest may not share until the host allows it.
    assert guest.locator("#share-screen").is_hidden()
    assert host.locator("#allow-screen").is_visible()
    assert guest.locator("#allow-screen").is_hidden()

    camera_label = video_state(host)["sending"]
    host.click("#share-screen")
    sharing = wait_until(host, lambda s: (s["sending"] or "").startswith("screen:"), "host sharing")
    assert host.inner_text("#share-screen") == "Stop sharing"
    # The guest's picture goes on without a pause (same sender, no renegotiation) and is
    # marked as a screen.
    frames_keep_coming(guest)
    guest.wait_for_selector("#tiles .tile.remote.screen")
    assert sharing["sending"] != camera_label
    # The browser's own "Stop sharing" bar ends the track (headless Chromium has no bar:
    # the test fires the track's "ended" event): the camera comes back.
    host.evaluate(
        """() => { for (const pc of window.__pcs) for (const s of pc.getSenders())
          if (s.track?.label.startsWith("screen:")) s.track.dispatchEvent(new Event("ended")); }"""
    )
    wait_until(host, lambda s: s["sending"] == camera_label, "the camera coming back")
    guest.wait_for_selector("#tiles .tile.remote:not(.screen)")
    frames_keep_coming(guest)

    # The host allows the guest to share; the guest shares; the host withdraws it.
    host.click("#allow-screen")
    assert host.get_attribute("#allow-screen", "aria-pressed") == "true"
    guest.wait_for_selector("#share-screen:not([hidden])")
    guest.click("#share-screen")
    wait_until(guest, lambda s: (s["sending"] or "").startswith("screen:"), "guest sharing")
    host.wait_for_selector("#tiles .tile.remote.screen")
    frames_keep_coming(host)
    host.click("#allow-screen")
    guest.wait_for_selector("#share-screen", state="hidden")
    wait_until(guest, lambda s: not (s["sending"] or "").startswith("screen:"), "guest stopped")

    # A guest never takes a permission from another guest: forged in the guest's own page,
    # a "permission" from a peer that is not the host changes nothing (see screen.js tests).

    # --- device switch: another microphone, media keeps flowing -----------------------------
    guest.click("#toggle-devices")
    guest.wait_for_selector("#device-menu:not([hidden])")
    options = guest.locator("#call-microphone-select option")
    options.first.wait_for(state="attached")
    labels = options.all_inner_texts()
    assert len(labels) >= 2, labels
    old_audio = video_state(guest)["audio"]
    target = next(label for label in labels if label != old_audio)
    guest.select_option("#call-microphone-select", label=target)
    wait_until(guest, lambda s: s["audio"] == target, "the microphone switch")
    assert guest.locator("#device-problem").is_hidden()
    assert_media_keeps_flowing(host, wait_for_media(host))

    # --- nothing of the chat went to the server ---------------------------------------------
    for page in (host, guest):
        frames = page.evaluate("() => window.__wsSent")
        assert frames, "no signalling recorded"
        for frame in frames:
            assert "Frau Berger" not in frame and "Secret-reply" not in frame
            assert "screen-permission" not in frame
    log = live_server_process.log()
    assert "Frau Berger" not in log and "Secret-reply" not in log
    for path in live_server_process.data_dir.glob("visavis.sqlite3*"):
        content = path.read_bytes()
        assert b"Frau Berger" not in content and b"Secret-reply" not in content

    # --- quick exit: Escape twice ------------------------------------------------------------
    guest.keyboard.press("Escape")
    guest.keyboard.press("Escape")
    guest.wait_for_url("**/start")
    assert guest.title() == "Weather"
    assert "visavis" not in guest.content().lower()
    host.wait_for_selector("#tiles .tile.remote", state="detached", timeout=10000)
    # The call is gone from the history: Back leads at most to an earlier step (the privacy
    # notice or the empty pre-join page of the link), never into the call.
    guest.go_back()
    assert guest.locator("#call:not([hidden])").count() == 0
    assert guest.locator("#chat-log .chat-message").count() == 0
