"""Shared fixtures. The browser tests run against a real ``visavis serve`` process."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.backends import PostgresDatabases, configured_database_url, require_postgres

COUNSELOR_PASSWORD = "Quiet-Room-4711"


def visavis_command() -> str:
    found = shutil.which("visavis") or str(Path(sys.executable).with_name("visavis"))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A visavis process on its own port and data directory, with its log captured."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        # Every test browser connects and knocks from 127.0.0.1: per-address limits meant
        # for the public would trip over the suite itself (tests/privacy/test_limits.py
        # checks the limits on their own).
        return {
            **os.environ,
            "VISAVIS_DATA_DIR": str(self.data_dir),
            "VISAVIS_KNOCKS_PER_MINUTE": "1000",
            "VISAVIS_MAX_CONNECTIONS_PER_ADDRESS": "1000",
            **self.extra_env,
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [visavis_command(), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self) -> None:
        self.launch()
        self.wait_until_up()

    def launch(self) -> None:
        """Start the process and return at once."""
        self.log_path = self.data_dir / "server.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [visavis_command(), "serve", "--host", self.host, "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=1)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer in time:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


@pytest.fixture(autouse=True)
def _fresh_abuse_limits():
    """The room abuse limits (rooms/limits.py): each test starts with nothing counted."""
    from visavis.rooms import limits

    limits.reset()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each async test runs in an event loop of its own; a channel layer (channels-redis
    keeps asyncio locks and connections) belongs to the loop it was first used in, and a
    consumer cancelled at a test's end may leave its receive lock taken. So every test
    gets a new layer instance."""
    yield
    from channels.layers import channel_layers

    channel_layers.backends.clear()


@pytest.fixture(scope="session")
def postgres_databases():
    """Fresh PostgreSQL databases for server processes, dropped at the end of the session."""
    databases = PostgresDatabases(require_postgres())
    yield databases
    databases.drop_all()


def server_env(request) -> dict[str, str]:
    """Environment for a server process: on the PostgreSQL run, a database of its own."""
    if not configured_database_url():
        return {}
    url = request.getfixturevalue("postgres_databases").create()
    return {"VISAVIS_DATABASE_URL": url}


@pytest.fixture(scope="session")
def two_servers(tmp_path_factory):
    """Two ``visavis serve`` processes sharing one PostgreSQL database and one Redis.

    No sticky sessions: each test picks which process each participant talks to. The
    database is a fresh ``visavis_it_<random>`` (dropped at the end), Redis a database
    number of its own. Both share the secret key, as all processes of one service must.
    Each server has ``api_token``, an API token of the counselor ``counselor``.
    """
    import secrets

    from tests.backends import isolated_redis_url, require_redis

    databases = PostgresDatabases(require_postgres())
    shared = {
        "VISAVIS_DATABASE_URL": databases.create(),
        "VISAVIS_REDIS_URL": isolated_redis_url(require_redis()),
        "VISAVIS_SECRET_KEY": secrets.token_urlsafe(50),
    }
    servers = [
        LiveServer(data_dir=tmp_path_factory.mktemp(f"visavis-{name}"), extra_env=shared)
        for name in ("a", "b")
    ]
    created = servers[0].run(
        "createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD
    )
    assert created.returncode == 0, created.stderr
    issued = servers[0].run("createtoken", "counselor")
    assert issued.returncode == 0, issued.stderr
    try:
        for server in servers:
            server.start()
            server.api_token = issued.stdout.strip().splitlines()[-1]
        yield servers
    finally:
        for server in servers:
            server.stop()
        databases.drop_all()


@contextlib.contextmanager
def running_server(tmp_path_factory, request, name: str, *, users=("counselor",), **env):
    """A started visavis process with its own data directory (and, on the PostgreSQL run,
    database), the given counselors (password COUNSELOR_PASSWORD) and extra settings."""
    server = LiveServer(
        data_dir=tmp_path_factory.mktemp(f"visavis-{name}"),
        extra_env={**server_env(request), **env},
    )
    for user in users:
        created = server.run("createuser", user, "--password-stdin", stdin=COUNSELOR_PASSWORD)
        assert created.returncode == 0, created.stderr
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_server_process(tmp_path_factory, request):
    with running_server(
        tmp_path_factory, request, "data", users=("counselor", "colleague")
    ) as server:
        yield server


def pytest_collection_modifyitems(config, items):
    """Browser tests last. Playwright's sync API keeps an event loop running in this thread
    from the first browser test on; async tests must all have run before that."""
    def uses_browser(item) -> bool:
        names = set(getattr(item, "fixturenames", ()))
        return bool(names & {"browser", "playwright", "new_page"})

    items.sort(key=uses_browser)
