"""Journeys across apps against real separate programs (the bank sandbox)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procurement.conftest import approved_supplier, categories, cgd_team, item  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered at {url}")


@pytest.fixture
def banksim(live_server, tmp_path, settings) -> Iterator[str]:
    """The bank sandbox as its own program, calling back the live test server."""
    port = free_port()
    env = {
        **os.environ,
        "BANK_API_SECRET": settings.ONESTOP_BANK_API_SECRET,
        "BANK_WEBHOOK_SECRET": settings.ONESTOP_BANK_WEBHOOK_SECRET,
        "PYTHONPATH": str(ROOT / "src"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onestop.banksim",
            "--port",
            str(port),
            "--database",
            str(tmp_path / "bank.sqlite3"),
            "--callback-url",
            f"{live_server.url}/api/payments/bank/callback",
            "--settle-seconds",
            "0.3",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/health", process)
        settings.ONESTOP_BANK_API_URL = url
        settings.ONESTOP_PUBLIC_URL = live_server.url
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def eventually(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    assert check()
