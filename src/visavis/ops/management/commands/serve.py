"""``visavis serve``: migrate the database, then serve pages and video rooms in one process."""

from __future__ import annotations

import argparse
import contextlib
import errno
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Seconds to wait for open requests and WebSockets after Ctrl+C before closing them.
GRACEFUL_SHUTDOWN_SECONDS = 3

_ADDRESS_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


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
        call_command("migrate", interactive=False, verbosity=0)

        from visavis.asgi import application

        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"visavis is running at http://{shown_host}:{port}/ — press Ctrl+C to stop."
        )
        self.stdout.flush()
        # uvicorn shuts down cleanly on Ctrl+C, then re-raises the signal it caught.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run(
                application,
                host=host,
                port=port,
                # Guest URLs carry secret room tokens: never write request lines anywhere.
                access_log=False,
                log_level=log_level,
                proxy_headers=False,
                server_header=False,
                ws_max_size=settings.VISAVIS["WS_MAX_MESSAGE_BYTES"],
                lifespan="off",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
        self.stdout.write("visavis stopped.")
