"""`onestop serve`: serve pages, API and WebSockets (ASGI, uvicorn), with a background worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve OneStop over HTTP and WebSockets (ASGI, uvicorn) and start a background worker "
        "next to it. Production: see docs/operations.md."
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
        parser.add_argument("--reload", action="store_true", help="Restart on code changes.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "onestop", "worker", "--verbosity", "0"],
                env=os.environ.copy(),
            )
        self.stdout.write(
            self.style.SUCCESS(f"OneStop is at http://{options['host']}:{options['port']}/")
            + "  (Ctrl+C stops it)"
        )
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
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
