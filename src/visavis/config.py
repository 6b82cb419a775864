"""Operator configuration: an optional TOML file plus ``VISAVIS_*`` environment variables.

Every value has a working default, so ``visavis serve`` runs on a fresh machine with
nothing configured. The environment wins over the file; the file is
``$VISAVIS_CONFIG`` if set, else ``visavis.toml`` in the data directory.
``docs/config.md`` lists every setting; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
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
    ws_max_message_bytes: int = Field(default=65536, ge=4096, le=1048576)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"

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


@lru_cache(maxsize=1)
def load() -> Config:
    """Read the configuration once per process; raise ConfigError with a readable message."""
    try:
        return Config()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read configuration file {_config_file()}: {exc}") from None


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
