"""`onestop banksim`: run the bank sandbox with this installation's settings.

The sandbox is a separate program (`python -m onestop.banksim`) that never imports the platform;
this command only fills in its options from the settings and replaces itself with it.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

CALLBACK_PATH = "/api/payments/bank/callback"

EPILOG = """\
The platform and the sandbox share two secrets: BANK_API_SECRET (the platform signs its calls to
the bank) and BANK_WEBHOOK_SECRET (the bank signs its callbacks). With DEBUG=1 both are generated
once in var/; otherwise set them in the environment.

Orders fail on purpose (payment_order.failed) when the account number is 0000000000 or the
PromptPay ID ends in 0000. Open the sandbox's page to pay a bill's QR code and to watch
transactions and callbacks.

Examples:
  onestop banksim                         listen where BANK_API_URL points (default port 8100)
  onestop banksim --settle-seconds 5      settle orders after five seconds
  onestop banksim --database /tmp/bank.sqlite3 --port 8101
"""


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the description and examples kept as written."""


class Command(BaseCommand):
    help = (
        "Run the bank sandbox: a stand-in bank for development and tests, on its own port and\n"
        "SQLite file (docs/bank-protocol.md). It accepts the platform's signed payment orders,\n"
        "settles them after --settle-seconds, pays Thai QR codes pasted on its page, and sends\n"
        "signed callbacks to the platform, retrying with backoff until the platform answers 2xx."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("epilog", EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        address = urlsplit(settings.ONESTOP_BANK_API_URL)
        parser.add_argument(
            "--host",
            default=address.hostname or "127.0.0.1",
            help="Address to listen on (default: the host of BANK_API_URL, %(default)s).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=address.port or 8100,
            help="Port to listen on (default: the port of BANK_API_URL, %(default)s).",
        )
        parser.add_argument(
            "--database",
            default=str(settings.VAR_DIR / "banksim.sqlite3"),
            help="The sandbox's own SQLite file, created when missing (default: %(default)s).",
        )
        parser.add_argument(
            "--callback-url",
            default=settings.ONESTOP_PUBLIC_URL + CALLBACK_PATH,
            help="Where the sandbox sends QR payment callbacks, and order callbacks of orders "
            f"that name no callback_url (default: PUBLIC_URL + {CALLBACK_PATH}, %(default)s).",
        )
        parser.add_argument(
            "--settle-seconds",
            type=float,
            default=1.0,
            help="Seconds between accepting a payment order and settling it (default: 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        api_secret = settings.ONESTOP_BANK_API_SECRET
        webhook_secret = settings.ONESTOP_BANK_WEBHOOK_SECRET
        missing = [
            name
            for name, value in (
                ("BANK_API_SECRET", api_secret),
                ("BANK_WEBHOOK_SECRET", webhook_secret),
            )
            if not value
        ]
        if missing:
            raise CommandError(
                f"{' and '.join(missing)} must be set in the environment (or run with DEBUG=1 "
                "to use the development secrets kept in var/)."
            )
        if options["settle_seconds"] < 0:
            raise CommandError("--settle-seconds cannot be negative.")
        argv = [
            sys.executable,
            "-m",
            "onestop.banksim",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--database",
            options["database"],
            "--callback-url",
            options["callback_url"],
            "--settle-seconds",
            str(options["settle_seconds"]),
            "--log-level",
            "info" if options["verbosity"] >= 1 else "warning",
        ]
        environment = {
            **os.environ,
            "BANK_API_SECRET": api_secret,
            "BANK_WEBHOOK_SECRET": webhook_secret,
        }
        self.stdout.write(
            self.style.SUCCESS(f"Bank sandbox at http://{options['host']}:{options['port']}/")
            + f"  callbacks to {options['callback_url']}  (Ctrl+C stops it)"
        )
        self.stdout.flush()
        os.execve(sys.executable, argv, environment)  # noqa: S606 - the sandbox replaces this process
