"""PostgreSQL and Redis for tests: where they are, fresh databases, skip or fail when absent.

The suite runs twice (``scripts/test``): on SQLite with the in-memory channel layer, and
with ``DATABASE_URL``/``REDIS_URL`` set. Tests that need the servers whatever the run
(two server processes sharing them) find them through the same variables, or at the
CI machine's addresses. Missing servers skip those tests on a developer's machine and
fail them in CI (``CI=true``).
"""

from __future__ import annotations

import os
import secrets
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def configured_database_url() -> str | None:
    """The PostgreSQL URL this test run uses for the suite, if any."""
    return os.environ.get("VISAVIS_DATABASE_URL") or os.environ.get("DATABASE_URL") or None


def configured_redis_url() -> str | None:
    return os.environ.get("VISAVIS_REDIS_URL") or os.environ.get("REDIS_URL") or None


def postgres_server_url() -> str:
    return configured_database_url() or DEFAULT_POSTGRES_URL


def redis_server_url() -> str:
    return configured_redis_url() or DEFAULT_REDIS_URL


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port),
                                      timeout=2):
            return True
    except OSError:
        return False


def require(what: str, url: str, default_port: int) -> None:
    """Skip the test when the server at ``url`` is not reachable; fail instead in CI."""
    if _reachable(url, default_port):
        return
    message = f"{what} is not reachable at {urlsplit(url).netloc}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI must run it (.ci/run starts it)")
    pytest.skip(message)


def require_postgres() -> str:
    url = postgres_server_url()
    require("PostgreSQL", url, 5432)
    return url


def require_redis() -> str:
    url = redis_server_url()
    require("Redis", url, 6379)
    return url


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _admin_connection(server_url: str):
    import psycopg

    # The maintenance database "postgres" exists on every server.
    return psycopg.connect(_with_path(server_url, "/postgres"), autocommit=True)


class PostgresDatabases:
    """Creates empty databases ``visavis_it_<random>`` on one server; drops them all at the end."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.names: list[str] = []

    def create(self) -> str:
        """A new empty database; returns its URL."""
        name = f"visavis_it_{secrets.token_hex(6)}"
        with _admin_connection(self.server_url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return _with_path(self.server_url, f"/{name}")

    def drop(self, url: str) -> None:
        """Drop one database now, even while servers are connected to it."""
        name = urlsplit(url).path.lstrip("/")
        with _admin_connection(self.server_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        with _admin_connection(self.server_url) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()


def isolated_redis_url(server_url: str) -> str:
    """The Redis server of ``server_url`` with a database number of its own (1 to 15).

    visavis' keys carry random channel names, so sharing a database would be harmless;
    a number of its own keeps a test session's keys apart from a running service's.
    """
    return _with_path(server_url, f"/{secrets.randbelow(15) + 1}")
