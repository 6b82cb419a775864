"""Signalling benchmark: visavis against a bare ``websockets`` relay, side by side.

    .venv/bin/python bench/signalling.py [--rooms 2500] [--inflight 100] [--candidates 4]
                                          [--setups single,redis]

For each set-up it opens N rooms (2N WebSocket clients). Every room does what a call
does on the wire (docs/protocol.md): host and guest say hello and get welcome, the
guest knocks, the host admits, then offer, answer and ICE candidates both ways. It
reports the server's memory per connection (RSS growth of the server process(es)
divided by the connections they hold) and the relay latency of the negotiation
messages (sender's send to recipient's receive, both clients in this process, same
clock): p50 and p99. The bare relay does the same message pattern with plain dicts in
one process and no database: the floor any signalling server stands on. Ratios are
visavis / bare relay.

Set-ups:
  single  one ``visavis serve`` process, SQLite, in-memory channel layer (the default)
  redis   two ``visavis serve`` processes sharing PostgreSQL and Redis, every host on
          process A and every guest on process B, so every message crosses processes;
          measured also against the bare relay run the same way, as two processes
          that pass messages through Redis pub/sub (``bare_relay_redis``)

Traffic goes to 127.0.0.1 only. Everything is started and stopped by this script; the
``redis`` set-up creates a database ``visavis_bench_<random>`` on the PostgreSQL server
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres) and drops it.
Not a test: no pass or fail, only figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VISAVIS = str(Path(sys.executable).with_name("visavis"))


# --- helpers -----------------------------------------------------------------------------


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < needed:
        sys.exit(f"need {needed} file descriptors, the limit is {soft} (raise it: ulimit -n)")
    return soft


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited early:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    sys.exit(f"server on port {port} did not come up")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the bare relay (runs in its own process: `signalling.py --bare-relay PORT`) ----------


async def bare_relay(port: int) -> None:
    """The same messages as visavis, with no validation beyond json.loads, no database,
    no channel layer: rooms and participants are dicts in this process."""
    from websockets.asyncio.server import serve

    rooms: dict[str, dict] = {}  # token -> {"host": ws | None, "waiting": {id: (ws, name)},
    #                                        "admitted": {id: ws}}
    names: dict[str, str] = {}

    def lobby(room: dict) -> dict:
        return {"type": "lobby",
                "waiting": [{"id": i, "name": n} for i, (_ws, n) in room["waiting"].items()]}

    async def handler(ws):
        me = secrets.token_hex(8)
        is_host = "sessionid=" in (ws.request.headers.get("Cookie") or "")
        room = None
        try:
            async for text in ws:
                message = json.loads(text)
                kind = message.get("type")
                if kind == "hello":
                    room = rooms.setdefault(
                        message["room"], {"host": None, "waiting": {}, "admitted": {}}
                    )
                    role = "host" if is_host else "guest"
                    await ws.send(json.dumps({
                        "type": "welcome", "version": 1, "id": me, "role": role,
                        "state": "admitted" if is_host else "lobby", "max_participants": 4,
                    }))
                    if is_host:
                        room["host"] = ws
                        room["admitted"][me] = ws
                        names[me] = "host"
                        await ws.send(json.dumps({"type": "admitted", "peers": []}))
                        await ws.send(json.dumps(lobby(room)))
                elif kind == "knock":
                    room["waiting"][me] = (ws, message["name"])
                    names[me] = message["name"]
                    await ws.send(json.dumps({"type": "waiting"}))
                    if room["host"] is not None:
                        await room["host"].send(json.dumps(lobby(room)))
                elif kind == "admit":
                    guest_ws, name = room["waiting"].pop(message["id"])
                    peers = [{"id": i, "name": names[i], "role": "host"}
                             for i in room["admitted"]]
                    room["admitted"][message["id"]] = guest_ws
                    await guest_ws.send(json.dumps({"type": "admitted", "peers": peers}))
                    await ws.send(json.dumps({"type": "joined", "peer": {
                        "id": message["id"], "name": name, "role": "guest"}}))
                    await ws.send(json.dumps(lobby(room)))
                elif kind == "signal":
                    target = room["admitted"].get(message["to"])
                    if target is not None:
                        await target.send(json.dumps(
                            {"type": "signal", "from": me, "data": message["data"]}
                        ))
                elif kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
        finally:
            if room is not None:
                room["admitted"].pop(me, None)
                room["waiting"].pop(me, None)

    # No per-message compression, like `visavis serve` (ws_per_message_deflate=False).
    async with serve(handler, "127.0.0.1", port, max_size=65536, compression=None):
        await asyncio.get_running_loop().create_future()


async def bare_relay_redis(port: int, redis_url: str, prefix: str, name: str) -> None:
    """The bare relay as one of two processes sharing Redis, like visavis's `redis`
    set-up: rooms (host, waiting list) and who is on which process live in Redis; a
    message for a participant on the other process is one PUBLISH to that process's
    channel, which its one subscriber hands to the WebSocket. Still no validation, no
    database, no login, no channel layer."""
    import redis.asyncio as redis
    from websockets.asyncio.server import serve

    # As visavis's abuse limits do: redis-py 8 fails the 101st command of a default pool
    # at once; a blocking pool makes commands wait for a free connection instead.
    client = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
        redis_url, max_connections=50, timeout=20))
    local: dict[str, object] = {}  # participant id -> ws on this process
    where: dict[str, str] = {}  # participant id -> process name (learned once)

    async def deliver(to: str, message: dict) -> None:
        text = json.dumps(message)
        if to in local:
            await local[to].send(text)
            return
        if to not in where:
            found = await client.get(f"{prefix}where:{to}")
            if found is None:
                return
            where[to] = found.decode()
        await client.publish(f"{prefix}proc:{where[to]}", json.dumps({"to": to, "text": text}))

    async def lobby(token: str) -> dict:
        waiting = await client.hgetall(f"{prefix}room:{token}:waiting")
        return {"type": "lobby", "waiting": [{"id": i.decode(), "name": n.decode()}
                                             for i, n in waiting.items()]}

    async def handler(ws):
        me = secrets.token_hex(8)
        is_host = "sessionid=" in (ws.request.headers.get("Cookie") or "")
        token = None
        local[me] = ws
        await client.set(f"{prefix}where:{me}", name)
        try:
            async for text in ws:
                message = json.loads(text)
                kind = message.get("type")
                if kind == "hello":
                    token = message["room"]
                    await ws.send(json.dumps({
                        "type": "welcome", "version": 1, "id": me,
                        "role": "host" if is_host else "guest",
                        "state": "admitted" if is_host else "lobby", "max_participants": 4,
                    }))
                    if is_host:
                        await client.set(f"{prefix}room:{token}:host", me)
                        await ws.send(json.dumps({"type": "admitted", "peers": []}))
                        await ws.send(json.dumps(await lobby(token)))
                elif kind == "knock":
                    await client.hset(f"{prefix}room:{token}:waiting", me, message["name"])
                    await ws.send(json.dumps({"type": "waiting"}))
                    host = await client.get(f"{prefix}room:{token}:host")
                    if host is not None:
                        await deliver(host.decode(), await lobby(token))
                elif kind == "admit":
                    key = f"{prefix}room:{token}:waiting"
                    guest_name = (await client.hget(key, message["id"]) or b"").decode()
                    await client.hdel(key, message["id"])
                    await deliver(message["id"], {"type": "admitted", "peers": [
                        {"id": me, "name": "host", "role": "host"}]})
                    await ws.send(json.dumps({"type": "joined", "peer": {
                        "id": message["id"], "name": guest_name, "role": "guest"}}))
                    await ws.send(json.dumps(await lobby(token)))
                elif kind == "signal":
                    await deliver(message["to"], {"type": "signal", "from": me,
                                                  "data": message["data"]})
                elif kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
        finally:
            local.pop(me, None)

    async def forward():
        pubsub = client.pubsub()
        await pubsub.subscribe(f"{prefix}proc:{name}")
        async for item in pubsub.listen():
            if item["type"] != "message":
                continue
            envelope = json.loads(item["data"])
            ws = local.get(envelope["to"])
            if ws is not None:
                await ws.send(envelope["text"])

    asyncio.get_running_loop().create_task(forward())
    async with serve(handler, "127.0.0.1", port, max_size=65536, compression=None):
        await asyncio.get_running_loop().create_future()


# --- clients ------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    sent: dict[str, float] = field(default_factory=dict)  # marker -> send time
    errors: list[str] = field(default_factory=list)
    lost: int = 0  # negotiation messages that never arrived (waited LOST_AFTER seconds)


class Conn:
    """One WebSocket client. A reader task files messages by type and stamps the
    negotiation messages it can match to a send time."""

    def __init__(self, ws, stats: Stats):
        self.ws = ws
        self.stats = stats
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        with contextlib.suppress(Exception):
            async for text in self.ws:
                now = time.perf_counter()
                message = json.loads(text)
                if message.get("type") == "signal":
                    marker = _marker(message["data"])
                    sent = self.stats.sent.pop(marker, None)
                    if sent is not None:
                        self.stats.latencies_ms.append((now - sent) * 1000)
                elif message.get("type") == "error":
                    self.stats.errors.append(message.get("code", "?"))
                self.inbox.put_nowait(message)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def signal(self, to: str, data: dict) -> None:
        from websockets.exceptions import ConnectionClosed

        self.stats.sent[_marker(data)] = time.perf_counter()
        with contextlib.suppress(ConnectionClosed):  # counted as lost by the recipient
            await self.send({"type": "signal", "to": to, "data": data})

    async def until(self, kind: str, timeout: float = 120) -> dict:
        async with asyncio.timeout(timeout):
            while True:
                message = await self.inbox.get()
                if message["type"] == kind:
                    return message

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


def _marker(data: dict) -> str:
    if "description" in data:
        return data["description"]["sdp"].split("\r\n", 2)[1]  # the o= line
    return data["candidate"]["candidate"].split(" ", 1)[0]  # candidate:<foundation>


SDP = ("v=0\r\no=- {marker} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
       "a=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\nc=IN IP4 0.0.0.0\r\n"
       "a=ice-ufrag:sK3f\r\na=ice-pwd:0123456789abcdefghijklmn\r\na=fingerprint:sha-256 "
       + ":".join(["AB"] * 32) + "\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\n"
       "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
       "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendrecv\r\n"
       "a=rtpmap:96 VP8/90000\r\n")


def _offer(kind: str, marker: str) -> dict:
    return {"description": {"type": kind, "sdp": SDP.format(marker=marker)}}


def _candidate(marker: str) -> dict:
    return {"candidate": {
        "candidate": f"candidate:{marker} 1 udp 2122260223 127.0.0.1 50000 typ host "
                     "generation 0 ufrag sK3f network-id 1",
        "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "sK3f"}}


@dataclass
class Target:
    name: str
    host_url: str  # ws URL the hosts use
    guest_url: str  # ws URL the guests use
    origin_host: str
    origin_guest: str
    pids: list[int]
    session: str
    tokens: list[str]
    # A client's session per room (the privacy notice confirmed, as on the guest page).
    guest_sessions: dict[str, str] = field(default_factory=dict)


def source_address(index: int) -> str:
    """A loopback address of room ``index``'s own, as if every client came from its own
    machine: per-address abuse limits then apply as they would in real use."""
    return f"127.{1 + index // 62500}.{1 + index // 250 % 250}.{1 + index % 250}"


async def _open(url: str, origin: str, stats: Stats, cookie: str | None, source: str) -> Conn:
    from websockets.asyncio.client import connect

    ws = await connect(
        url, origin=origin, open_timeout=120, ping_interval=None, max_queue=None,
        additional_headers={"Cookie": f"sessionid={cookie}"} if cookie else None,
        local_addr=(source, 0),
    )
    return Conn(ws, stats)


async def open_room(
    target: Target, token: str, stats: Stats, index: int
) -> tuple[Conn, Conn, str, str]:
    source = source_address(index)
    host = await _open(target.host_url, target.origin_host, stats, target.session, source)
    await host.send({"type": "hello", "version": 1, "room": token})
    host_id = (await host.until("welcome"))["id"]
    guest = await _open(
        target.guest_url, target.origin_guest, stats, target.guest_sessions.get(token), source
    )
    await guest.send({"type": "hello", "version": 1, "room": token})
    welcome = await guest.until("welcome")
    guest_id = welcome["id"]
    await guest.send({"type": "knock", "name": "Robin"})
    await guest.until("waiting")
    while not (await host.until("lobby"))["waiting"]:
        pass
    await host.send({"type": "admit", "id": guest_id})
    await guest.until("admitted")
    await host.until("joined")
    return host, guest, host_id, guest_id


LOST_AFTER = 60


async def _arrives(conn: Conn) -> None:
    try:
        await conn.until("signal", timeout=LOST_AFTER)
    except TimeoutError:
        conn.stats.lost += 1


async def negotiate(room: tuple[Conn, Conn, str, str], index: int, candidates: int) -> None:
    host, guest, host_id, guest_id = room
    tag = f"{index}x{secrets.token_hex(3)}"
    await host.signal(guest_id, _offer("offer", f"o{tag}"))
    await _arrives(guest)
    await guest.signal(host_id, _offer("answer", f"a{tag}"))
    await _arrives(host)
    for n in range(candidates):
        await host.signal(guest_id, _candidate(f"h{tag}c{n}"))
        await guest.signal(host_id, _candidate(f"g{tag}c{n}"))
    for _ in range(candidates):
        await _arrives(guest)
        await _arrives(host)


async def run_clients(target: Target, *, inflight: int, candidates: int) -> dict:
    stats = Stats()
    before = {pid: rss_kib(pid) for pid in target.pids}
    limit = asyncio.Semaphore(inflight)

    async def one_room(index, token):
        async with limit:
            return await open_room(target, token, stats, index)

    started = time.perf_counter()
    rooms = await asyncio.gather(*(one_room(i, t) for i, t in enumerate(target.tokens)))
    setup_s = time.perf_counter() - started
    await asyncio.sleep(2)  # let the servers settle before reading their memory
    after = {pid: rss_kib(pid) for pid in target.pids}
    connections = 2 * len(rooms)
    held = {pid: after[pid] - before[pid] for pid in target.pids}

    cpu_before = sum(cpu_seconds(pid) for pid in target.pids)
    started = time.perf_counter()

    async def one_negotiation(i, room):
        async with limit:
            await negotiate(room, i, candidates)

    await asyncio.gather(*(one_negotiation(i, room) for i, room in enumerate(rooms)))
    signal_s = time.perf_counter() - started
    cpu = sum(cpu_seconds(pid) for pid in target.pids) - cpu_before
    messages = len(rooms) * (2 + 2 * candidates)
    # Still all connected? (every server must have held every connection throughout)
    still_open = sum(1 for room in rooms for conn in room[:2] if conn.ws.close_code is None)
    close_codes = sorted({str(conn.ws.close_code) for room in rooms for conn in room[:2]
                          if conn.ws.close_code is not None})
    await asyncio.gather(*(conn.close() for room in rooms for conn in room[:2]))
    return {
        "name": target.name,
        "connections": connections,
        "still_open": still_open,
        "kib_per_connection": sum(held.values()) / connections,
        "rss_mib_after": {str(pid): round(kib / 1024, 1) for pid, kib in after.items()},
        "setup_s": setup_s,
        "signal_s": signal_s,
        "messages": messages,
        "latencies": len(stats.latencies_ms),
        "p50_ms": percentile(stats.latencies_ms, 50),
        "p99_ms": percentile(stats.latencies_ms, 99),
        "mean_ms": statistics.fmean(stats.latencies_ms),
        "server_cpu_s": cpu,
        "cpu_ms_per_message": cpu / messages * 1000,
        "errors": stats.errors[:5],
        "lost": stats.lost,
        "close_codes": close_codes,
    }


# --- visavis set-up -----------------------------------------------------------------------

PREPARE = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from visavis.accounts.services import create_counselor
from visavis.appointments.services import create_appointment
call_command("migrate", interactive=False, verbosity=0)
user = create_counselor(username="bench", password="bench-Password-4711")
tokens = [create_appointment(owner=user, title=f"Room {i}", start=timezone.now(),
                             duration_minutes=120).room_token for i in range(int(sys.argv[1]))]
client = Client()
client.force_login(user)
# Each room's client has confirmed the privacy notice (the consent step of the guest page).
from django.contrib.sessions.backends.db import SessionStore
from visavis.appointments.models import Appointment
from visavis.consent.services import record_consent
guests = {}
for appointment in Appointment.objects.filter(room_token__in=tokens):
    store = SessionStore()
    record_consent(appointment=appointment, language="en", session=store)
    store.save()
    guests[appointment.room_token] = store.session_key
print(json.dumps({"session": client.cookies["sessionid"].value, "tokens": tokens,
                  "guests": guests}))
"""


def prepare_visavis(env: dict, rooms: int) -> tuple[str, list[str]]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [PYTHON, "-c", PREPARE, str(rooms)], env={**env, "DJANGO_SETTINGS_MODULE":
                                                  "visavis.settings"},
        capture_output=True, text=True, timeout=1800,
    )
    if result.returncode != 0:
        sys.exit(f"preparing the database failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["session"], data["tokens"], data["guests"]


def start_visavis(env: dict, workdir: Path, name: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = workdir / f"{name}.log"
    process = subprocess.Popen(  # noqa: S603 (our own visavis)
        [VISAVIS, "serve", "--port", str(port)], env=env,
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    wait_for_port(port, process, log)
    return process, port


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def warmed_up(target: Target) -> Target:
    """Run the first room of ``target`` once, unmeasured, so that code loaded on first use
    is not counted per connection; the target keeps the other rooms."""
    asyncio.run(run_clients(Target(**{**target.__dict__, "tokens": target.tokens[:1]}),
                            inflight=1, candidates=1))
    target.tokens = target.tokens[1:]
    return target


@contextlib.contextmanager
def visavis_setup(kind: str, rooms: int, workdir: Path):
    """Yield a Target for visavis in set-up ``kind``; stop everything afterwards."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("VISAVIS_") and k not in ("DATABASE_URL", "REDIS_URL")}
    data_dir = workdir / f"data-{kind}"
    data_dir.mkdir()
    env = {**base, "VISAVIS_DATA_DIR": str(data_dir), "VISAVIS_LOG_LEVEL": "WARNING",
           "VISAVIS_SECRET_KEY": secrets.token_urlsafe(50)}
    database = None
    processes: list[subprocess.Popen] = []
    try:
        if kind == "redis":
            server = os.environ.get("BENCH_DATABASE_URL",
                                    "postgres://postgres@127.0.0.1:5432/postgres")
            database = f"visavis_bench_{secrets.token_hex(4)}"
            with _pg_admin(server) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            env["VISAVIS_DATABASE_URL"] = urlunsplit(
                urlsplit(server)._replace(path=f"/{database}"))
            env["VISAVIS_REDIS_URL"] = os.environ.get("BENCH_REDIS_URL",
                                                      "redis://127.0.0.1:6379/14")
        session, tokens, guests = prepare_visavis(env, rooms + 1)  # one more: warm-up
        names = ["visavis-a", "visavis-b"] if kind == "redis" else ["visavis"]
        ports = []
        for name in names:
            process, port = start_visavis(env, workdir, name)
            processes.append(process)
            ports.append(port)
        urls = [f"ws://127.0.0.1:{port}/ws/room" for port in ports]
        origins = [f"http://127.0.0.1:{port}" for port in ports]
        label = "2 processes, PostgreSQL + Redis" if kind == "redis" else "1 process, SQLite"
        target = Target(
            name=f"visavis ({label})",
            host_url=urls[0], guest_url=urls[-1], origin_host=origins[0],
            origin_guest=origins[-1], pids=[p.pid for p in processes], session=session,
            tokens=tokens, guest_sessions=guests,
        )
        yield warmed_up(target)
    finally:
        for process in processes:
            stop(process)
        if database:
            with _pg_admin(server) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextlib.contextmanager
def bare_redis_setup(rooms: int, workdir: Path):
    """Two bare relay processes sharing Redis: hosts on A, guests on B, as in visavis's
    `redis` set-up."""
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    prefix = f"bare-bench:{secrets.token_hex(4)}:"
    processes, ports = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = workdir / f"bare-{name}.log"
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
                [PYTHON, __file__, "--bare-relay", str(port), "--bare-redis",
                 f"{redis_url}|{prefix}|{name}"],
                stdout=log.open("ab"), stderr=subprocess.STDOUT,
            )
            processes.append(process)
            wait_for_port(port, process, log)
            ports.append(port)
        urls = [f"ws://127.0.0.1:{port}/" for port in ports]
        origins = [f"http://127.0.0.1:{port}" for port in ports]
        tokens = [secrets.token_urlsafe(32) for _ in range(rooms + 1)]
        target = Target("bare relay (2 processes + Redis)", urls[0], urls[1], origins[0],
                        origins[1], [p.pid for p in processes], "bench", tokens)
        yield warmed_up(target)
    finally:
        for process in processes:
            stop(process)
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


@contextlib.contextmanager
def bare_setup(rooms: int, workdir: Path):
    port = free_port()
    log = workdir / "bare.log"
    process = subprocess.Popen([PYTHON, __file__, "--bare-relay", str(port)],  # noqa: S603
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        url, origin = f"ws://127.0.0.1:{port}/", f"http://127.0.0.1:{port}"
        tokens = [secrets.token_urlsafe(32) for _ in range(rooms + 1)]
        target = Target("bare websockets relay", url, url, origin, origin, [process.pid],
                        "bench", tokens)
        yield warmed_up(target)
    finally:
        stop(process)


# --- report -------------------------------------------------------------------------------


def report(results: list[dict], args) -> str:
    bare = results[0]
    lines = [
        f"signalling benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}: "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        f"{args.rooms} rooms = {2 * args.rooms} connections per set-up, {args.inflight} rooms "
        f"in flight, {2 + 2 * args.candidates} negotiation messages per room "
        f"(offer, answer, {args.candidates} candidates each way); load average before "
        f"{args.load_before:.1f}, after {os.getloadavg()[0]:.1f}",
        "",
        f"{'set-up':45} {'conns':>6} {'KiB/conn':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'msg/s':>7} {'cpu ms/msg':>10} {'setup s':>8}",
    ]
    for r in results:
        lines.append(
            f"{r['name']:45} {r['still_open']:>6} {r['kib_per_connection']:>9.1f} "
            f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['messages'] / r['signal_s']:>7.0f} "
            f"{r['cpu_ms_per_message']:>10.3f} {r['setup_s']:>8.1f}"
        )
    lines.append("")
    bare_redis = next((r for r in results if r["name"].startswith("bare relay (2")), None)
    for r in results:
        if r["name"].startswith("bare"):
            continue
        bases = [("bare relay", bare)]
        if "Redis" in r["name"] and bare_redis is not None:
            bases.append(("bare relay over 2 processes + Redis", bare_redis))
        for label, base in bases:
            lines.append(
                f"{r['name']} / {label}: memory per connection "
                f"{r['kib_per_connection'] / base['kib_per_connection']:.1f}x, "
                f"p50 {r['p50_ms'] / base['p50_ms']:.1f}x, "
                f"p99 {r['p99_ms'] / base['p99_ms']:.1f}x, server CPU per message "
                f"{r['cpu_ms_per_message'] / base['cpu_ms_per_message']:.1f}x"
            )
    for r in results:
        warnings = r.get("server_warnings", 0)
        if r["still_open"] != r["connections"] or r["errors"] or r["lost"] or warnings:
            lines.append(f"  !! {r['name']}: {r['connections'] - r['still_open']} connections "
                         f"closed by the server (codes {r['close_codes']}), {r['lost']} "
                         f"messages lost, errors: {r['errors']}, {warnings} warnings or "
                         "errors in the server logs")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=2500, help="rooms per set-up (2 conns each)")
    parser.add_argument("--inflight", type=int, default=100,
                        help="rooms setting up or negotiating at the same time")
    parser.add_argument("--candidates", type=int, default=4, help="ICE candidates each way")
    parser.add_argument("--setups", default="single,redis",
                        help="comma-separated: single, redis")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--bare-relay", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bare-redis", help=argparse.SUPPRESS)  # "url|prefix|name"
    args = parser.parse_args()

    if args.bare_relay:
        with contextlib.suppress(ImportError):
            import uvloop  # as uvicorn uses it when installed: the same event loop for both

            uvloop.install()
        if args.bare_redis:
            asyncio.run(bare_relay_redis(args.bare_relay, *args.bare_redis.split("|")))
        else:
            asyncio.run(bare_relay(args.bare_relay))
        return

    args.load_before = os.getloadavg()[0]  # other work on the machine skews latency
    raise_fd_limit(4 * args.rooms + 1024)  # client sockets, plus the servers' (inherited)
    if not Path(VISAVIS).exists():
        sys.exit(f"{VISAVIS} not found: run scripts/bootstrap first")
    workdir = Path(tempfile.mkdtemp(prefix="visavis-bench-"))
    results = []
    try:
        with bare_setup(args.rooms, workdir) as target:
            print(f"measuring {target.name} …", flush=True)
            results.append(asyncio.run(run_clients(
                target, inflight=args.inflight, candidates=args.candidates)))
            print(json.dumps(results[-1]), flush=True)
        if "redis" in args.setups.split(","):
            with bare_redis_setup(args.rooms, workdir) as target:
                print(f"measuring {target.name} …", flush=True)
                results.append(asyncio.run(run_clients(
                    target, inflight=args.inflight, candidates=args.candidates)))
                print(json.dumps(results[-1]), flush=True)
        for kind in args.setups.split(","):
            with visavis_setup(kind, args.rooms, workdir) as target:
                print(f"measuring {target.name} …", flush=True)
                results.append(asyncio.run(run_clients(
                    target, inflight=args.inflight, candidates=args.candidates)))
            # What the servers complained of (e.g. "a message was dropped"), counted.
            results[-1]["server_warnings"] = sum(
                line.count(" WARNING ") + line.count(" ERROR ")
                for log in workdir.glob("visavis*.log")
                if log.stem in (("visavis",) if kind == "single" else ("visavis-a", "visavis-b"))
                for line in log.read_text(errors="replace").splitlines()
            )
            print(json.dumps(results[-1]), flush=True)  # kept even if a later set-up fails
    except BaseException:
        print(f"server logs kept in {workdir}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    text = report(results, args)
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"report": text, "results": results}, indent=2))


if __name__ == "__main__":
    main()
