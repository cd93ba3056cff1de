"""Real server processes for the e-Auction tests: uvicorn with the platform's ASGI application,
as the live process runs in production (docs/operations.md), on the test's own database (a
transactional test commits its rows, so another process sees them)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_answers(url: str = REDIS_URL) -> bool:
    """Whether a Redis server answers PING at `url`."""
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1
        ) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test runs on, for the server processes."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = settings.get("PASSWORD") or ""
    return (
        f"postgres://{settings['USER']}:{password}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class Server:
    """One uvicorn process serving HTTP and WebSockets on a free port; restartable."""

    def __init__(self, log: Path, redis_url: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "onestop.config.settings_test",
            "DATABASE_URL": database_url(),
            "ONESTOP_VAR_DIR": str(log.parent),
            "SQLITE_SYNCHRONOUS": "FULL",  # production's durability
        }
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> Server:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "onestop.config.asgi:application",
                    "--port",
                    str(self.port),
                    "--lifespan",
                    "off",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, as when the machine's process dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def token(self, username: str) -> str:
        """An API token of a test user (the test password), made through this server's API."""
        from tests.conftest import PASSWORD

        created = httpx.post(
            f"{self.base}/api/auth/tokens",
            json={"username": username, "password": PASSWORD, "name": "real server"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        return created.json()["token"]

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"
