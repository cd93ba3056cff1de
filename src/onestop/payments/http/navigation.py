"""Payments links: finance officers, auditors and platform administrators."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.core.navigation import Link
from onestop.identity.public import Role


def links(principal) -> list[Link]:
    if Role.FINANCE in principal.roles:
        section = "officer"
    elif principal.is_auditor:
        section = "auditor"
    else:
        return []
    return [
        Link(
            _("Payments"),
            reverse("payments:orders"),
            _("Payments to suppliers and their state."),
            section,
        ),
        Link(
            _("Reconciliation"),
            reverse("payments:reconciliation"),
            _("The bank's statement against the platform's records."),
            section,
        ),
    ]
