"""Who may see payments: finance officers their agency's, auditors and platform admins all."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop.core.errors import PermissionDeniedError
from onestop.identity.public import Principal, Role, require_authenticated


class PaymentsReadersOnlyError(PermissionDeniedError):
    code = "payments_readers_only"
    message = _("Only finance officers, auditors and platform administrators see payments.")


def payer_accounts_visible_to(principal: Principal) -> set[str] | None:
    """None means every payer; otherwise the agency codes whose payments this person may see."""
    require_authenticated(principal)
    if principal.is_auditor or principal.is_platform_admin:
        return None
    if principal.agency_code and Role.FINANCE in principal.roles:
        return {principal.agency_code}
    raise PaymentsReadersOnlyError()
