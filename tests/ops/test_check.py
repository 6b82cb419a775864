"""``visavis check`` (ops/checks.py) against a good set-up and broken ones.

Each test plants one fault into an otherwise good set-up — a real coturn configured by
``visavis turnconfig``, a migrated SQLite database, a private secret key, a public host
name behind the TLS proxy — and runs the real command, which must name the fault by its
id. The good set-up itself passes clean.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from tests.backends import isolated_redis_url, require_redis
from tests.conftest import free_port
from tests.e2e.turn import start_coturn
from tests.ops.commands import run
from visavis.ops import checks, turnprobe

SECRET = "check-test-secret"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A data directory with a migrated database and a generated secret key (0600)."""
    folder = tmp_path_factory.mktemp("check-migrated") / "data"
    done = run(folder, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def coturn(tmp_path_factory, migrated):
    """coturn running the configuration `visavis turnconfig` writes (private peers
    denied); yields its turn: URL."""
    if shutil.which("turnserver") is None:
        pytest.fail("coturn is not installed (scripts/system-packages)")
    folder = tmp_path_factory.mktemp("check-coturn")
    port = free_port()
    low = 49152 + (port % 1000) * 10
    made = run(migrated, "turnconfig", "--no-tls", "--listening-ip", "127.0.0.1",
                "--port", str(port), "--min-port", str(low), "--max-port", str(low + 20),
                "--log-file", str(folder / "turn.log"), turn_secret=SECRET)
    assert made.returncode == 0, made.stderr
    (folder / "turnserver.conf").write_text(made.stdout)
    process = subprocess.Popen(["turnserver", "-c", str(folder / "turnserver.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        yield f"turn:127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    for _ in range(100):
        assert process.poll() is None, "turnserver exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        threading.Event().wait(0.1)
    pytest.fail("turnserver did not start listening")


@pytest.fixture
def data_dir(migrated, tmp_path) -> Path:
    """A copy of the migrated data directory, for one test to break."""
    copy = tmp_path / "data"
    shutil.copytree(migrated, copy)
    return copy


def good(coturn: str, **changes: str) -> dict[str, str]:
    """The settings of a good production set-up, with ``changes``."""
    return {
        "allowed_hosts": '["video.example.org"]',
        "csrf_trusted_origins": '["https://video.example.org"]',
        "behind_tls_proxy": "true",
        "privacy_controller": "Praxis Muster, Musterweg 1, 12345 Berlin",
        "privacy_contact": "datenschutz@praxis-muster.example",
        "turn_urls": json.dumps([coturn, coturn + "?transport=tcp"]),
        "turn_secret": SECRET,
        **changes,
    }


def check(data_dir: Path, settings_: dict[str, str], *, deploy: bool = True):
    result = run(data_dir, "check", *(["--deploy"] if deploy else []), **settings_)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout + result.stderr


def test_a_good_set_up_passes_clean(data_dir, coturn):
    status, output = check(data_dir, good(coturn))
    assert status == 0, output
    assert "System check identified no issues" in output, output


def test_plain_check_connects_to_nothing(data_dir):
    """Without --deploy nothing is contacted: an unreachable TURN server, Redis and an
    unmigrated database go unmentioned."""
    (data_dir / "visavis.sqlite3").unlink()
    status, output = check(data_dir, good(f"turn:127.0.0.1:{free_port()}",
                                          redis_url=f"redis://127.0.0.1:{free_port()}/0"),
                           deploy=False)
    assert status == 0, output
    assert "no issues" in output, output


def test_a_wrong_turn_secret_is_an_error(data_dir, coturn):
    status, output = check(data_dir, good(coturn, turn_secret="not-" + SECRET))
    assert status == 1
    assert "visavis.E061" in output, output
    assert "static-auth-secret" in output


def test_a_turn_server_that_relays_to_loopback_is_an_error(data_dir, tmp_path):
    """coturn with allow-loopback-peers and no denied-peer-ip lines (as in the browser
    tests) lets a credential reach 127.0.0.1 and the private networks."""
    relay = start_coturn(tmp_path, secret=SECRET)
    try:
        status, output = check(data_dir, good(f"turn:127.0.0.1:{relay.port}"))
    finally:
        relay.stop()
    assert status == 1
    assert "visavis.E065" in output, output
    assert "127.0.0.1" in output and "10.0.0.1" in output
    assert "visavis.E061" not in output  # the secret itself was right


def test_an_unreachable_turn_server_is_an_error(data_dir):
    status, output = check(data_dir, good(f"turn:127.0.0.1:{free_port()}"))
    assert status == 1
    assert "visavis.E060" in output, output


def test_a_stopped_redis_is_an_error(data_dir, coturn):
    status, output = check(data_dir, good(coturn, redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert status == 1
    assert "visavis.E050" in output, output


def test_an_unmigrated_database_is_an_error(data_dir, coturn):
    (data_dir / "visavis.sqlite3").unlink()
    status, output = check(data_dir, good(coturn))
    assert status == 1
    assert "visavis.E041" in output, output
    assert "visavis migrate" in output


def test_an_unreachable_postgresql_is_an_error(data_dir, coturn):
    url = f"postgres://visavis:hunter2@127.0.0.1:{free_port()}/visavis"
    status, output = check(data_dir, good(coturn, database_url=url))
    assert status == 1
    assert "visavis.E040" in output, output
    assert "hunter2" not in output


def test_postgresql_and_redis_pass_once_migrated(data_dir, coturn, postgres_databases):
    """The good set-up on the backends of several processes: an empty PostgreSQL
    database is found unmigrated, and after `visavis migrate` all is clean."""
    backends = {"database_url": postgres_databases.create(),
                "redis_url": isolated_redis_url(require_redis())}
    status, output = check(data_dir, good(coturn, **backends))
    assert status == 1
    assert "visavis.E041" in output and "visavis.E050" not in output, output
    migrated = run(data_dir, "migrate", "-v0", **backends)
    assert migrated.returncode == 0, migrated.stderr
    status, output = check(data_dir, good(coturn, **backends))
    assert status == 0, output
    assert "no issues" in output, output


def test_a_secret_key_others_can_read_is_an_error(data_dir, coturn):
    (data_dir / "secret_key").chmod(0o644)
    status, output = check(data_dir, good(coturn), deploy=False)
    assert status == 1
    assert "visavis.E010" in output, output
    assert "chmod 600" in output


def test_serve_refuses_to_start_on_an_error_of_plain_check(data_dir):
    """Every command runs the plain checks first (Django does): an error stops it."""
    (data_dir / "secret_key").chmod(0o640)
    started = run(data_dir, "serve", "--port", str(free_port()))
    assert started.returncode == 1
    assert "visavis.E010" in started.stderr, started.stderr


def test_an_smtp_server_that_does_not_answer_is_an_error(data_dir, coturn):
    status, output = check(data_dir, good(coturn, email_host="127.0.0.1",
                                          email_port=str(free_port())))
    assert status == 1
    assert "visavis.E070" in output, output


def test_an_smtp_server_that_answers_ehlo_passes(data_dir, coturn):
    with _tiny_smtp_server() as port:
        status, output = check(data_dir, good(coturn, email_host="127.0.0.1",
                                              email_port=str(port), email_use_tls="false"))
    assert status == 0, output
    assert "no issues" in output, output


class _tiny_smtp_server:
    """Greets, answers EHLO and QUIT: all that the check asks of an SMTP server."""

    def __enter__(self) -> int:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self.listener.getsockname()[1]

    def _serve(self) -> None:
        with self.listener:
            conn, _ = self.listener.accept()
            with conn, conn.makefile("rwb") as stream:
                stream.write(b"220 test ESMTP\r\n")
                stream.flush()
                for line in stream:
                    stream.write(b"221 bye\r\n" if line.upper().startswith(b"QUIT")
                                 else b"250 test\r\n")
                    stream.flush()
                    if line.upper().startswith(b"QUIT"):
                        return

    def __exit__(self, *exc_info) -> None:
        self.thread.join(timeout=5)


# Configuration alone, in this process (the command itself is shown above to run them).


def _ids(found) -> list[str]:
    return [finding.id for finding in found]


def test_a_configuration_file_everyone_can_read_is_a_warning(tmp_path, monkeypatch):
    config = tmp_path / "visavis.toml"
    config.write_text('language_code = "de"\n')
    monkeypatch.setenv("VISAVIS_CONFIG", str(config))
    with override_settings(DATA_DIR=tmp_path):
        config.chmod(0o640)
        assert _ids(checks.secret_files()) == []
        config.chmod(0o644)
        assert _ids(checks.secret_files()) == ["visavis.W011"]


@pytest.mark.parametrize("hosts", [["https://video.example.org"], ["video.example.org:443"],
                                   ["video.example.org/"], ["[::1"]])
def test_allowed_hosts_that_never_match_are_an_error(hosts):
    with override_settings(ALLOWED_HOSTS=hosts):
        assert _ids(checks.allowed_hosts()) == ["visavis.E020"]


def test_allowed_hosts_that_match_pass():
    hosts = ["video.example.org", ".example.org", "[::1]", "127.0.0.1", "localhost"]
    with override_settings(ALLOWED_HOSTS=hosts):
        assert _ids(checks.allowed_hosts()) == []


def test_a_wildcard_host_is_a_warning():
    with override_settings(ALLOWED_HOSTS=["*"]):
        assert _ids(checks.allowed_hosts()) == ["visavis.W021"]


def _deploy_settings(**visavis):
    return override_settings(ALLOWED_HOSTS=["video.example.org"],
                             VISAVIS={**settings.VISAVIS, "BEHIND_TLS_PROXY": True, **visavis})


def test_allowed_hosts_with_only_this_machine_are_a_warning():
    with _deploy_settings():
        assert _ids(checks.public_address()) == []
    with _deploy_settings(), override_settings(ALLOWED_HOSTS=["127.0.0.1", "localhost"]):
        assert _ids(checks.public_address()) == ["visavis.W022"]


def test_no_trust_in_the_proxy_header_is_a_warning():
    with _deploy_settings(BEHIND_TLS_PROXY=False):
        found = checks.public_address()
    assert _ids(found) == ["visavis.W023"]
    assert "X-Forwarded-Proto" in found[0].msg


def test_turn_urls_without_a_secret_is_a_warning():
    with _deploy_settings(TURN_URLS=["turn:turn.example.org"], TURN_SECRET=None):
        assert _ids(checks.turn_settings()) == ["visavis.W030"]
    with _deploy_settings(TURN_URLS=["turn:turn.example.org"], TURN_SECRET="s"):
        assert _ids(checks.turn_settings()) == []


# The clock, in this process: visavis's clock is moved back, as if coturn's ran ahead.


def _probe_with_clock_behind(coturn: str, seconds: int):
    address = turnprobe.parse_url(coturn)
    visavis = {**settings.VISAVIS, "TURN_SECRET": SECRET, "TURN_CREDENTIAL_TTL": 600}
    with override_settings(VISAVIS=visavis), time_machine.travel(
        datetime.now(UTC) - timedelta(seconds=seconds), tick=True
    ):
        return checks._probe(address, probe_peers=True)


def test_a_turn_server_whose_clock_is_far_ahead_is_an_error(coturn):
    found, granted = _probe_with_clock_behind(coturn, 3600)
    assert [f.id for f in found] == ["visavis.E062"], found
    assert granted


def test_a_turn_server_whose_clock_is_minutes_ahead_is_a_warning(coturn):
    found, _ = _probe_with_clock_behind(coturn, 300)
    assert [f.id for f in found] == ["visavis.W063"], found


def test_clocks_in_step_and_private_peers_refused_give_no_finding(coturn):
    found, granted = _probe_with_clock_behind(coturn, 0)
    assert (found, granted) == ([], True)


@pytest.mark.parametrize(("url", "expected"), [
    ("turn:turn.example.org", ("turn.example.org", 3478, "udp")),
    ("turn:turn.example.org:3479?transport=tcp", ("turn.example.org", 3479, "tcp")),
    ("turns:turn.example.org:443?transport=tcp", ("turn.example.org", 443, "tls")),
    ("turn:[2001:db8::1]:3478?transport=udp", ("2001:db8::1", 3478, "udp")),
    ("stun:stun.example.org", None),
])
def test_turn_urls_are_read_as_browsers_read_them(url, expected):
    found = turnprobe.parse_url(url)
    assert (found and (found.host, found.port, found.transport)) == expected
