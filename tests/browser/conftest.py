"""Browser tests: the real platform (`onestop serve`, demo data) driven in the system Chromium.

The server runs as its own process, exactly as `make run` starts it, on a fresh database of the
configured kind (a temporary SQLite file, or a temporary PostgreSQL database when DATABASE_URL
points at PostgreSQL). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_for_server(tmp: Path) -> Iterator[str]:
    """A fresh database for the server process, of the same kind as the test run's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'e2e.sqlite3'}"
        return
    import psycopg

    config = dj_database_url.parse(url)
    name = f"onestop_e2e_{os.getpid()}"
    admin = dict(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Platform(str):
    """The platform's base URL, and `run(...)` for its command line (the same database)."""

    run: Callable[..., None]
    bank: str  # the bank sandbox's base URL (its page pays a Thai QR)


@pytest.fixture(scope="session")
def platform(browser, tmp_path_factory) -> Iterator[Platform]:
    """Start the platform with demo data like `make run`; yield its base URL.

    Asks for the browser first, so that without Chromium nothing is started before the skip."""
    tmp = tmp_path_factory.mktemp("platform")
    database = _database_for_server(tmp)
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    port = _free_port()
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": next(database),
        "ONESTOP_VAR_DIR": str(tmp),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BANK_API_URL": f"http://127.0.0.1:{_free_port()}",
    }
    env.pop("SECRET_KEY", None)
    log = (tmp / "server.log").open("w")

    def onestop(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "onestop", *args],
            env=env,
            cwd=tmp,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
        )

    onestop("migrate", "--no-input")
    onestop("demo", "--quiet")
    server = subprocess.Popen(
        [sys.executable, "-m", "onestop", "serve", "--port", str(port)],
        env=env,
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        f"the server did not start; see {tmp / 'server.log'}"
                    ) from None
                time.sleep(0.3)
        platform = Platform(base)
        platform.run = onestop
        platform.bank = env["BANK_API_URL"]
        yield platform
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        for _ in database:
            pass


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed: apt-get install chromium (browser tests need it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
