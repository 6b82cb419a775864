"""``visavis backup DEST``: the database and the data directory's keys (ops/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from visavis import config
from visavis.ops.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Copy the SQLite database (consistently, also while visavis serves) and the data "
        "directory's keys into DEST: a new folder, or a tar file if DEST ends in .tar, "
        ".tar.gz or .tgz. With PostgreSQL, print the pg_dump command to run."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", type=Path)

    def handle(self, *args, destination: Path, **options):
        try:
            done = make_backup(
                destination.absolute(),
                data_dir=Path(settings.DATA_DIR),
                database=connection.settings_dict,
                config_file=config._config_file(),
            )
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up {', '.join(done.files) or 'nothing'} to {done.written} "
            "(readable by this user only; keep it as private as the data directory)."
        )
        if done.pg_dump:
            self.stdout.write(
                "The database is in PostgreSQL: dump it too (pg_dump asks for the password, "
                f"or reads PGPASSWORD or ~/.pgpass):\n  {done.pg_dump}"
            )
        if done.config_elsewhere:
            self.stdout.write(
                f"The configuration {done.config_elsewhere} is not in the backup: back it up "
                "as well (it holds the TURN secret)."
            )
