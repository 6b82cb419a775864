"""CPU seconds of both browsers over a 30-second call: visavis vs. the bare reference.

    .venv/bin/python bench/cpu.py [--seconds 30] [--rounds 2]

Each call gets two fresh headless Chromium instances (A and B, fake camera and
microphone, flags of tests/e2e/conftest.py), so that each browser's process tree
(browser, zygotes, renderers, GPU and utility processes) is separable: its root is found
by a marker switch in its command line, its descendants through /proc/*/stat. The call
is the same page pair as in bench/first_frame.py: visavis (host page in A, the client's
guest page in B, admitted) or the bare two-page RTCPeerConnection reference. Once the
first remote frame has been presented on both sides and 2 s more have passed (so that
set-up is not counted), the CPU time (utime + stime of every process of the tree, plus
the reaped children's) is read, again after ``--seconds``, and the difference summed
over both browsers. The kinds alternate (visavis, bare, bare, visavis, ...). Reported:
CPU seconds per call (mean over the rounds), as share of one core, and the ratio
visavis / bare. Target: ratio <= 1.15. The visavis server's own CPU is not counted
(it only relays signalling; it is idle during the call).
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
    tree_cpu_seconds,
    visavis_server,
)
from first_frame import BareCall, VisavisCall, first_frames, host_state

SETTLE_SECONDS = 2.0

MEDIA_INFO = """
() => [...document.querySelectorAll(".tile.remote video, video.remote")].map(
  (v) => `${v.videoWidth}x${v.videoHeight}`)
"""


# Experiment (--detach-preview): the client's camera preview on the pre-join screen keeps
# its stream while hidden during the call; this detaches it, to see what that costs.
DETACH_PREVIEW = """
() => { const v = document.getElementById("preview-video"); if (v) v.srcObject = null; }
"""


def measure(
    kind: str, playwright, server, reference, state, seconds: float, number: int,
    detach_preview: bool = False,
):
    markers = (f"cpu-{number}-a", f"cpu-{number}-b")
    a, b = (launch(playwright, marker) for marker in markers)
    try:
        if kind == "visavis":
            call = VisavisCall(server, a, b, state or host_state(server, a), number)
        else:
            call = BareCall(reference, a, b)
        first_frames(call)
        if detach_preview and kind == "visavis":
            call.guest.evaluate(DETACH_PREVIEW)
        time.sleep(SETTLE_SECONDS)
        roots = [find_browser_pid(marker) for marker in markers]
        before = [tree_cpu_seconds(root) for root in roots]
        start = time.monotonic()
        time.sleep(seconds)
        after = [tree_cpu_seconds(root) for root in roots]
        elapsed = time.monotonic() - start
        sizes = [page.evaluate(MEDIA_INFO) for page in call.pages]
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
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--detach-preview", action="store_true",
        help="experiment: detach the hidden camera preview of the client's page in the call",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}")
    print(f"date: {date.today().isoformat()}")
    if args.detach_preview:
        print("experiment: the client's hidden camera preview is detached during the call")
    results: dict[str, list[float]] = {"visavis": [], "bare": []}
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
                results[kind].append(
                    measure(
                        kind, playwright, server, reference, None, args.seconds, number,
                        detach_preview=args.detach_preview,
                    )
                )

    ours = statistics.mean(results["visavis"])
    bare = statistics.mean(results["bare"])
    print(f"\nCPU seconds of both browsers over {args.seconds:.0f} s (mean of {args.rounds}):")
    print(f"  visavis {ours:6.2f} s  {[round(x, 2) for x in results['visavis']]}")
    print(f"  bare    {bare:6.2f} s  {[round(x, 2) for x in results['bare']]}")
    ratio = ours / bare
    print(f"ratio visavis/bare: {ratio:.2f}x (target <= 1.15x: "
          f"{'met' if ratio <= 1.15 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
