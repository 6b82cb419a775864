"""DATABASE_URL and REDIS_URL: parsed, checked, and turned into Django's settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from visavis import config

PG = "postgres://visavis:s3cret@db.example:5433/visavis"


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("VISAVIS_") or key in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("VISAVIS_DATA_DIR", str(tmp_path))
    return tmp_path


def test_without_urls_nothing_changes(clean_env):
    loaded = config.Config()
    assert loaded.database_url is None and loaded.redis_url is None and not loaded.metrics


@pytest.mark.parametrize("variable", ["DATABASE_URL", "VISAVIS_DATABASE_URL"])
def test_database_url_from_either_variable(clean_env, monkeypatch, variable):
    monkeypatch.setenv(variable, PG)
    assert config.Config().database_url == PG


def test_visavis_variable_wins_over_the_plain_one(clean_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://plain/one")
    monkeypatch.setenv("VISAVIS_DATABASE_URL", PG)
    monkeypatch.setenv("REDIS_URL", "redis://plain:6379/0")
    monkeypatch.setenv("VISAVIS_REDIS_URL", "redis://visavis:6379/2")
    loaded = config.Config()
    assert loaded.database_url == PG
    assert loaded.redis_url == "redis://visavis:6379/2"


def test_urls_and_metrics_from_the_config_file(clean_env):
    (clean_env / "visavis.toml").write_text(
        f'database_url = "{PG}"\nredis_url = "redis://cache:6379/1"\nmetrics = true\n'
    )
    loaded = config.Config()
    assert (loaded.database_url, loaded.redis_url, loaded.metrics) == (
        PG, "redis://cache:6379/1", True
    )


def test_database_settings_for_postgresql():
    parsed = config.database_settings(PG)
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["NAME"], parsed["USER"], parsed["PASSWORD"]) == ("visavis", "visavis", "s3cret")
    assert (parsed["HOST"], parsed["PORT"]) == ("db.example", 5433)
    assert config.database_settings("postgresql://h/x?sslmode=require")["OPTIONS"] == {
        "sslmode": "require"
    }


def _settings_of(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default'], 'layer': s.CHANNEL_LAYERS['default'], "
        "'cache': s.CACHES['default']['BACKEND'], 'metrics': s.VISAVIS['METRICS']}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VISAVIS_") and k not in ("DATABASE_URL", "REDIS_URL")}
    return {**env, "VISAVIS_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "visavis.settings", **extra}


def test_settings_default_to_sqlite_and_the_in_memory_layer(tmp_path):
    found = _settings_of(_env(tmp_path))
    assert found["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert found["layer"]["BACKEND"] == "visavis.transport.layers.ProcessChannelLayer"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["metrics"] is False


def test_settings_with_both_urls(tmp_path):
    found = _settings_of(_env(tmp_path, DATABASE_URL=PG, REDIS_URL="redis://cache:6379/3",
                              VISAVIS_METRICS="true"))
    assert found["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert found["db"]["NAME"] == "visavis"
    assert found["db"]["OPTIONS"]["pool"]  # a connection pool per process
    assert found["layer"]["BACKEND"] == "visavis.transport.layers.RedisPubSubLayer"
    assert found["layer"]["CONFIG"]["hosts"][0]["address"] == "redis://cache:6379/3"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["metrics"] is True


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "mysql://u:s3cret@h/db", "is not a PostgreSQL URL"),
        ("DATABASE_URL", "postgres://u:s3cret@h:port/db", "is not a valid database URL"),
        ("VISAVIS_DATABASE_URL", "postgres://u:s3cret@h:5432/", "names no database"),
        ("DATABASE_URL", "just-a-word", "is not a PostgreSQL URL"),
        ("REDIS_URL", "http://u:s3cret@h:6379/0", "is not a Redis URL"),
        ("REDIS_URL", "redis://u:s3cret@h:63x9/0", "is not a valid Redis URL"),
        ("VISAVIS_REDIS_URL", "redis:///0", "names no host"),
        ("REDIS_URL", "redis://h:6379/zero", "must be a number"),
    ],
)
def test_bad_url_stops_with_one_line(tmp_path, variable, value, says):
    result = subprocess.run(
        [sys.executable, "-m", "visavis", "migrate"],
        env=_env(tmp_path, **{variable: value}),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    setting = "database_url" if "DATABASE" in variable else "redis_url"
    assert lines[0].startswith(f"visavis: invalid configuration: {setting}: "), lines[0]
    assert says in lines[0]
    assert "s3cret" not in result.stderr  # a password never goes into a log
