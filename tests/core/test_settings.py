"""Settings: production checks pass, mistakes are explained, SQLite runs in WAL mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _onestop(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "REDIS_URL",
        }
    }
    return subprocess.run(
        [sys.executable, "-m", "onestop", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = _onestop(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "k" * 20 + "production-secret-value-0123456789abcdef",
            "ALLOWED_HOSTS": "onestop.example.go.th",
            "ONESTOP_VAR_DIR": str(tmp_path),
        },
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_says_how_to_set_one(tmp_path):
    result = _onestop("check", env={"DEBUG": "0", "ONESTOP_VAR_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "DEBUG=1" in result.stderr


def test_a_bad_boolean_is_explained(tmp_path):
    result = _onestop(
        "check", env={"DEBUG": "maybe", "ONESTOP_VAR_DIR": str(tmp_path)}, cwd=tmp_path
    )
    assert result.returncode != 0
    assert "DEBUG must be 1/0" in result.stderr


def test_development_keeps_a_generated_secret_out_of_the_repository(tmp_path):
    result = _onestop("check", env={"DEBUG": "1", "ONESTOP_VAR_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "dev-secret-key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "dev-secret-key").stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run uses PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_redis_is_used_for_channels_and_cache_when_configured(tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.CHANNEL_LAYERS['default']['BACKEND']); print(settings.CACHES['default']['BACKEND'])"
    )
    without = _onestop(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={"DEBUG": "1", "ONESTOP_VAR_DIR": str(tmp_path)},
        cwd=tmp_path,
    )
    with_redis = _onestop(
        "shell",
        "--no-imports",
        "-c",
        code,
        env={
            "DEBUG": "1",
            "ONESTOP_VAR_DIR": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        cwd=tmp_path,
    )
    assert without.stdout.split() == [
        "channels.layers.InMemoryChannelLayer",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
    assert with_redis.stdout.split() == [
        "channels_redis.core.RedisChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
    ]
