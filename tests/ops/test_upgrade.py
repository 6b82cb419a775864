"""The upgrade path of docs/deploy.md on a data directory made by an earlier visavis.

The earlier version is the code of ``EARLIER`` (the last commit of 22 November 2026,
before second-factor sealing and display names added migrations), taken out of this
repository's history with ``git archive`` and run from its own ``src`` with this
virtualenv. It creates a counselor and an appointment; then this version's
``visavis check --deploy`` reports the pending migrations, ``visavis migrate`` applies
them, ``visavis check --deploy`` passes, and the counselor and the appointment are there.
Skipped, saying why, where the history is not at hand (a shallow clone, an export).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.ops.commands import clean_env, run

EARLIER = "c7e1388"
REPOSITORY = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "allowed_hosts": '["video.example.org"]',
    "behind_tls_proxy": "true",
    "privacy_controller": "Praxis Muster, Musterweg 1, 12345 Berlin",
    "privacy_contact": "datenschutz@praxis-muster.example",
}

MAKE_DATA = """
import visavis
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from visavis.appointments.models import Appointment
user = get_user_model().objects.create_user("counselor", password="Quiet-Room-4711")
Appointment.objects.create(owner=user, title="Before the upgrade",
                           start=timezone.now() + timedelta(days=1), duration_minutes=50)
print(visavis.__file__)
"""


def _earlier_source(folder: Path) -> Path:
    """The earlier version's ``src`` folder, or skip the test saying why not."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True,
                              timeout=60)
    if git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: the earlier version cannot be taken from history")
    if git("cat-file", "-e", f"{EARLIER}^{{commit}}").returncode != 0:
        shallow = git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
        pytest.skip(f"commit {EARLIER} is not in this clone"
                    + (" (a shallow clone: git fetch --unshallow)" if shallow else ""))
    archive = git("archive", "--format=tar", EARLIER, "src")
    assert archive.returncode == 0, archive.stderr
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def _run_earlier(source: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**clean_env(data_dir), "PYTHONPATH": str(source)}
    return subprocess.run([sys.executable, "-m", "visavis", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_data_directory_of_an_earlier_version_upgrades(tmp_path):
    source = _earlier_source(tmp_path / "earlier")
    data_dir = tmp_path / "data"

    # The earlier version, from its own code (not this one), makes its data.
    migrated = _run_earlier(source, data_dir, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    made = _run_earlier(source, data_dir, "shell", "-c", MAKE_DATA)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[-1].startswith(str(source)), made.stdout
    key = (data_dir / "secret_key").read_text()

    # This version: the check sees what is missing, migrate brings it, the check passes.
    before = run(data_dir, "check", "--deploy", **PRODUCTION)
    assert before.returncode == 1
    assert "visavis.E041" in before.stderr, before.stderr
    migrated = run(data_dir, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    after = run(data_dir, "check", "--deploy", **PRODUCTION)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "visavis.E" not in after.stdout + after.stderr

    # Everything is still there, and this version can use it.
    with sqlite3.connect(data_dir / "visavis.sqlite3") as db:
        titles = [t for (t,) in db.execute("SELECT title FROM appointments_appointment")]
    assert titles == ["Before the upgrade"]
    assert (data_dir / "secret_key").read_text() == key
    token = run(data_dir, "createtoken", "counselor")
    assert token.returncode == 0, token.stderr
