"""Operator configuration: an optional TOML file plus ``VISAVIS_*`` environment variables.

Every value has a working default, so ``visavis serve`` runs on a fresh machine with
nothing configured. The environment wins over the file; the file is
``$VISAVIS_CONFIG`` if set, else ``visavis.toml`` in the data directory.
``docs/config.md`` lists every setting; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class ConfigError(Exception):
    """The operator's configuration cannot be used; the message says which value and why."""


def _default_data_dir() -> Path:
    return Path(os.environ.get("VISAVIS_DATA_DIR", "data")).resolve()


def _config_file() -> Path:
    explicit = os.environ.get("VISAVIS_CONFIG")
    return Path(explicit) if explicit else _default_data_dir() / "visavis.toml"


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VISAVIS_", extra="forbid")

    data_dir: Path = Field(default_factory=_default_data_dir)
    debug: bool = False
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "[::1]"]
    csrf_trusted_origins: list[str] = []
    secret_key: str | None = None
    language_code: str = "en"
    time_zone: str = "Europe/Berlin"
    max_participants: int = Field(default=4, ge=2, le=8)
    # Group appointments (issue 18): the most people in a group session's call, the
    # counselor included; nine is the German rule for group psychotherapy by video.
    max_group_size: int = Field(default=9, ge=3, le=9)
    ws_max_message_bytes: int = Field(default=65536, ge=4096, le=1048576)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"
    # NAT traversal (coturn). No STUN or TURN server by default: no third party learns
    # of a call. See docs/deploy.md.
    turn_urls: list[Annotated[str, Field(pattern=r"^(stun|stuns|turn|turns):[^\s]+$")]] = []
    turn_secret: str | None = None
    turn_credential_ttl: int = Field(default=600, ge=60, le=7 * 24 * 3600)
    turn_realm: str = "visavis"
    ice_transport_policy: Literal["all", "relay"] = "all"
    resume_grace_seconds: int = Field(default=60, ge=5, le=3600)
    # Tests only: the server alters DTLS fingerprints it relays, playing the man in the
    # middle, so that a test can show the safety codes then differ. Never in production.
    test_tamper_fingerprints: bool = False

    # Appointments (issue 3): when a guest link works, PIN attempts, retention, e-mail.
    room_opens_minutes_before: int = Field(default=15, ge=0, le=1440)
    room_closes_minutes_after: int = Field(default=60, ge=0, le=1440)
    pin_max_attempts: int = Field(default=5, ge=1, le=100)
    pin_lockout_minutes: int = Field(default=15, ge=1, le=1440)
    retention_days: int = Field(default=90, ge=1, le=3650)
    email_host: str | None = None
    email_port: int = Field(default=587, ge=1, le=65535)
    email_host_user: str = ""
    email_host_password: str = ""
    email_use_tls: bool = True
    email_use_ssl: bool = False
    email_from: str = "visavis@localhost"

    # Several processes (issue 9). Unset: SQLite in the data directory and an in-memory
    # channel layer, i.e. one process. The conventional DATABASE_URL / REDIS_URL are read
    # too; VISAVIS_* wins over them.
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("VISAVIS_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("VISAVIS_REDIS_URL", "REDIS_URL", "redis_url"),
    )
    metrics: bool = False

    # Privacy and abuse limits (issue 8).
    behind_tls_proxy: bool = False
    ws_messages_per_second: float = Field(default=40, ge=1, le=10000)
    ws_message_burst: int = Field(default=200, ge=1, le=100000)
    max_connections_per_room: int = Field(default=16, ge=2, le=1000)
    max_connections_per_address: int = Field(default=20, ge=1, le=10000)
    knocks_per_minute: int = Field(default=5, ge=1, le=1000)
    # Where the quick exit of a call leads (web/exit.py): a path on this server or an
    # http(s) address. The default is a plain, unbranded page of visavis itself.
    quick_exit_url: str = "/start"

    # Consent (issue 4): the operator's privacy notice, de.html and en.html (HTML fragments)
    # in this directory; unset or a missing file: the shipped default text.
    privacy_notice_dir: Path | None = None
    # Who is responsible for the data, shown in the shipped notice (issue 15): name and
    # address, how to reach them about privacy, the data protection officer and the legal
    # basis (both optional). Unset: the notice says so in neutral words, and `serve` and
    # `check --deploy` warn the operator.
    privacy_controller: str | None = Field(default=None, max_length=2000)
    privacy_contact: str | None = Field(default=None, max_length=2000)
    privacy_officer: str | None = Field(default=None, max_length=2000)
    privacy_legal_basis: str | None = Field(default=None, max_length=2000)

    # Counselor accounts (issues 5 and 8): second factor, login throttling, idle sessions.
    require_second_factor: bool = False
    login_max_attempts: int = Field(default=5, ge=1, le=1000)
    login_max_attempts_per_address: int = Field(default=20, ge=1, le=100000)
    login_window_minutes: int = Field(default=15, ge=1, le=1440)
    session_idle_minutes: int = Field(default=60, ge=5, le=43200)

    # Moderation (issue 5): the host's session timer turns to a gentle cue this many
    # minutes before the appointment's scheduled end (0: no cue).
    session_end_warning_minutes: int = Field(default=5, ge=0, le=120)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value:
            database_settings(value)  # raises ValueError with a readable message
        return value or None

    @field_validator("quick_exit_url")
    @classmethod
    def _check_quick_exit_url(cls, value: str) -> str:
        value = value.strip()
        if re.fullmatch(r"/(?![/\\])\S*", value) or re.fullmatch(r"https?://[^\s/?#]+\S*", value):
            return value
        raise ValueError(
            "must be a path on this server (/start) or an http(s) address (https://example.org/)"
        )

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value:
            _check_redis(value)
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_config_file()),
        )


# Settings with more than one name report errors under their setting name.
_ALIAS_NAMES = {"VISAVIS_DATABASE_URL": "database_url", "VISAVIS_REDIS_URL": "redis_url"}


@lru_cache(maxsize=1)
def load() -> Config:
    """Read the configuration once per process; raise ConfigError with a readable message."""
    try:
        return Config()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(_ALIAS_NAMES.get(str(p), str(p)) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read configuration file {_config_file()}: {exc}") from None


SQLITE_NAME = "visavis.sqlite3"


def prepare_data_dir(config: Config) -> None:
    """Make the data directory private to the user visavis runs as (mode 0700), and the
    SQLite database in it (0600: created so before SQLite opens it, or narrowed if an
    older version made it readable for all). SQLite gives its ``-wal`` and ``-shm``
    files the mode of the database. An existing folder or file this user may not change
    is left as it is."""
    directory = config.data_dir
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        directory.chmod(0o700)
    if config.database_url:
        return
    database = directory / SQLITE_NAME
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (database, *(directory / f"{SQLITE_NAME}{end}" for end in ("-wal", "-shm"))):
            if path.exists():
                path.chmod(0o600)


def secret_key(config: Config) -> str:
    """The configured secret key, or one generated once into the data directory (mode 0600)."""
    if config.secret_key:
        return config.secret_key
    path = config.data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process started at the same moment and won
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
REDIS_SCHEMES = ("redis", "rediss", "unix")


def _without_password(url: str) -> str:
    """``url`` as it may appear in an error message: any password replaced by ``***``."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url)


def database_settings(url: str) -> dict:
    """Django's DATABASES entry for a PostgreSQL ``url``; ValueError names what is wrong."""
    import dj_database_url

    shown = _without_password(url)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in POSTGRES_SCHEMES:
        raise ValueError(
            f"{shown!r} is not a PostgreSQL URL (postgres://user:password@host:5432/name)"
        )
    try:
        parsed = dj_database_url.parse(url, conn_health_checks=True)
    except ValueError:
        raise ValueError(f"{shown!r} is not a valid database URL") from None
    if not parsed.get("NAME"):
        raise ValueError(f"{shown!r} names no database (…/name at the end)")
    parsed["ENGINE"] = "django.db.backends.postgresql"
    return dict(parsed)


def channel_layer_settings(url: str) -> dict:
    """Django's CHANNEL_LAYERS entry for Redis at ``url``: channels-redis's pub/sub layer
    (with a lighter mailbox per channel, transport/layers.py).

    Each message is one ``PUBLISH`` to the recipient's channel, to which the process
    holding that WebSocket subscribes, on one connection per process each way. The list
    layer (``RedisChannelLayer``) needs four round trips for a send and a blocking pop per
    receive; relaying across two processes took 4.6 times as long at p99 as a bare relay
    over Redis, and 1.8 times with this layer (bench/signalling.py). What the list layer
    offers beyond it, messages that wait in Redis for a process that is briefly not
    subscribed (while it reconnects to Redis), does not help signalling: a connection
    that is gone cannot use them, one that reconnects gets the room's state afresh
    (docs/protocol.md, *Resuming*), and the client sends an offer again when no answer
    came (peer.js ``repair``).
    """
    return {
        "BACKEND": "visavis.transport.layers.RedisPubSubLayer",
        "CONFIG": {"hosts": [{"address": url}], "prefix": "visavis"},
    }


def _check_redis(url: str) -> None:
    from urllib.parse import urlsplit

    shown = _without_password(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{shown!r} is not a valid Redis URL") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(f"{shown!r} is not a Redis URL (redis://host:6379/0)")
    if parts.scheme == "unix" and not parts.path:
        raise ValueError(f"{shown!r} names no socket path")
    if parts.scheme != "unix" and not parts.hostname:
        raise ValueError(f"{shown!r} names no host")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"{shown!r}: the database after the host must be a number")
