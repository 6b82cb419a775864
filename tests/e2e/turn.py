"""A real coturn on loopback for the relay tests (see the shared testing recipe)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port


@dataclass
class Coturn:
    secret: str
    port: int
    realm: str
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_coturn(folder: Path, *, secret: str = "test-turn-secret") -> Coturn:
    binary = shutil.which("turnserver")
    if binary is None:
        raise RuntimeError("coturn is not installed: apt-get install coturn")
    port = free_port()
    low = 49152 + (port % 1000) * 10
    log_path = folder / "turnserver.log"
    config = folder / "turnserver.conf"
    config.write_text(
        "\n".join(
            [
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                f"listening-port={port}",
                f"min-port={low}",
                f"max-port={low + 200}",
                "realm=visavis-test",
                "use-auth-secret",
                f"static-auth-secret={secret}",
                "fingerprint",
                "no-tls",
                "no-dtls",
                "no-cli",
                "no-multicast-peers",
                # Tests only: production denies loopback and private ranges.
                "allow-loopback-peers",
                f"log-file={log_path}",
                "simple-log",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen(
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"turnserver exited: {log_path.read_text(errors='replace')}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return Coturn(secret, port, "visavis-test", process, log_path)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("turnserver did not start listening")
