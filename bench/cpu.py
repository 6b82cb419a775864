"""CPU seconds of both browsers over a 30-second call: visavis vs. the bare reference.

    .venv/bin/python bench/cpu.py [--seconds 30] [--rounds 2]
        [--bare-unscaled] [--detach-preview | --bare-both-visible | --small-self-view
         | --flat-tiles | --no-self-view | --bare-scaled | --suspend-audio]

Each call gets two fresh headless Chromium instances (A and B, fake camera and
microphone, flags of tests/e2e/conftest.py), so that each browser's process tree
(browser, zygotes, renderers, GPU and utility processes) is separable: its root is found
by a marker switch in its command line, its descendants through /proc/*/stat. The call
is the same page pair as in bench/first_frame.py: visavis (host page in A, the client's
guest page in B, admitted) or the bare two-page RTCPeerConnection reference. Once the
first remote frame has been presented on both sides (and the bare pages have been given
the picture sizes of the visavis pages, see VISAVIS_LAYOUT) and 2 s more have passed (so that
set-up is not counted), the CPU time (utime + stime of every process of the tree, plus
the reaped children's) is read, again after ``--seconds``, and the difference summed
over both browsers. The kinds alternate (visavis, bare, bare, visavis, ...). Reported:
CPU seconds per call (mean over the rounds), as share of one core, and the ratio
visavis / bare. Target: ratio <= 1.15. The visavis server's own CPU is not counted
(it only relays signalling; it is idle during the call).

To see where a difference comes from, each call also prints the CPU seconds per Chromium
process type (renderer: WebRTC encode/decode and the page; gpu-process: compositing the
<video> pictures, in software here; utility:audio, utility:video_capture, ...), the main-
thread time of each page (Chrome's Performance domain: tasks, script, layout, style) and
every playing <video> with the size it is drawn at and whether it is in the viewport.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from browsers import (
    BareReference,
    find_browser_pid,
    launch,
    machine,
    tree_cpu_by_kind,
    tree_cpu_seconds,
    visavis_server,
)
from first_frame import BareCall, VisavisCall, first_frames, host_state

SETTLE_SECONDS = 2.0

MEDIA_INFO = """
() => [...document.querySelectorAll(".tile.remote video, video.remote")].map(
  (v) => `${v.videoWidth}x${v.videoHeight}`)
"""

# Every <video> that plays something: id or class, the picture's size, the size it is
# drawn at on the page, and whether that box is inside the viewport (what the page has to
# composite for every frame).
VIDEOS_DRAWN = """
() => [...document.querySelectorAll("video")].filter((v) => v.srcObject).map((v) => {
  const r = v.getBoundingClientRect();
  const seen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.top < innerHeight && r.left < innerWidth;
  return `${v.id || v.className || "video"} ${v.videoWidth}x${v.videoHeight}`
    + ` drawn ${Math.round(r.width)}x${Math.round(r.height)}${seen ? "" : " (off screen)"}`;
})
"""

# Experiment (--bare-both-visible): the bare page shows its remote picture at the top at
# its natural size and the local one below it, out of the 1280x720 viewport; this puts
# both side by side in view, as visavis shows the other person and the self-view.
def page_style(css: str) -> str:
    """An init script that adds ``css`` to the page once its document is there."""
    return f"""
document.addEventListener("DOMContentLoaded", () => {{
  const style = document.createElement("style");
  style.textContent = {css!r};
  document.head.append(style);
}});
"""


BARE_BOTH_VISIBLE = page_style("video { width: 48vw; }")

# Experiment (--small-self-view): visavis shows the self-view from the camera track itself
# (1280x720, up to 30 fps, drawn ~210x160); this gives it a clone of the track scaled
# down by the browser to 320x180 at 15 fps, so the compositor gets far fewer pixels.
SMALL_SELF_VIEW = """
async () => {
  const video = document.getElementById("local-video");
  const track = video && video.srcObject && video.srcObject.getVideoTracks()[0];
  if (!track) return "no self-view";
  const small = track.clone();
  await small.applyConstraints(
    {width: {max: 320}, height: {max: 180}, frameRate: {max: 15}, resizeMode: "crop-and-scale"});
  video.srcObject = new MediaStream([small]);
  const got = small.getSettings();
  return `${got.width}x${got.height} at ${got.frameRate} fps`;
}
"""

# Experiment (--no-self-view): what drawing the self-view costs at most (detached).
NO_SELF_VIEW = """
() => { const v = document.getElementById("local-video"); if (v) v.srcObject = null; }
"""

# Experiment (--suspend-audio): every AudioContext a page made is kept in a list (init
# script) and suspended after the first frame. The host page's knock tone (ui/watch.js)
# leaves its AudioContext running for the rest of the page's life.
KEEP_AUDIO_CONTEXTS = """
(() => {
  const Native = window.AudioContext;
  if (!Native) return;
  window.__audioContexts = [];
  window.AudioContext = class extends Native {
    constructor(...args) { super(...args); window.__audioContexts.push(this); }
  };
})();
"""
SUSPEND_AUDIO = """
async () => {
  const running = (window.__audioContexts || []).filter((c) => c.state === "running");
  await Promise.all(running.map((c) => c.suspend()));
  return running.length;
}
"""

# Experiment (--flat-tiles): the video tiles without rounded corners and clipping.
FLAT_TILES = """
() => document.querySelectorAll(".tile").forEach((tile) => {
  tile.style.borderRadius = "0";
  tile.style.overflow = "visible";
})
"""

# Experiment (--bare-scaled): the bare page's remote picture drawn scaled down (89vw,
# about the size of the client's remote tile in visavis), its local one still off screen.
BARE_SCALED = page_style("video.remote { width: 89vw; }")

# The reference drawn as visavis draws (default; --bare-unscaled turns it off): after the
# first frame, each bare page shows its remote and its local picture at the size, fit and
# transform at which the matching visavis page (host page for "a", client page for "b",
# measured in the first visavis call of the run) draws the other person and the
# self-view, both in the viewport. Without it the bare page shows one unscaled picture
# that exactly fills the viewport (the compositor's cheapest case) and keeps its self-view
# below the viewport, so it is never drawn.
VISAVIS_LAYOUT = """
() => {
  const box = (v) => {
    if (!v || !v.srcObject) return null;
    const r = v.getBoundingClientRect();
    const style = getComputedStyle(v);
    return {width: r.width, height: r.height, fit: style.objectFit, transform: style.transform};
  };
  return {
    remote: box(document.querySelector(".tile.remote video")),
    local: box(document.getElementById("local-video")),
  };
}
"""
APPLY_LAYOUT = """
(layout) => {
  const place = (video, box, corner) => {
    if (!video || !box) return;
    Object.assign(video.style, {
      position: "fixed", width: box.width + "px", height: box.height + "px",
      objectFit: box.fit, transform: box.transform === "none" ? "" : box.transform,
      ...corner,
    });
  };
  place(document.querySelector("video.remote"), layout.remote, {top: "0", left: "0"});
  place(document.getElementById("local"), layout.local, {bottom: "0", right: "0"});
}
"""

# Main-thread time of a page's renderer (Chrome's Performance domain), in seconds.
PAGE_METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


def page_metrics(session) -> dict[str, float]:
    values = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    return {name: values.get(name, 0.0) for name in PAGE_METRICS}


# Experiment (--detach-preview): the client's camera preview on the pre-join screen keeps
# its stream while hidden during the call; this detaches it, to see what that costs.
DETACH_PREVIEW = """
() => { const v = document.getElementById("preview-video"); if (v) v.srcObject = null; }
"""


def measure(
    kind: str, playwright, server, reference, state, seconds: float, number: int,
    detach_preview: bool = False, bare_both_visible: bool = False,
    small_self_view: bool = False, flat_tiles: bool = False, no_self_view: bool = False,
    bare_scaled: bool = False, suspend_audio: bool = False, layouts: list | None = None,
):
    """One call of ``kind``; ``layouts``: the visavis pages' picture boxes (filled by the
    first visavis call, applied to the bare pages), or None for the unscaled reference."""
    markers = (f"cpu-{number}-a", f"cpu-{number}-b")
    a, b = (launch(playwright, marker) for marker in markers)
    try:
        if kind == "visavis":
            scripts = (KEEP_AUDIO_CONTEXTS,) if suspend_audio else ()
            call = VisavisCall(server, a, b, state or host_state(server, a), number, scripts)
        else:
            scripts = (BARE_BOTH_VISIBLE,) if bare_both_visible else ()
            scripts += (BARE_SCALED,) if bare_scaled else ()
            call = BareCall(reference, a, b, scripts)
        first_frames(call)
        if layouts is not None and kind == "visavis" and not layouts:
            layouts.extend(page.evaluate(VISAVIS_LAYOUT) for page in call.pages)
        if layouts and kind == "bare":
            for page, layout in zip(call.pages, layouts, strict=True):
                page.evaluate(APPLY_LAYOUT, layout)
        if detach_preview and kind == "visavis":
            call.guest.evaluate(DETACH_PREVIEW)
        if small_self_view and kind == "visavis":
            print(f"      self-views now {[page.evaluate(SMALL_SELF_VIEW) for page in call.pages]}")
        if no_self_view and kind == "visavis":
            for page in call.pages:
                page.evaluate(NO_SELF_VIEW)
        if suspend_audio and kind == "visavis":
            counts = [page.evaluate(SUSPEND_AUDIO) for page in call.pages]
            print(f"      running AudioContexts suspended (host, guest): {counts}")
        if flat_tiles and kind == "visavis":
            for page in call.pages:
                page.evaluate(FLAT_TILES)
        sessions = [page.context.new_cdp_session(page) for page in call.pages]
        for session in sessions:
            session.send("Performance.enable")
        time.sleep(SETTLE_SECONDS)
        roots = [find_browser_pid(marker) for marker in markers]
        before = [tree_cpu_seconds(root) for root in roots]
        kinds_before = [tree_cpu_by_kind(root) for root in roots]
        metrics_before = [page_metrics(session) for session in sessions]
        start = time.monotonic()
        time.sleep(seconds)
        after = [tree_cpu_seconds(root) for root in roots]
        kinds_after = [tree_cpu_by_kind(root) for root in roots]
        metrics_after = [page_metrics(session) for session in sessions]
        elapsed = time.monotonic() - start
        sizes = [page.evaluate(MEDIA_INFO) for page in call.pages]
        drawn = [page.evaluate(VIDEOS_DRAWN) for page in call.pages]
        call.close()
    finally:
        a.close()
        b.close()
    per_browser = [end[0] - begin[0] for begin, end in zip(before, after, strict=True)]
    processes = [end[1] for end in after]
    total = sum(per_browser) * seconds / elapsed
    print(
        f"  #{number:<2} {kind:<8} A {per_browser[0]:6.2f} s  B {per_browser[1]:6.2f} s  "
        f"total {total:6.2f} CPU s in {seconds:.0f} s ({total / seconds:.0%} of a core); "
        f"processes {processes}; remote video {sizes}"
    )
    by_kind: dict[str, float] = {}
    for begin, end in zip(kinds_before, kinds_after, strict=True):
        for name, value in end.items():
            by_kind[name] = by_kind.get(name, 0.0) + value - begin.get(name, 0.0)
    print("      by process type (A+B): " + ", ".join(
        f"{name} {value:.2f}" for name, value in sorted(by_kind.items(), key=lambda x: -x[1])
    ))
    for side, begin, end, videos in zip("AB", metrics_before, metrics_after, drawn, strict=True):
        print(f"      page {side} main thread: " + ", ".join(
            f"{name.removesuffix('Duration').lower()} {end[name] - begin[name]:.2f} s"
            for name in PAGE_METRICS
        ) + f"; videos: {videos}")
    return total, by_kind


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--detach-preview", action="store_true",
        help="experiment: detach the hidden camera preview of the client's page in the call",
    )
    parser.add_argument(
        "--bare-both-visible", action="store_true",
        help="experiment: the bare pages show both pictures in the viewport, as visavis does",
    )
    parser.add_argument(
        "--small-self-view", action="store_true",
        help="experiment: visavis self-views from a 320x180, 15 fps clone of the camera track",
    )
    parser.add_argument(
        "--flat-tiles", action="store_true",
        help="experiment: visavis video tiles without rounded corners and clipping",
    )
    parser.add_argument(
        "--no-self-view", action="store_true",
        help="experiment: visavis pages without the self-view (its most possible saving)",
    )
    parser.add_argument(
        "--bare-scaled", action="store_true",
        help="experiment: the bare pages draw the remote picture scaled down (89vw)",
    )
    parser.add_argument(
        "--bare-unscaled", action="store_true",
        help="the bare pages as they load: one unscaled picture filling the viewport, "
        "the self-view off screen (default: drawn at visavis's sizes)",
    )
    parser.add_argument(
        "--suspend-audio", action="store_true",
        help="experiment: suspend the visavis pages' running AudioContexts (knock tone)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}")
    print(f"date: {date.today().isoformat()}")
    if args.detach_preview:
        print("experiment: the client's hidden camera preview is detached during the call")
    if args.bare_both_visible:
        print("experiment: the bare pages show both pictures side by side in the viewport")
    if args.small_self_view:
        print("experiment: visavis self-views show a 320x180, 15 fps clone of the camera")
    if args.flat_tiles:
        print("experiment: visavis video tiles without rounded corners and clipping")
    if args.no_self_view:
        print("experiment: visavis pages without the self-view")
    if args.bare_scaled:
        print("experiment: the bare pages draw the remote picture scaled down (89vw)")
    if args.suspend_audio:
        print("experiment: the visavis pages' running AudioContexts are suspended")
    layouts: list | None = None if args.bare_unscaled or args.bare_scaled else []
    print("reference: " + (
        "as loaded (unscaled remote picture, self-view off screen)" if layouts is None
        else "remote picture and self-view drawn at the visavis pages' sizes"
    ))
    results: dict[str, list[float]] = {"visavis": [], "bare": []}
    kinds: dict[str, list[dict[str, float]]] = {"visavis": [], "bare": []}
    number = 0
    with (
        visavis_server() as server,
        BareReference() as reference,
        sync_playwright() as playwright,
    ):
        for round_ in range(args.rounds):
            order = ["visavis", "bare"] if round_ % 2 == 0 else ["bare", "visavis"]
            for kind in order:
                number += 1
                total, by_kind = measure(
                    kind, playwright, server, reference, None, args.seconds, number,
                    detach_preview=args.detach_preview,
                    bare_both_visible=args.bare_both_visible,
                    small_self_view=args.small_self_view, flat_tiles=args.flat_tiles,
                    no_self_view=args.no_self_view, bare_scaled=args.bare_scaled,
                    suspend_audio=args.suspend_audio, layouts=layouts,
                )
                results[kind].append(total)
                kinds[kind].append(by_kind)

    ours = statistics.mean(results["visavis"])
    bare = statistics.mean(results["bare"])
    print(f"\nCPU seconds of both browsers over {args.seconds:.0f} s (mean of {args.rounds}):")
    print(f"  visavis {ours:6.2f} s  {[round(x, 2) for x in results['visavis']]}")
    print(f"  bare    {bare:6.2f} s  {[round(x, 2) for x in results['bare']]}")
    print("mean CPU s by process type (both browsers), visavis vs. bare:")
    names = sorted({name for runs in kinds.values() for run in runs for name in run})
    for name in names:
        mine = statistics.mean(run.get(name, 0.0) for run in kinds["visavis"])
        theirs = statistics.mean(run.get(name, 0.0) for run in kinds["bare"])
        print(f"  {name:<28} {mine:6.2f}  {theirs:6.2f}  ({mine - theirs:+.2f})")
    ratio = ours / bare
    print(f"ratio visavis/bare: {ratio:.2f}x (target <= 1.15x: "
          f"{'met' if ratio <= 1.15 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
