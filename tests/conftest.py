"""Shared fixtures. The browser tests run against a real ``visavis serve`` process."""

from __future__ import annotations

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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "VISAVIS_DATA_DIR": str(self.data_dir)}

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
        self.log_path = self.data_dir / "server.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [visavis_command(), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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


@pytest.fixture(scope="session")
def live_server_process(tmp_path_factory):
    server = LiveServer(data_dir=tmp_path_factory.mktemp("visavis-data"))
    created = server.run("createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert created.returncode == 0, created.stderr
    other = server.run("createuser", "colleague", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert other.returncode == 0, other.stderr
    server.start()
    yield server
    server.stop()
