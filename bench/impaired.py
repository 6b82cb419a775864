"""Sound and picture over a poor link: visavis vs. the bare reference, side by side.

    .venv/bin/python bench/impaired.py [--rate 500] [--loss 5] [--seconds 30] [--rounds 2]
                                       [--firefox]

Needs root, iproute2 (tc) and nftables (nft). A network namespace of its own
(tests/e2e/netns.py) joined to this machine by a veth pair; both directions limited to
``--rate`` kbit/s (tbf, 100 ms queue) with ``--loss`` % of the UDP packets dropped at
random where they arrive (nftables ingress hook). No delay or jitter (no netem in this
kernel). Browser A runs on this machine, browser B inside the namespace, so every media
packet between them crosses the poor link; the visavis server and the bare reference's
page and relay listen on this machine's veth address (B's page loads and signalling
cross the link too, slowed by the rate but not dropped: only UDP is).

Calls (fresh contexts each, the two browsers stay): visavis (host page in A, the
client's guest page in B, admitted, quality mode "automatic") and the bare reference of
bench/browsers.py (two pages with default RTCPeerConnection settings, the same
getUserMedia constraints). Kinds alternate (visavis, bare, bare, visavis, ...). After the
first remote frame on both sides and ``--settle`` seconds more (set-up and the first
ramp of bandwidth estimation not counted), inbound-rtp statistics are read in both pages,
and again ``--seconds`` later. Per receiving side and over the window:

- concealed audio: concealedSamples / totalSamplesReceived (the share of played-out audio
  that the receiver had to invent because packets were missing or late);
- video frame rate: framesDecoded per second.

Summary: means over the calls of each kind (both receiving sides pooled), and the ratios
visavis / bare. Targets (issue 7, "sound first"): concealed audio <= 0.5x the reference,
video frame rate not lower (>= 1.0x). The namespace, veth pair and nftables table are
removed at the end, also on Ctrl+C or SIGTERM.

``--firefox``: browser B (the client's side) is Debian's Firefox ESR instead of
Chromium, for both kinds, and A (Chromium) runs in the namespace instead of B: the
source documents' "Firefox causes audio dropouts", measured: visavis (Chromium host,
Firefox client) against the bare Chromium↔Firefox reference. Firefox has no RED, so
both kinds send Opus with its in-band error correction (FEC).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from browsers import CHROMIUM, BareReference, launch, machine, visavis_server
from first_frame import BareCall, VisavisCall, first_frames, host_state
from tests.e2e.conftest import FIREFOX, FIREFOX_PREFS, RECORD_PEER_CONNECTIONS, sound_server
from tests.e2e.netns import TestHost, can_impair, can_make_namespaces

# Sums over the open peer connections of a page (one in a 1:1 call) of what arrived.
RECEIVED = """
async () => {
  const audio = {concealed: 0, samples: 0, received: 0, lost: 0, bytes: 0, events: 0};
  const video = {decoded: 0, received: 0, lost: 0, bytes: 0, freezes: 0, frozen: 0,
                 width: 0, height: 0};
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "audio") {
        audio.concealed += s.concealedSamples || 0;
        audio.samples += s.totalSamplesReceived || 0;
        audio.received += s.packetsReceived || 0;
        audio.lost += s.packetsLost || 0;
        audio.bytes += s.bytesReceived || 0;
        audio.events += s.concealmentEvents || 0;
      } else if (s.kind === "video") {
        video.decoded += s.framesDecoded || 0;
        video.received += s.packetsReceived || 0;
        video.lost += s.packetsLost || 0;
        video.bytes += s.bytesReceived || 0;
        video.freezes += s.freezeCount || 0;
        video.frozen += s.totalFreezesDuration || 0;
        video.width = s.frameWidth || 0;
        video.height = s.frameHeight || 0;
      }
    });
  }
  return {audio, video, at: performance.now()};
}
"""

# What a page sent at the end of the window: the video encoder's target and what held it
# back, the estimate of the link, the codecs in use (audio/red = redundant audio).
SENT = """
async () => {
  const out = [];
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    const codec = (id) => (stats.get(id)?.mimeType || "?").split("/")[1];
    const entry = {codecs: []};
    stats.forEach((s) => {
      if (s.type === "outbound-rtp") {
        entry.codecs.push(codec(s.codecId));
        if (s.kind === "video") {
          entry.targetKbps = Math.round((s.targetBitrate || 0) / 1000);
          entry.limited = s.qualityLimitationReason;
          entry.size = `${s.frameWidth}x${s.frameHeight}`;
        }
      } else if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
        entry.estimateKbps = Math.round((s.availableOutgoingBitrate || 0) / 1000);
        entry.rttMs = Math.round((s.currentRoundTripTime || 0) * 1000);
      }
    });
    out.push(entry);
  }
  return out;
}
"""

# Whether visavis offered audio only during the window (it should not have to at the
# default impairment; its verdict badge says what the page thought of the link).
VISAVIS_VIEW = """
() => ({
  suggested: !document.getElementById("audio-suggestion")?.hidden,
  verdict: document.querySelector("#tiles .tile.remote .quality")?.dataset.verdict || "-",
})
"""


def window_figures(before: dict, after: dict) -> dict:
    seconds = (after["at"] - before["at"]) / 1000
    a0, a1, v0, v1 = before["audio"], after["audio"], before["video"], after["video"]
    samples = a1["samples"] - a0["samples"]
    received = a1["received"] - a0["received"]
    lost = a1["lost"] - a0["lost"]
    video_received = v1["received"] - v0["received"]
    video_lost = v1["lost"] - v0["lost"]
    return {
        "concealed": a1["concealed"] - a0["concealed"],
        "samples": samples,
        "concealed_ratio": (a1["concealed"] - a0["concealed"]) / samples if samples else 1.0,
        "audio_loss": lost / (received + lost) if received + lost > 0 else 0.0,
        "audio_kbps": (a1["bytes"] - a0["bytes"]) * 8 / 1000 / seconds,
        "fps": (v1["decoded"] - v0["decoded"]) / seconds,
        "video_loss": video_lost / (video_received + video_lost)
        if video_received + video_lost > 0 else 0.0,
        "video_kbps": (v1["bytes"] - v0["bytes"]) * 8 / 1000 / seconds,
        "freezes": v1["freezes"] - v0["freezes"],
        "frozen": v1["frozen"] - v0["frozen"],
        "size": f"{v1['width']}x{v1['height']}",
    }


def measure(call, kind: str, number: int, settle: float, seconds: float) -> list[dict]:
    """Figures of the two receiving sides (A, then B) of one call over the window."""
    first_frames(call)
    time.sleep(settle)
    before = [page.evaluate(RECEIVED) for page in call.pages]
    time.sleep(seconds)
    after = [page.evaluate(RECEIVED) for page in call.pages]
    sides = [window_figures(b, a) for b, a in zip(before, after, strict=True)]
    sent = [page.evaluate(SENT) for page in call.pages]
    views = [page.evaluate(VISAVIS_VIEW) for page in call.pages] if kind == "visavis" else []
    for side, figures in zip("AB", sides, strict=True):
        print(
            f"  #{number:<2} {kind:<8} received in {side}: concealed audio "
            f"{figures['concealed_ratio']:6.2%} (audio loss {figures['audio_loss']:5.1%}, "
            f"{figures['audio_kbps']:5.1f} kbit/s)  video {figures['fps']:5.1f} fps "
            f"{figures['size']:>9} (loss {figures['video_loss']:5.1%}, "
            f"{figures['video_kbps']:6.1f} kbit/s, freezes {figures['freezes']}, "
            f"{figures['frozen']:.1f} s frozen)"
        )
    for side, entries in zip("AB", sent, strict=True):
        for entry in entries:
            print(
                f"      sent by {side} at the end: video target {entry.get('targetKbps')} kbit/s"
                f" at {entry.get('size')} (limited by {entry.get('limited')}), link estimate "
                f"{entry.get('estimateKbps')} kbit/s, rtt {entry.get('rttMs')} ms, "
                f"codecs {entry['codecs']}"
            )
    if views:
        print(f"      visavis pages (host, guest): {views}")
    return sides


def launch_firefox(playwright, executable: str, origins: list[str], sound: dict):
    """Firefox ESR as the tests drive it (tests/e2e/conftest.py), started by ``executable``
    (the namespace's wrapper); the plain-http origins count as secure, for the camera."""
    hosts = ",".join(origin.split("//", 1)[1].split(":", 1)[0] for origin in origins)
    import os

    return playwright.firefox.launch(
        channel="moz-firefox", executable_path=executable, headless=True,
        firefox_user_prefs={**FIREFOX_PREFS, "dom.securecontext.allowlist": hosts},
        env={**os.environ, **sound},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=500, help="kbit/s each way")
    parser.add_argument("--loss", type=float, default=5.0, help="%% of UDP packets dropped")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after first frames")
    parser.add_argument("--rounds", type=int, default=2, help="calls of each kind")
    parser.add_argument("--firefox", action="store_true",
                        help="browser B (the client, in the namespace) is Firefox ESR")
    args = parser.parse_args()
    if not (can_make_namespaces() and can_impair()):
        print("needs root, iproute2 (ip, tc) and nftables (nft)", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    # SIGTERM like Ctrl+C, so that the finally blocks below remove the namespace.
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)

    print(f"machine: {machine()}")
    print(f"date: {date.today().isoformat()}")
    print(f"link: {args.rate} kbit/s each way, {args.loss:g}% UDP loss each way, "
          f"window {args.seconds:g} s after {args.settle:g} s settling, "
          f"{args.rounds} calls of each kind")
    print(f"browsers: A Chromium, B {'Firefox ESR' if args.firefox else 'Chromium'}")
    results: dict[str, list[list[dict]]] = {"visavis": [], "bare": []}
    with tempfile.TemporaryDirectory(prefix="visavis-impaired-") as folder:
        host = TestHost.create(Path(folder))
        try:
            host.impair(args.rate, args.loss)
            address = host.outside_address
            with (
                visavis_server(host=address) as server,
                BareReference(host=address) as reference,
                sync_playwright() as playwright,
            ):
                secure = f"--unsafely-treat-insecure-origin-as-secure={server.url},{reference.url}"
                inside = host.chromium_wrapper(Path(folder), CHROMIUM)
                sound = contextlib.ExitStack()
                if args.firefox:
                    # Playwright reaches Firefox over a WebSocket on loopback, which a
                    # namespace does not share: here A (Chromium) is the one inside.
                    a = launch(playwright, "impaired-a", [secure], executable=inside)
                    env = sound.enter_context(sound_server(Path(folder)))
                    b = launch_firefox(playwright, FIREFOX, [server.url, reference.url], env)
                else:
                    a = launch(playwright, "impaired-a", [secure])
                    b = launch(playwright, "impaired-b", [secure], executable=inside)
                try:
                    state = host_state(server, a)
                    scripts = (RECORD_PEER_CONNECTIONS,)
                    makers = {
                        "visavis": lambda n: VisavisCall(server, a, b, state, n, scripts),
                        "bare": lambda n: BareCall(reference, a, b, scripts),
                    }
                    number = 0
                    for round_ in range(args.rounds):
                        order = ["visavis", "bare"] if round_ % 2 == 0 else ["bare", "visavis"]
                        for kind in order:
                            number += 1
                            call = makers[kind](number)
                            try:
                                results[kind].append(
                                    measure(call, kind, number, args.settle, args.seconds)
                                )
                            finally:
                                with contextlib.suppress(Exception):
                                    call.close()
                finally:
                    for browser in (a, b):
                        with contextlib.suppress(Exception):
                            browser.close()
                    sound.close()
        finally:
            host.remove()

    where = ("in the namespace", "on this machine") if args.firefox else (
        "on this machine", "in the namespace")
    print(f"\nA = host (visavis) / page a (bare), Chromium, {where[0]}; "
          f"B = guest (visavis) / page b (bare), {'Firefox' if args.firefox else 'Chromium'}, "
          f"{where[1]}")
    summary = {}
    for kind, calls in results.items():
        sides = [side for call in calls for side in call]
        concealed = sum(s["concealed"] for s in sides) / sum(s["samples"] for s in sides)
        fps = statistics.mean(s["fps"] for s in sides)
        summary[kind] = (concealed, fps)
        print(
            f"{kind:<8} concealed audio {concealed:6.2%} "
            f"(per side and call {[f'{s['concealed_ratio']:.2%}' for s in sides]}); "
            f"video {fps:6.2f} fps ({[round(s['fps'], 2) for s in sides]})"
        )
    concealed_ratio = summary["visavis"][0] / summary["bare"][0]
    fps_ratio = summary["visavis"][1] / summary["bare"][1]
    print(f"ratio visavis/bare concealed audio: {concealed_ratio:.2f}x "
          f"(target <= 0.5x: {'met' if concealed_ratio <= 0.5 else 'MISSED'})")
    print(f"ratio visavis/bare video frame rate: {fps_ratio:.3f}x "
          f"(target >= 1.0x: {'met' if fps_ratio >= 1.0 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the network namespace was removed", file=sys.stderr)
        sys.exit(130)
