"""`onestop audit verify|head`: check the hash-chained audit log from the command line."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from onestop.core import audit

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def parse_anchor(value: str) -> tuple[int, str]:
    match = ANCHOR.match(value.strip().lower())
    if not match:
        raise CommandError(
            f"--expect {value!r} is not SEQ:HASH. Give the entry number and its 64-character "
            "SHA-256 hash as published by GET /api/audit/head, e.g. --expect 120:3fa9…"
        )
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or print its head."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,head}")
        verify = sub.add_parser(
            "verify",
            help="Recompute every hash and report the first broken entry (exit code 1 if any).",
        )
        verify.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head published earlier (GET /api/audit/head); proves history up to it "
            "was not rewritten. May be repeated.",
        )
        verify.add_argument("--json", action="store_true", help="Print the report as JSON.")
        verify.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        sub.add_parser("head", help="Print the chain's last entry number and hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            seq, head_hash = audit.head()
            self.stdout.write(f"{seq}:{head_hash}")
            return
        expect = dict(parse_anchor(value) for value in options["expect"])
        bar = tqdm(
            total=audit.head()[0],
            unit=" entries",
            desc="Verifying audit log",
            disable=options["no_progress"] or options["json"],
            file=self.stderr,
        )

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = audit.verify(expect=expect, progress=progress)
        bar.close()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(report.message["en"]))
        else:
            self.stdout.write(self.style.ERROR(f"BROKEN at entry {report.broken_seq}"))
            self.stdout.write(report.message["en"])
            self.stdout.write(report.message["th"])
        if not report.ok:
            raise SystemExit(1)
