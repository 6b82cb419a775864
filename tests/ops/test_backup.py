"""``visavis backup DEST`` (ops/backup.py): a consistent, private copy that restores."""

from __future__ import annotations

import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest

from tests.conftest import COUNSELOR_PASSWORD
from tests.ops.commands import run
from visavis.ops.backup import pg_dump_command


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data directory with a migrated database."""
    folder = tmp_path / "data"
    migrated = run(folder, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return folder


def _groups(database: Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {name for (name,) in db.execute("SELECT name FROM auth_group")}


def test_a_backup_is_consistent_while_the_database_is_written(data_dir, tmp_path):
    """Committed rows still only in the WAL file are in the copy; a write transaction
    open meanwhile neither blocks the backup nor leaks half into it."""
    writer = sqlite3.connect(data_dir / "visavis.sqlite3", isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the committed row in the WAL
    writer.execute("INSERT INTO auth_group (name) VALUES ('committed')")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO auth_group (name) VALUES ('not committed')")
    try:
        done = run(data_dir, "backup", str(tmp_path / "backup"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "backup"
    assert sorted(p.name for p in folder.iterdir()) == ["secret_key", "visavis.sqlite3"]
    assert _groups(folder / "visavis.sqlite3") == {"committed"}
    assert (folder / "secret_key").read_text() == (data_dir / "secret_key").read_text()
    assert _mode(folder) == 0o700
    assert {_mode(p) for p in folder.iterdir()} == {0o600}


def test_a_tar_backup_restores_into_a_new_data_directory(data_dir, tmp_path):
    created = run(data_dir, "createuser", "counselor", "--password-stdin",
                  stdin=COUNSELOR_PASSWORD)
    assert created.returncode == 0, created.stderr
    (data_dir / "visavis.toml").write_text('language_code = "de"\n')
    archive = tmp_path / "visavis-backup.tar.gz"
    done = run(data_dir, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    assert _mode(archive) == 0o600
    with tarfile.open(archive) as tar:
        members = {m.name: m.mode for m in tar.getmembers()}
        assert members == dict.fromkeys(["visavis.sqlite3", "secret_key", "visavis.toml"],
                                        0o600)
        restored = tmp_path / "restored"
        tar.extractall(restored, filter="data")
    # The restored installation is whole: checks pass, the counselor and the key are there.
    checked = run(restored, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    token = run(restored, "createtoken", "counselor")
    assert token.returncode == 0, token.stderr
    assert (restored / "secret_key").read_text() == (data_dir / "secret_key").read_text()


def test_an_existing_destination_is_not_overwritten(tmp_path):
    taken = tmp_path / "taken.tar"
    taken.write_text("keep me")
    done = run(tmp_path / "data", "backup", str(taken))
    assert done.returncode != 0
    assert "exists already" in done.stderr
    assert taken.read_text() == "keep me"


def test_on_postgresql_the_pg_dump_line_is_printed_and_the_keys_copied(tmp_path):
    folder = tmp_path / "data"
    url = "postgres://visavis:hunter2@db.example.org:5433/visavis"
    done = run(folder, "backup", str(tmp_path / "backup"), database_url=url)
    assert done.returncode == 0, done.stderr
    assert (
        f"pg_dump --format=custom --no-owner --file={tmp_path}/backup/visavis.pgdump "
        "--host=db.example.org --port=5433 --username=visavis visavis"
    ) in done.stdout
    assert "hunter2" not in done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["secret_key"]


def test_the_pg_dump_line_quotes_what_the_shell_would_split():
    line = pg_dump_command({"NAME": "my db", "USER": "", "HOST": "", "PORT": ""},
                           Path("/backups/x y.pgdump"))
    assert line == "pg_dump --format=custom --no-owner '--file=/backups/x y.pgdump' 'my db'"
