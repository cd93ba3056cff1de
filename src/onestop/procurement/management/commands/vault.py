"""`onestop vault verify TENDER`: check a tender's electronic vault from the command line.

Prints one line per sealed bid (receipt signature, envelope hash, re-opening with the published
key) and exits with status 1 when anything does not verify.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.errors import ApplicationError
from onestop.procurement import selectors


def _mark(value: bool | None) -> str:
    return {True: "ok", False: "FAIL", None: "sealed"}[value]


class Command(BaseCommand):
    help = "Verify a tender's vault: signed receipts, envelope hashes and opened bids."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify}")
        verify = sub.add_parser("verify", help="Verify every receipt and opened bid of a tender.")
        verify.add_argument("reference", help="The tender reference, e.g. CGD-TD-2570-00001")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = selectors.vault_verify(options["reference"])
        except ApplicationError as error:
            raise CommandError(error.text("en")) from error
        self.stdout.write(
            f"{report.reference}: {'opened' if report.opened else 'sealed'}, "
            f"{len(report.checks)} submissions"
        )
        if report.key_matches is not None:
            self.stdout.write(
                f"published vault key matches the tender's public key: {_mark(report.key_matches)}"
            )
        for check in report.checks:
            self.stdout.write(
                f"#{check.sequence} {check.sha256[:16]}…  receipt signed: "
                f"{_mark(check.receipt_signed)}  envelope matches: {_mark(check.envelope_matches)}  "
                f"re-opens: {_mark(check.reopens)}"
            )
        if not report.ok:
            raise CommandError("the vault does NOT verify")
        self.stdout.write(self.style.SUCCESS("the vault verifies"))
