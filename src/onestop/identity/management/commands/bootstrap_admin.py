"""`onestop bootstrap_admin`: the first platform administrator of a new installation."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.errors import ApplicationError
from onestop.identity.services import platform_admin_bootstrap


class Command(BaseCommand):
    help = (
        "Create the first platform administrator (refused once one exists; afterwards, "
        "platform administrators grant the right in the web pages or the API)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords are different.")
        try:
            user = platform_admin_bootstrap(
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                password=password,
            )
        except ApplicationError as error:
            raise CommandError(f"{error.text('en')}\n{error.text('th')}") from None
        self.stdout.write(self.style.SUCCESS(f"{user.username} is a platform administrator."))
