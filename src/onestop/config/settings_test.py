"""Test settings: the production settings with a quick password hasher and debug-friendly files."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-checks-0123456789"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SQLITE_SYNCHRONOUS", "NORMAL")
os.environ.setdefault("PKI_MASTER_KEY", "test-only-pki-master-key-0123456789abcdef0123456789")
os.environ.setdefault("BANK_API_SECRET", "test-only-bank-api-secret-0123456789")
os.environ.setdefault("BANK_WEBHOOK_SECRET", "test-only-bank-webhook-secret-0123456789")

from django.contrib.auth.hashers import Argon2PasswordHasher

from onestop.config.settings import *  # noqa: F403


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with small costs: still Argon2, so tests exercise the production code path."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 64
    parallelism = 1


# SQLite tests use a file (WAL, IMMEDIATE transactions), like production, not shared-cache memory,
# so concurrent tests see real locking. pytest-xdist adds a suffix per worker.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile
    from pathlib import Path

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"onestop-test-{os.getpid()}.sqlite3")
    }

PASSWORD_HASHERS = ["onestop.config.settings_test.QuickArgon2PasswordHasher"]

# Plain HTTP in tests: cookies must travel over http://127.0.0.1 to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
