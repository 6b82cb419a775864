"""Page weight of the client's room page (the guest link), cold cache.

    .venv/bin/python bench/page_weight.py

Starts ``visavis serve`` in a temporary data directory, creates an appointment through
the API and opens its guest link in a fresh headless Chromium context (empty cache), with
the fake camera and microphone: the privacy notice step, then (after ticking it) the room
page, each until the network is idle. Both pages count. Bytes are what the browser
received over the wire, as Chrome's DevTools protocol reports them
(Network.loadingFinished encodedDataLength: headers plus body as transferred, i.e.
compressed if the server compressed). Prints the total and every request, with its
Content-Encoding, and its size if gzip or brotli were used (to show what compression
would save). Target: <= 100 KB (102,400 bytes) in total.

It also asks the server for each JS and CSS file with ``Accept-Encoding: gzip, br`` and
says whether a compressed variant came back. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import gzip
import sys
import urllib.request
from datetime import date

from browsers import launch, machine, visavis_server
from tests.e2e.helpers import api_appointment, confirm_privacy_notice

TARGET = 100 * 1024


def brotli_size(data: bytes) -> int | None:
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        return None
    return len(brotli.compress(data))


def main() -> int:
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}")
    print(f"date: {date.today().isoformat()}")
    with visavis_server() as server, sync_playwright() as playwright:
        appointment = api_appointment(server, "Page weight")
        guest_url = appointment["guest_url"]
        browser = launch(playwright, "page-weight")
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        # A fresh context starts with an empty cache; what the privacy notice step loaded
        # (the style sheet) may be reused by the room page, as in any browser.
        requests: dict[str, dict] = {}
        step = ["privacy notice"]  # which page a request belongs to

        def on_response(event):
            response = event["response"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            requests.setdefault(event["requestId"], {}).update(
                url=response["url"],
                status=response["status"],
                encoding=headers.get("content-encoding", "-"),
                type=event.get("type", "?"),
                step=requests.get(event["requestId"], {}).get("step", step[0]),
            )

        def on_finished(event):
            requests.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        page.goto(guest_url, wait_until="networkidle")
        # A first-time client sees the privacy notice step first, then the room page
        # (pre-join); both count, as a client downloads both before knocking.
        step[0] = "room page"
        confirm_privacy_notice(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#knock-button")
        page.wait_for_timeout(500)
        rows = [r for r in requests.values() if "url" in r and "bytes" in r]
        browser.close()

        total = sum(r["bytes"] for r in rows)
        print(f"\nguest link {guest_url.replace(server.url, '')}: privacy notice step, then the "
              "room page, with all their assets, cold cache")
        for name in ("privacy notice", "room page"):
            part = [r for r in rows if r.get("step") == name]
            print(f"  {name}: {len(part)} requests, {sum(r['bytes'] for r in part)} bytes")
        print(f"{'bytes':>8}  {'status':>6}  {'encoding':<8}  {'gzip -9':>8}  url")
        for row in sorted(rows, key=lambda r: -r["bytes"]):
            path = row["url"].replace(server.url, "")
            body = urllib.request.urlopen(row["url"]).read()  # noqa: S310 (127.0.0.1 only)
            row["raw"] = len(body)
            row["gzip"] = len(gzip.compress(body, 9))
            print(
                f"{row['bytes']:>8}  {row['status']:>6}  {row['encoding']:<8}  "
                f"{row['gzip']:>8}  {path}"
            )
        # What gzip -9 would save on the responses that went out uncompressed.
        saving = sum(r["raw"] - r["gzip"] for r in rows if r["encoding"] == "-" and r["bytes"])
        gzip_total = total - saving
        print(f"\ntotal transferred: {total} bytes = {total / 1024:.1f} KB "
              f"({total / TARGET:.2f}x the 100 KB target: "
              f"{'met' if total <= TARGET else 'MISSED'})")
        print(f"requests: {len(rows)}; uncompressed bodies: {sum(r['raw'] for r in rows)} bytes")
        print(f"if the uncompressed responses were gzip -9 too: ~{gzip_total} bytes "
              f"= {gzip_total / 1024:.1f} KB")

        print("\ncompression offered for JS/CSS (Accept-Encoding: gzip, br):")
        compressed = 0
        assets = [r for r in rows if r["url"].endswith((".js", ".css"))]
        for row in assets:
            request = urllib.request.Request(  # noqa: S310 (127.0.0.1 only)
                row["url"], headers={"Accept-Encoding": "gzip, br"}
            )
            with urllib.request.urlopen(request) as response:  # noqa: S310
                encoding = response.headers.get("Content-Encoding", "none")
            compressed += encoding != "none"
            print(f"  {encoding:<5} {row['url'].replace(server.url, '')}")
        if compressed < len(assets):
            print(f"  -> {len(assets) - compressed} of {len(assets)} JS/CSS files are sent "
                  "uncompressed by `visavis serve`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
