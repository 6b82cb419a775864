"""The running server deletes old appointments by itself, and ``visavis purge`` by hand."""

from __future__ import annotations

import time

import pytest

from tests.conftest import COUNSELOR_PASSWORD, LiveServer, server_env
from visavis.appointments.retention import DailyPurge

OLD_APPOINTMENT = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from visavis.appointments.services import create_appointment
user = get_user_model().objects.get(username="counselor")
create_appointment(owner=user, title="Long ago", duration_minutes=50,
                   start=timezone.now() - timedelta(days=400))
create_appointment(owner=user, title="Recent", duration_minutes=50,
                   start=timezone.now() - timedelta(days=3))
"""
TITLES = """
from visavis.appointments.models import Appointment
print(sorted(Appointment.objects.values_list("title", flat=True)))
"""


def _titles(server: LiveServer) -> str:
    result = server.run("shell", "-c", TITLES)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_serve_purges_old_appointments_by_itself(tmp_path, request):
    server = LiveServer(data_dir=tmp_path, extra_env=server_env(request))
    assert server.run("createuser", "counselor", "--password-stdin",
                      stdin=COUNSELOR_PASSWORD).returncode == 0
    created = server.run("shell", "-c", OLD_APPOINTMENT)
    assert created.returncode == 0, created.stderr
    assert _titles(server) == "['Long ago', 'Recent']"
    server.start()
    try:
        deadline = time.monotonic() + 30
        while _titles(server) != "['Recent']":
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
    finally:
        server.stop()


def test_purge_command_in_a_fresh_data_directory(tmp_path, request):
    server = LiveServer(data_dir=tmp_path, extra_env=server_env(request))
    server.run("createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    server.run("shell", "-c", OLD_APPOINTMENT)
    result = server.run("purge")
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 appointment(s) that ended more than 90 days ago." in result.stdout
    assert _titles(server) == "['Recent']"
    env_result = server.run("purge")
    assert "Deleted 0 appointment(s)" in env_result.stdout


@pytest.mark.django_db(transaction=True)
def test_daily_purge_thread_runs_at_once_and_survives_a_failure(monkeypatch):
    from visavis.appointments import services

    calls = []

    def flaky_purge(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return 0

    monkeypatch.setattr(services, "purge", flaky_purge)
    runner = DailyPurge(interval=3600, retry=0.01).start()
    deadline = time.monotonic() + 10
    while runner.runs < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    runner.stop()
    assert len(calls) == 2  # failed once, retried soon; then waits a full interval
