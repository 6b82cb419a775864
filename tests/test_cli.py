"""The ``visavis`` console script, run for real as a subprocess against a temporary data dir."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.backends import configured_database_url
from tests.conftest import server_env

GOOD_PASSWORD = "correct-horse-battery-staple-42"


def _visavis_script() -> str:
    beside_python = Path(sys.executable).with_name("visavis")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("visavis")
    if found is None:
        pytest.fail("the visavis console script is not installed (pip install -e .)")
    return found


VISAVIS = _visavis_script()


@pytest.fixture
def env(tmp_path, request):
    """A clean environment whose data directory is ``tmp_path`` (and, on the PostgreSQL
    run, whose database is a fresh one)."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VISAVIS_") and key != "DJANGO_SETTINGS_MODULE"
    }
    clean["VISAVIS_DATA_DIR"] = str(tmp_path)
    clean["PYTHONUNBUFFERED"] = "1"
    clean.update(server_env(request))
    return clean


def run(env, *args, stdin: str = "", timeout: float = 60):
    return subprocess.run(
        [VISAVIS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(result):
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_createuser_creates_once(env):
    first = run(env, "createuser", "alice", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert first.returncode == 0, first.stderr

    second = run(env, "createuser", "alice", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    line = assert_one_line_error(second)
    assert "alice" in line


def test_createuser_sets_the_name_clients_see(env):
    created = run(env, "createuser", "jdoe", "--display-name", "Dr. Jane Doe",
                  "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    shown = run(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model\n"
        "from visavis.accounts.services import display_name\n"
        "print(display_name(get_user_model().objects.get(username='jdoe'), language='en'))"
    ))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "Dr. Jane Doe"


def test_createuser_rejects_empty_password(env):
    result = run(env, "createuser", "bob", "--password-stdin", stdin="\n")
    line = assert_one_line_error(result)
    assert "password" in line


def test_createtoken_prints_token_last(env):
    created = run(env, "createuser", "alice", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr

    result = run(env, "createtoken", "alice")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("vv_")
    assert len(token) > 20


def test_createtoken_for_unknown_user_fails(env):
    result = run(env, "createtoken", "nobody")
    line = assert_one_line_error(result)
    assert "nobody" in line


def test_command_before_migrate_says_what_to_do(env):
    # createuser and createtoken set the database up themselves; changepassword does not.
    result = run(env, "changepassword", "alice")
    line = assert_one_line_error(result)
    assert line.startswith("visavis:")
    assert "visavis migrate" in line


def test_invalid_config_is_one_line_exit_2(env):
    env["VISAVIS_MAX_PARTICIPANTS"] = "abc"
    result = run(env, "migrate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("visavis:")
    assert "max_participants" in lines[0]


def test_python_dash_m_reports_invalid_config_too(env):
    env["VISAVIS_MAX_PARTICIPANTS"] = "abc"
    result = subprocess.run(
        [sys.executable, "-m", "visavis", "help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("visavis:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_on_busy_port_fails_with_one_line(env):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = run(env, "serve", "--host", "127.0.0.1", "--port", str(port))
    line = assert_one_line_error(result)
    assert str(port) in line
    assert "in use" in line


def test_serve_answers_and_stops(env, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [VISAVIS, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/accounts/login/"
    status = None
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = response.status
                    break
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # what Ctrl+C sends
        try:
            stdout, stderr = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            pytest.fail(f"serve did not stop within 15 s of Ctrl+C\n{stderr}")

    assert status == 200, f"status {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    assert f"http://127.0.0.1:{port}/" in stdout
    assert "Traceback" not in stderr, stderr
    # Nothing configured: the operator is told that the privacy notice names nobody.
    assert "warning: the privacy notice" in stderr and "privacy_controller" in stderr
    assert proc.returncode == 0, stderr

    files = ("secret_key",) if configured_database_url() else ("visavis.sqlite3", "secret_key")
    for name in files:
        assert (tmp_path / name).exists(), name
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_check_deploy_warns_while_the_privacy_notice_names_nobody(env):
    """Issue 15 (4): clients must not read a notice without a responsible party; the
    operator hears about it from ``check --deploy`` (and ``serve``) until it is set."""
    unset = run(env, "check", "--deploy")
    assert "visavis.W001" in unset.stdout + unset.stderr
    assert "VISAVIS_PRIVACY_CONTACT" in unset.stdout + unset.stderr
    named = {**env, "VISAVIS_PRIVACY_CONTROLLER": "Praxis Muster, Musterweg 1, 12345 Berlin",
             "VISAVIS_PRIVACY_CONTACT": "datenschutz@praxis-muster.example"}
    result = run(named, "check", "--deploy")
    assert "visavis.W001" not in result.stdout + result.stderr
