"""How to serve pages and API: uvicorn (ASGI, what `make run` uses) against gunicorn (WSGI).

Starts each server on a fresh SQLite database with the demo data (production settings:
DEBUG=0, collected static files), loads GET /api/health and GET / with 16 keep-alive clients,
and prints one JSON line of requests per second and latency percentiles.

    .venv/bin/python bench/http_serving.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load import run_load

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def servers(port: int) -> dict[str, list[str]]:
    address = f"127.0.0.1:{port}"
    return {
        "uvicorn_asgi_1proc": [
            str(BIN / "uvicorn"),
            "onestop.config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
        ],
        "uvicorn_asgi_2proc": [
            str(BIN / "uvicorn"),
            "onestop.config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
            "--workers",
            "2",
        ],
        "gunicorn_wsgi_2proc": [
            str(BIN / "gunicorn"),
            "onestop.config.wsgi:application",
            "--bind",
            address,
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        "gunicorn_wsgi_4proc": [
            str(BIN / "gunicorn"),
            "onestop.config.wsgi:application",
            "--bind",
            address,
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
    }


def main() -> None:
    figures: dict[str, float | int | str] = {"seconds_per_run": SECONDS, "clients": 16}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "ONESTOP_VAR_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        for command in (
            ["migrate", "--no-input", "-v0"],
            ["demo", "--quiet"],
            ["collectstatic", "--no-input", "-v0"],
        ):
            subprocess.run(
                [PYTHON, "-m", "onestop", *command],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        for name in servers(0):
            port = free_port()
            process = subprocess.Popen(
                servers(port)[name],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_until_up(port, process)
                run_load("127.0.0.1", port, "/api/health", 1.0)  # warm up
                for label, path in (("health", "/api/health"), ("page", "/")):
                    result = run_load("127.0.0.1", port, path, SECONDS)
                    figures[f"{name}_{label}_per_s"] = round(result.per_second)
                    figures[f"{name}_{label}_p50_ms"] = round(result.p50_ms, 2)
                    figures[f"{name}_{label}_p99_ms"] = round(result.percentile(0.99), 2)
                    figures[f"{name}_{label}_errors"] = result.errors
            finally:
                process.terminate()
                process.wait(timeout=15)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
