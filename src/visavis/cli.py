"""The ``visavis`` command: Django's management commands under the name ``visavis``.

``visavis serve``, ``visavis migrate``, ``visavis createuser`` and so on all go
through here. A configuration the operator must fix is reported as one line on
stderr (exit status 2) instead of a traceback.
"""

from __future__ import annotations

import os
import sys

from visavis import config

SETTINGS_MODULE = "visavis.settings"


def _fail(message: str, status: int) -> int:
    print(f"visavis: {message}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Run one management command and return the exit status."""
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "visavis"  # the program name Django shows in usage and help
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    try:
        config.load()
    except config.ConfigError as exc:
        return _fail(str(exc), 2)

    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        # Import the settings now, so a data directory that cannot be created or
        # read (the secret key lives there) is one line, not a traceback.
        settings.SECRET_KEY  # noqa: B018
    except config.ConfigError as exc:
        return _fail(str(exc), 2)
    except OSError as exc:
        return _fail(f"cannot use the data directory: {exc}", 1)

    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except (OperationalError, ProgrammingError) as exc:
        # SQLite says "no such table", PostgreSQL 'relation "…" does not exist'.
        if not ("no such table" in str(exc) or
                ("relation" in str(exc) and "does not exist" in str(exc))):
            raise
        reason = str(exc).splitlines()[0]  # PostgreSQL adds lines pointing into the query
        return _fail(f"the database is not set up yet ({reason}); run 'visavis migrate' first", 1)
    return 0
