"""`onestop demo`: load the demo data (idempotent) and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from onestop.demo import data, loader


class Command(BaseCommand):
    help = (
        "Load demo agencies, officers for every role, suppliers and citizens with valid IDs. "
        "Safe to run again: existing records are kept. Prints the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        steps = list(loader.steps())
        with tqdm(
            total=len(steps),
            desc="Loading demo data",
            unit=" step",
            file=self.stderr,
            disable=options["quiet"],
        ) as bar:
            for label, step in steps:
                bar.set_postfix_str(label)
                step()
                bar.update(1)
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts (password for all: {data.DEMO_PASSWORD})")
        )
        width = max(len(account.login) for account in loader.accounts())
        for account in loader.accounts():
            self.stdout.write(
                f"  {account.kind:<15} {account.login:<{width}}  {account.name}  ({account.detail})"
            )
        self.stdout.write("")
