"""``visavis backup DEST``: a consistent copy of what a visavis installation keeps.

The data directory holds the SQLite database (``visavis.sqlite3``), the generated secret
key (``secret_key``: it signs sessions and seals the counselors' second-factor keys, so a
database restored without it loses every second factor) and possibly the configuration
(``visavis.toml``); ``static/`` is rebuilt by every ``visavis serve`` and is left out.

The database is copied with SQLite's online backup API: one read transaction, so the copy
is the database as it was at one moment, even while ``visavis serve`` writes to it (WAL
lets the writer go on meanwhile). On PostgreSQL visavis cannot make that copy itself; it
says which ``pg_dump`` line makes it, and still copies the key files.

What is written is readable by this user only: a folder 0700 with files 0600, or a tar
file 0600 (its members 0600 too). docs/deploy.md, *Backups*, says how to restore.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from visavis.config import SQLITE_NAME

KEY_FILES = ("secret_key", "visavis.toml")
TAR_ENDINGS = (".tar", ".tar.gz", ".tgz")
PG_DUMP_NAME = "visavis.pgdump"


class BackupError(Exception):
    """The backup cannot be made; the message says why, in words for the operator."""


@dataclass
class Backup:
    written: Path
    files: list[str] = field(default_factory=list)
    # On PostgreSQL: the command that dumps the database (the password is asked for).
    pg_dump: str | None = None
    # A configuration file outside the data directory, which is not in the backup.
    config_elsewhere: Path | None = None


def make_backup(destination: Path, *, data_dir: Path, database: dict,
                config_file: Path) -> Backup:
    """Copy the database (SQLite) and the key files of ``data_dir`` to ``destination``,
    a new folder or, ending in .tar, .tar.gz or .tgz, a new tar file."""
    as_tar = destination.name.endswith(TAR_ENDINGS)
    if destination.exists() and (as_tar or not destination.is_dir() or any(
            destination.iterdir())):
        raise BackupError(f"{destination} exists already; name a new folder or tar file")
    if not destination.parent.is_dir():
        raise BackupError(f"the folder {destination.parent} does not exist")
    result = Backup(destination)
    if as_tar:
        # Staged beside the tar file rather than in /tmp: the database stays on this disk.
        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".visavis-backup-"
                                         ) as stage:
            _copy_into(Path(stage), result, data_dir=data_dir, database=database)
            _write_tar(destination, Path(stage), result.files)
    else:
        destination.mkdir(mode=0o700, exist_ok=True)
        destination.chmod(0o700)  # whatever the umask
        _copy_into(destination, result, data_dir=data_dir, database=database)
    if database["ENGINE"].endswith("postgresql"):
        result.pg_dump = pg_dump_command(database, _pg_dump_target(destination, as_tar))
    if config_file.exists() and config_file.resolve().parent != data_dir.resolve():
        result.config_elsewhere = config_file
    return result


def _copy_into(folder: Path, result: Backup, *, data_dir: Path, database: dict) -> None:
    if database["ENGINE"].endswith("sqlite3"):
        copy_sqlite(Path(database["NAME"]), folder / SQLITE_NAME)
        result.files.append(SQLITE_NAME)
    for name in KEY_FILES:
        source = data_dir / name
        if source.is_file():
            _write_private(folder / name, source.read_bytes())
            result.files.append(name)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` in the new file ``target``."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source} (run `visavis migrate` first?)")
    _write_private(target, b"")
    reading = sqlite3.connect(source, timeout=20)
    try:
        copy = sqlite3.connect(target)
        try:
            reading.backup(copy)  # all pages in one step: one read transaction
            # One file that needs nothing beside it (no -wal), checked before it counts.
            copy.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the database {source}: {exc}") from None
    finally:
        reading.close()
    if verdict != "ok":
        raise BackupError(f"the copy of {source} does not check out: {verdict}")


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def _write_tar(destination: Path, stage: Path, names: list[str]) -> None:
    def private(member: tarfile.TarInfo) -> tarfile.TarInfo:
        member.mode = 0o600
        return member

    mode = "w:gz" if destination.name.endswith((".gz", ".tgz")) else "w"
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode=mode) as tar:
            for name in names:
                tar.add(stage / name, arcname=name, filter=private)
    except BaseException:
        destination.unlink(missing_ok=True)  # no half-written backup that looks whole
        raise


def _pg_dump_target(destination: Path, as_tar: bool) -> Path:
    if not as_tar:
        return destination / PG_DUMP_NAME
    stem = destination.name
    for ending in TAR_ENDINGS:
        stem = stem.removesuffix(ending)
    return destination.with_name(f"{stem}.pgdump")


def pg_dump_command(database: dict, target: Path) -> str:
    """The pg_dump line for ``database`` (Django's DATABASES entry), without the password:
    pg_dump asks for it, or reads PGPASSWORD or ~/.pgpass."""
    words = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            words.append(f"{option}={database[key]}")
    words.append(str(database["NAME"]))
    return shlex.join(words)
