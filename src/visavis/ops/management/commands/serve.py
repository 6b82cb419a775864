"""``visavis serve``: migrate the database, then serve pages and video rooms in one process."""

from __future__ import annotations

import argparse
import contextlib
import errno
import signal
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Seconds to wait for open requests and WebSockets after Ctrl+C before closing them.
GRACEFUL_SHUTDOWN_SECONDS = 3

_ADDRESS_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


# Any fixed number: the PostgreSQL advisory lock that lets one process migrate at a time.
MIGRATION_LOCK = 0x76697361


def _migrate() -> None:
    """Apply migrations. On PostgreSQL, several processes starting together take turns:
    the first one migrates, the others then find nothing left to do."""
    from django.db import connection

    if connection.vendor != "postgresql":  # SQLite serves one process only
        call_command("migrate", interactive=False, verbosity=0)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        call_command("migrate", interactive=False, verbosity=0)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def _collect_static() -> None:
    """Copy the static files into the data directory with gzip copies beside them, and
    serve those: a phone on a weak connection loads less than half the bytes."""
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    settings.WHITENOISE_USE_FINDERS = False


class _Terminated(Exception):
    """SIGTERM arrived and uvicorn has shut down: stop like after Ctrl+C, with status 0."""


def _raise_terminated(signum, frame):
    raise _Terminated


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {port}")
    return port


def _check_port_free(host: str, port: int) -> None:
    """Raise CommandError unless ``host:port`` can be bound right now."""
    try:
        family, type_, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise CommandError(f"cannot listen on host {host!r}: {exc}") from None
    with socket.socket(family, type_, proto) as sock:
        if sys.platform != "win32":
            # As uvicorn's own socket does, so connections in TIME_WAIT do not count as "in use".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except PermissionError:
            raise CommandError(
                f"not allowed to use port {port} on {host} (ports below 1024 need privileges)"
            ) from None
        except OSError as exc:
            if exc.errno in _ADDRESS_IN_USE:
                raise CommandError(f"port {port} on {host} is in use") from None
            raise CommandError(f"cannot listen on port {port} on {host}: {exc.strerror}") from None


class Command(BaseCommand):
    help = (
        "Apply database migrations, then serve visavis (web pages and video rooms) "
        "in this process until Ctrl+C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=_port, default=8000, help="port to listen on (default: 8000)"
        )

    def handle(self, *args, host: str, port: int, **options):
        import uvicorn
        from uvicorn.config import LOG_LEVELS

        log_level = settings.CONFIG.log_level.lower()
        if log_level not in LOG_LEVELS:
            raise CommandError(
                f"log level {settings.CONFIG.log_level!r} is not one of "
                + ", ".join(name.upper() for name in LOG_LEVELS)
            )

        # Fail fast on a busy port, before touching the database.
        _check_port_free(host, port)
        _migrate()
        # The imports inside handle() are on purpose: the purge thread, the ASGI application
        # (which builds the whole site) and the log filter load only once the port is free and
        # the database is migrated, not when the command is merely listed or asked for --help.
        # Appointments past the retention period are deleted now and then once a day.
        from visavis.appointments.retention import DailyPurge

        DailyPurge().start()
        _collect_static()

        from visavis.asgi import application
        from visavis.consent.services import operator_warning

        # Told at every start until fixed: clients would read a notice naming nobody.
        warning = operator_warning()
        if warning:
            self.stderr.write(f"visavis: warning: {warning} (see docs/config.md)")
            self.stderr.flush()

        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"visavis is running at http://{shown_host}:{port}/ — press Ctrl+C to stop."
        )
        self.stdout.flush()
        # On Ctrl+C (SIGINT) or SIGTERM uvicorn stops accepting, closes every WebSocket
        # with code 1012 ("service restart", so clients reconnect at once, to this or
        # another process), waits up to GRACEFUL_SHUTDOWN_SECONDS for the consumers to
        # finish, and then raises the signal it caught again: SIGINT as KeyboardInterrupt,
        # SIGTERM through the handler below. tests/ops/test_shutdown.py holds it to that.
        import logging

        from visavis.ops.redact import DropConnectionLines

        logging.getLogger("uvicorn.error").addFilter(DropConnectionLines())
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
        with contextlib.suppress(KeyboardInterrupt, _Terminated):
            uvicorn.run(
                application,
                host=host,
                port=port,
                # Guest URLs carry secret room tokens: never write request lines anywhere.
                access_log=False,
                log_level=log_level,
                proxy_headers=False,
                server_header=False,
                # Well above our own limit, so that an oversized message gets the
                # protocol's "too-large" error rather than a bare close from uvicorn.
                ws_max_size=4 * settings.VISAVIS["WS_MAX_MESSAGE_BYTES"],
                # No per-message compression: it cost more CPU than everything else a
                # relay does (bench/signalling.py), and compressing secrets (resume tokens)
                # beside attacker-chosen text is what CRIME-style attacks feed on.
                ws_per_message_deflate=False,
                # uvicorn's own keepalive: a connection whose pong is 60 s late is dead.
                # (Its default of 20 s closed healthy connections of a busy process.)
                ws_ping_interval=20,
                ws_ping_timeout=60,
                lifespan="off",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
        signal.signal(signal.SIGTERM, previous)
        self.stdout.write("visavis stopped.")
