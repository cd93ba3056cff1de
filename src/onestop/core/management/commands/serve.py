"""`onestop serve`: serve pages, API and WebSockets (ASGI, uvicorn), with a background worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any
from urllib.parse import urlparse

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve OneStop over HTTP and WebSockets (ASGI, uvicorn) with a background worker next to "
        "it, and in development the bank sandbox. Production: see docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--workers", type=int, default=1, help="Server processes (use Redis when >1)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a background worker (run `onestop worker` yourself).",
        )
        parser.add_argument(
            "--no-banksim",
            action="store_true",
            help="Do not start the bank sandbox (started by default in DEBUG when BANK_API_URL is local).",
        )
        parser.add_argument("--reload", action="store_true", help="Restart on code changes.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        children = []
        if not options["no_worker"]:
            children.append(self._child("worker", "--verbosity", "0"))
        if not options["no_banksim"] and settings.DEBUG and _local(settings.ONESTOP_BANK_API_URL):
            children.append(self._child("banksim"))
            self.stdout.write(f"Bank sandbox at {settings.ONESTOP_BANK_API_URL}/")
        self.stdout.write(
            self.style.SUCCESS(f"OneStop is at http://{options['host']}:{options['port']}/")
            + "  (Ctrl+C stops it)"
        )
        # uvicorn stops on SIGTERM and then raises the signal again once it has returned; with
        # the default action that would end this process before it stops its children (the
        # worker and the bank sandbox would be left running). Exit normally instead.
        signal.signal(signal.SIGTERM, _exit)
        try:
            uvicorn.run(
                "onestop.config.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                reload=options["reload"],
                log_level="info" if settings.DEBUG else "warning",
                proxy_headers=True,
                forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                lifespan="off",
            )
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _child(self, *command: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "onestop", *command], env=os.environ.copy()
        )


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _local(url: str) -> bool:
    return urlparse(url).hostname in {"127.0.0.1", "localhost", "::1"}
