"""The SQLite data stays private: the data folder is the service user's alone, the
database files too, and what the purge deleted is not left readable in the files."""

from __future__ import annotations

import os
import stat

from tests.burst import form_token, post_form
from tests.conftest import COUNSELOR_PASSWORD, LiveServer

MARKER = "Zebulon-Quastenflosser"
OLD_APPOINTMENT = f"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from visavis.appointments import services
from visavis.appointments.models import Appointment
owner = get_user_model().objects.get(username="carol")
old = services.create_appointment(
    owner=owner, title="{MARKER}", start=timezone.now(), duration_minutes=50
)
Appointment.objects.filter(pk=old.pk).update(start=timezone.now() - timedelta(days=200))
"""


def sqlite_server(tmp_path) -> LiveServer:
    """Commands on a SQLite data folder (whatever round this is)."""
    server = LiveServer(data_dir=tmp_path / "data")
    for name in ("DATABASE_URL", "VISAVIS_DATABASE_URL", "REDIS_URL", "VISAVIS_REDIS_URL"):
        server.extra_env[name] = ""
    return server


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_data_folder_and_database_are_private(tmp_path):
    os.umask(0o022)  # the usual umask, which made the database world-readable
    server = sqlite_server(tmp_path)
    done = server.run("createuser", "carol", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert done.returncode == 0, done.stderr
    data = server.data_dir
    assert mode(data) == 0o700
    files = sorted(p.name for p in data.iterdir() if p.name.startswith("visavis.sqlite3"))
    assert "visavis.sqlite3" in files
    for name in [*files, "secret_key"]:
        assert mode(data / name) == 0o600, (name, oct(mode(data / name)))


def test_an_older_world_readable_database_is_narrowed(tmp_path):
    server = sqlite_server(tmp_path)
    server.data_dir.mkdir(mode=0o755)
    database = server.data_dir / "visavis.sqlite3"
    database.touch(mode=0o644)
    assert server.run("migrate").returncode == 0
    assert mode(server.data_dir) == 0o700 and mode(database) == 0o600


def test_what_the_purge_deleted_is_not_left_in_the_files(tmp_path):
    server = sqlite_server(tmp_path)
    created = server.run("createuser", "carol", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    assert created.returncode == 0, created.stderr
    # A running server keeps its database connections open, so SQLite keeps the -wal file.
    server.start()
    try:
        login = "/accounts/login/"
        post_form(server, login, {"username": "x", "password": "y"}, form_token(server, login))
        made = server.run("shell", "-c", OLD_APPOINTMENT)
        assert made.returncode == 0, made.stderr
        files = [server.data_dir / n for n in ("visavis.sqlite3", "visavis.sqlite3-wal")]
        assert any(MARKER.encode() in p.read_bytes() for p in files if p.exists())
        purged = server.run("purge")
        assert purged.returncode == 0, purged.stderr
        assert "Deleted 1 appointment" in purged.stdout
        for path in files:
            if path.exists():
                assert MARKER.encode() not in path.read_bytes(), path.name
    finally:
        server.stop()
