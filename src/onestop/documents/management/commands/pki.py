"""`onestop pki init|status|issue-agency CODE`: the platform CA from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.errors import ApplicationError
from onestop.documents import selectors, services
from onestop.documents.domain.certificates import fingerprint_display
from onestop.documents.models import SubjectKind


class Command(BaseCommand):
    help = "Create and inspect the platform certificate authority; issue agency certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{init,status,issue-agency}"
        )
        sub.add_parser(
            "init", help="Create the platform root CA if there is none; print its fingerprint."
        )
        sub.add_parser(
            "status", help="Print the root CA's subject, fingerprint and issued certificates."
        )
        issue = sub.add_parser(
            "issue-agency",
            help="Make sure an agency has a current signing certificate (issued if missing).",
        )
        issue.add_argument("code", help="The agency code, e.g. CGD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "init":
            self._init()
        elif action == "status":
            self._status()
        else:
            self._issue_agency(options["code"])

    def _init(self) -> None:
        existed = selectors.ca_get() is not None
        authority = services.ca_ensure()
        if existed:
            self.stdout.write("The platform root CA already exists.")
        else:
            self.stdout.write(self.style.SUCCESS("Created the platform root CA."))
        self.stdout.write(f"Subject:     {authority.subject}")
        self.stdout.write(f"SHA-256:     {fingerprint_display(authority.fingerprint)}")
        self.stdout.write(f"Valid until: {authority.not_after:%Y-%m-%d}")

    def _status(self) -> None:
        authority = selectors.ca_get()
        if authority is None:
            raise CommandError(
                "There is no platform root CA yet. Create it with `onestop pki init`."
            )
        self.stdout.write(f"Subject:      {authority.subject}")
        self.stdout.write(f"SHA-256:      {fingerprint_display(authority.fingerprint)}")
        self.stdout.write(
            f"Valid:        {authority.not_before:%Y-%m-%d} to {authority.not_after:%Y-%m-%d}"
        )
        self.stdout.write(
            f"Certificates: {selectors.certificates_count()} issued, "
            f"{selectors.certificates_count(current_only=True)} current"
        )

    def _issue_agency(self, code: str) -> None:
        code = code.strip().upper()
        before = selectors.certificate_current(subject_kind=SubjectKind.AGENCY, subject_id=code)
        try:
            certificate = services.agency_certificate(code)
        except ApplicationError as error:
            raise CommandError(error.text("en")) from None
        if before is not None and before.pk == certificate.pk:
            self.stdout.write("The agency already has a current certificate.")
        else:
            self.stdout.write(self.style.SUCCESS("Issued a new certificate."))
        self.stdout.write(f"Subject:     {certificate.subject}")
        self.stdout.write(f"Serial:      {certificate.serial}")
        self.stdout.write(f"SHA-256:     {fingerprint_display(certificate.fingerprint)}")
        self.stdout.write(f"Valid until: {certificate.not_after:%Y-%m-%d}")
