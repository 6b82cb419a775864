"""Shared pieces of the browser benchmarks (page_weight, first_frame, cpu).

Not a benchmark itself. Starts a real ``visavis serve`` in a temporary data directory
(tests.conftest.LiveServer), launches Debian's Chromium with the fake camera and
microphone (tests.e2e.conftest), serves the bare two-page RTCPeerConnection reference
from 127.0.0.1 and reads CPU time of a browser's process tree from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import COUNSELOR_PASSWORD, LiveServer  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "COUNSELOR_PASSWORD", "LiveServer"]


@contextlib.contextmanager
def visavis_server(host: str = "127.0.0.1"):
    """A visavis process with a counselor account, in a temporary data directory. The
    knock limit per address is raised: every guest of a benchmark knocks from 127.0.0.1.
    ``host``: the address it listens on (a test host's veth address for bench/impaired.py)."""
    with tempfile.TemporaryDirectory(prefix="visavis-bench-") as data_dir:
        extra_env = {"VISAVIS_KNOCKS_PER_MINUTE": "1000"}
        if host != "127.0.0.1":
            extra_env["VISAVIS_ALLOWED_HOSTS"] = json.dumps([host, "127.0.0.1"])
        server = LiveServer(data_dir=Path(data_dir), extra_env=extra_env, host=host)
        created = server.run(
            "createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD
        )
        if created.returncode != 0:
            raise RuntimeError(created.stderr)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    try:
        version = subprocess.run(  # noqa: S603 (our own chromium path)
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        version = "?"
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs (nproc), {model}, "
        f"{platform.system()} {platform.release()}, {version}, Python {platform.python_version()}"
    )


def launch(
    playwright, marker: str, extra_args: list[str] | None = None, executable: str = CHROMIUM
):
    """A Chromium whose browser process can be found by ``marker`` in its command line.
    ``executable``: e.g. a wrapper that starts it in a network namespace (tests/e2e/netns.py)."""
    return playwright.chromium.launch(
        executable_path=executable,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--visavis-bench={marker}", *(extra_args or [])],
    )


# --- CPU time of a process tree ---------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of ``pid``; None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
    ppid = int(fields[1])
    ticks = sum(int(x) for x in fields[11:15])
    return ppid, ticks / CLOCK_TICKS


def find_browser_pid(marker: str) -> int:
    flag = f"--visavis-bench={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if flag in cmdline and not any(arg.startswith(b"--type=") for arg in cmdline):
            return int(entry.name)
    raise RuntimeError(f"no browser process with {flag!r}")


def tree_cpu_seconds(root: int) -> tuple[float, int]:
    """CPU seconds (user + system, including reaped children) of ``root`` and all its
    descendants, and how many processes that is."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            got = _stat(int(entry.name))
            if got:
                stats[int(entry.name)] = got
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, count, todo = 0.0, 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            count += 1
        todo.extend(children.get(pid, []))
    return total, count


def _kind(pid: int) -> str:
    """Chromium's process type from its command line: browser, renderer, gpu-process,
    utility:<service> (audio, network, video capture, ...), zygote."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return "gone"
    # Chromium's child processes rewrite their command line as one string with spaces.
    args = raw.replace("\0", " ").split()
    options = dict(arg[2:].split("=", 1) for arg in args if arg.startswith("--") and "=" in arg)
    kind = options.get("type", "browser")
    if kind == "utility":
        service = options.get("utility-sub-type", "?").split(".")[0]
        kind = f"utility:{service}"
    return kind


def tree_cpu_by_kind(root: int) -> dict[str, float]:
    """CPU seconds of ``root`` and its descendants, summed per Chromium process type."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            got = _stat(int(entry.name))
            if got:
                stats[int(entry.name)] = got
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    totals: dict[str, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            kind = _kind(pid)
            totals[kind] = totals.get(kind, 0.0) + stats[pid][1]
        todo.extend(children.get(pid, []))
    return totals


# --- the bare reference -------------------------------------------------------------------

# Two of these pages, "a" and "b", make a 1:1 call: getUserMedia with the same constraints
# as visavis (media.js), one RTCPeerConnection each with default settings (no codec or
# sender tweaks), the local picture and the remote picture in <video> elements, signalling
# (offer, answer, trickled candidates) through one of the tiny relays below: a WebSocket
# (as visavis signals; the default) or, the older reference, server-sent events down and
# POST up. window.go() on "a" starts the call; "b" answers. /*SIGNALLING*/ is replaced by
# one of the two *_SIGNALLING snippets, which define send(data) and window.listening.
BARE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>bare</title></head>
<body>
<video id="local" autoplay playsinline muted></video>
<script>
// location.hash is "<call>:<a or b>": mailboxes are per call, so that a page of an
// earlier call can never take a message meant for this one.
const [call, side] = location.hash.slice(1).split(":");
const me = call + ":" + side;
const other = call + ":" + (side === "a" ? "b" : "a");
const AUDIO = {echoCancellation: true, noiseSuppression: true, autoGainControl: true};
const VIDEO = {width: {ideal: 1280}, height: {ideal: 720}, frameRate: {ideal: 30, max: 30}};
let pc = null;
let queue = Promise.resolve();
const receive = (data) => {
  queue = queue.then(() => handle(data)).catch((err) => console.error(err));
};
/*SIGNALLING*/
window.ready = navigator.mediaDevices.getUserMedia({audio: AUDIO, video: VIDEO}).then((s) => {
  window.stream = s;
  document.getElementById("local").srcObject = s;
});
function makePc() {
  pc = new RTCPeerConnection();
  for (const t of window.stream.getTracks()) pc.addTrack(t, window.stream);
  pc.onicecandidate = ({candidate}) => candidate && send({candidate: candidate.toJSON()});
  pc.ontrack = ({streams}) => {
    let v = document.querySelector("video.remote");
    if (!v) {
      v = document.createElement("video");
      v.className = "remote"; v.autoplay = true; v.playsInline = true;
      document.body.prepend(v);
    }
    if (v.srcObject !== streams[0]) { v.srcObject = streams[0]; v.play().catch(() => {}); }
  };
}
async function handle(data) {
  if (data.description) {
    if (!pc) makePc();
    await pc.setRemoteDescription(data.description);
    if (data.description.type === "offer") {
      await pc.setLocalDescription();
      send({description: pc.localDescription.toJSON()});
    }
  } else if (data.candidate) {
    await pc.addIceCandidate(data.candidate);
  }
}
window.go = async () => {
  makePc();
  await pc.setLocalDescription();
  send({description: pc.localDescription.toJSON()});
};
</script>
</body></html>
"""

# One WebSocket to the relay (_WebSocketRelay), which passes every message on to the other
# page of the call as it is. __RELAY__ becomes ws://<host>:<port>/.
WEBSOCKET_SIGNALLING = """
const socket = new WebSocket("__RELAY__" + me);
window.listening = new Promise((resolve) => { socket.onopen = resolve; });
const send = (data) => socket.send(JSON.stringify(data));
socket.onmessage = (e) => receive(JSON.parse(e.data));
"""

# The older reference: POST up, server-sent events down (one mailbox per page in _Relay).
SSE_SIGNALLING = """
const send = (data) => fetch("/signal/" + other, {method: "POST", body: JSON.stringify(data)});
const events = new EventSource("/events/" + me);
window.listening = new Promise((resolve) => { events.onopen = resolve; });
events.onmessage = (e) => receive(JSON.parse(e.data));
"""

SIGNALLING = ("websocket", "sse")


class _Relay:
    def __init__(self):
        self.cond = threading.Condition()
        self.boxes: dict[str, list[bytes]] = {}
        self.closed = False


def _handler(relay: _Relay, page: bytes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/events/"):
                me = self.path.rsplit("/", 1)[1]
                with relay.cond:
                    relay.boxes.setdefault(me, [])
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(b": hi\n\n")
                self.wfile.flush()
                while True:
                    with relay.cond:
                        while not relay.boxes[me] and not relay.closed:
                            relay.cond.wait(1)
                        if relay.closed:
                            return
                        items, relay.boxes[me] = relay.boxes[me], []
                    try:
                        for item in items:
                            self.wfile.write(b"data: " + item + b"\n\n")
                        self.wfile.flush()
                    except OSError:
                        return
            body = page
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            to = self.path.rsplit("/", 1)[1]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with relay.cond:
                relay.boxes.setdefault(to, []).append(body)
                relay.cond.notify_all()
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class _WebSocketRelay:
    """A ``websockets`` server in a thread of its own: a page connects to /<call>:<a or b>,
    and every message it sends goes on at once, as it is, to the other page of its call
    (held for it if that page is not connected yet). Like `visavis serve`: asyncio (so
    TCP_NODELAY), no per-message compression."""

    def __init__(self, host: str):
        self.sock = socket.create_server((host, 0))
        self.port = self.sock.getsockname()[1]
        self.pages: dict[str, object] = {}
        self.held: dict[str, list[str]] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _page(self, ws):
        me = ws.request.path.lstrip("/")
        call, side = me.split(":")
        other = f"{call}:{'b' if side == 'a' else 'a'}"
        self.pages[me] = ws
        for text in self.held.pop(me, []):
            await ws.send(text)
        try:
            async for text in ws:
                peer = self.pages.get(other)
                if peer is None:
                    self.held.setdefault(other, []).append(text)
                else:
                    await peer.send(text)
        finally:
            self.pages.pop(me, None)

    def start(self) -> None:
        from websockets.asyncio.server import serve

        async def start():
            self.server = await serve(self._page, sock=self.sock, compression=None)

        self.thread.start()
        asyncio.run_coroutine_threadsafe(start(), self.loop).result()

    def stop(self) -> None:
        async def stop():
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class BareReference:
    """HTTP server on 127.0.0.1 for the bare page, and its signalling: ``"websocket"`` (a
    WebSocket relay on a second port, as visavis signals: the default) or ``"sse"`` (the
    older reference: server-sent events down, POST up, relayed by the HTTP server). Each
    call gets a number from ``new_call()``: the pages are ``{url}/#{number}:a`` and
    ``{url}/#{number}:b``."""

    def __init__(self, host: str = "127.0.0.1", signalling: str = "websocket"):
        if signalling not in SIGNALLING:
            raise ValueError(f"signalling: one of {SIGNALLING}, not {signalling!r}")
        self.signalling = signalling
        self.relay = _Relay()
        if signalling == "websocket":
            self.websocket_relay = _WebSocketRelay(host)
            snippet = WEBSOCKET_SIGNALLING.replace(
                "__RELAY__", f"ws://{host}:{self.websocket_relay.port}/"
            )
        else:
            self.websocket_relay = None
            snippet = SSE_SIGNALLING
        page = BARE_PAGE.replace("/*SIGNALLING*/", snippet.strip()).encode()
        self.httpd = ThreadingHTTPServer((host, 0), _handler(self.relay, page))
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        if self.websocket_relay:
            self.websocket_relay.start()
        self.thread.start()
        return self

    def new_call(self) -> int:
        self.calls = getattr(self, "calls", 0) + 1
        return self.calls

    def __exit__(self, *exc):
        with self.relay.cond:
            self.relay.closed = True
            self.relay.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.websocket_relay:
            self.websocket_relay.stop()


# Notes the first remote video frame of a page: the remote <video> of visavis
# (#tiles .tile.remote video) or of the bare page (video.remote), by
# requestVideoFrameCallback, as epoch milliseconds (performance.timeOrigin + now, the
# same clock in every page of this machine).
FIRST_FRAME_WATCH = """
(() => {
  window.__firstFrame = 0;
  const seen = new WeakSet();
  const watch = (video) => {
    if (seen.has(video)) return;
    seen.add(video);
    video.requestVideoFrameCallback((now) => {
      if (!window.__firstFrame) window.__firstFrame = performance.timeOrigin + now;
    });
  };
  new MutationObserver(() => {
    document.querySelectorAll(".tile.remote video, video.remote").forEach(watch);
  }).observe(document, {childList: true, subtree: true});
})();
"""
