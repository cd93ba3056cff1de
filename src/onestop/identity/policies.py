"""Who is acting, and what they may do: the Principal and the permission rules (C-01).

A Principal is built once per request from the user's attachments (citizen record, business
memberships, officer membership and roles, platform flags). Services take a Principal and ask
these rules; a refusal is a PermissionDeniedError that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop.core.audit import AuditVisibility, user_actor_id
from onestop.core.errors import NotAuthenticatedError, PermissionDeniedError
from onestop.identity.models import ROLE_DESCRIPTIONS, Role


class OtherAgencyError(PermissionDeniedError):
    code = "other_agency"
    message = _("You act for %(own)s only; this belongs to %(other)s.")


class NotAnOfficerError(PermissionDeniedError):
    code = "not_an_officer"
    message = _("Only officers of %(agency)s may do this.")


class MissingRoleError(PermissionDeniedError):
    code = "missing_role"
    message = _("This needs the role %(role)s at %(agency)s. Ask your agency administrator.")


class PlatformAdminOnlyError(PermissionDeniedError):
    code = "platform_admin_only"
    message = _("Only platform administrators may do this.")


@dataclass(frozen=True)
class Principal:
    user_id: int | None = None
    username: str = ""
    display_name: str = ""
    national_id: str | None = None
    business_ids: frozenset[int] = frozenset()
    owned_business_ids: frozenset[int] = frozenset()
    agency_id: int | None = None
    agency_code: str | None = None
    agency_name: str | None = None
    roles: frozenset[str] = frozenset()
    is_auditor: bool = False
    is_platform_admin: bool = False

    # Audit actor protocol ---------------------------------------------------------------------
    @property
    def actor_id(self) -> str:
        return user_actor_id(self.user_id) if self.user_id else "anonymous"

    @property
    def actor_name(self) -> str:
        return self.display_name or self.username or "anonymous"

    # What the person is ---------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_citizen(self) -> bool:
        return self.national_id is not None

    @property
    def is_business(self) -> bool:
        return bool(self.business_ids)

    @property
    def is_officer(self) -> bool:
        return self.agency_id is not None

    def has_role(self, role: str, agency_id: int | None = None) -> bool:
        if agency_id is not None and agency_id != self.agency_id:
            return False
        return role in self.roles

    def audit_visibility(self) -> AuditVisibility:
        if not self.is_authenticated:
            return AuditVisibility()
        if self.is_auditor or self.is_platform_admin:
            return AuditVisibility(everything=True, actor_id=self.actor_id)
        agencies = (
            frozenset({self.agency_code})
            if self.agency_code and Role.AGENCY_ADMIN in self.roles
            else frozenset()
        )
        return AuditVisibility(agency_codes=agencies, actor_id=self.actor_id)

    # Home pages, most specific first ----------------------------------------------------------
    @property
    def homes(self) -> list[dict[str, str]]:
        homes = []
        if self.is_platform_admin:
            homes.append(
                {
                    "kind": "platform",
                    "url": reverse("identity:home_platform"),
                    "label": str(_("Platform administration")),
                }
            )
        if self.is_auditor:
            homes.append(
                {
                    "kind": "auditor",
                    "url": reverse("identity:home_auditor"),
                    "label": str(_("Auditor")),
                }
            )
        if self.is_officer:
            homes.append(
                {
                    "kind": "officer",
                    "url": reverse("identity:home_officer"),
                    "label": str(_("My agency")),
                }
            )
        if self.is_business:
            homes.append(
                {
                    "kind": "business",
                    "url": reverse("identity:home_business"),
                    "label": str(_("My business")),
                }
            )
        if self.is_citizen:
            homes.append(
                {
                    "kind": "citizen",
                    "url": reverse("identity:home_citizen"),
                    "label": str(_("Citizen services")),
                }
            )
        return homes

    @property
    def home_url(self) -> str:
        homes = self.homes
        return homes[0]["url"] if homes else reverse("identity:account")


ANONYMOUS = Principal()


def role_label(role: str) -> str:
    return str(Role(role).label)


def role_description(role: str) -> str:
    return str(ROLE_DESCRIPTIONS[Role(role)])


# Rules ----------------------------------------------------------------------------------------


def require_authenticated(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise NotAuthenticatedError()


def require_platform_admin(principal: Principal) -> None:
    require_authenticated(principal)
    if not principal.is_platform_admin:
        raise PlatformAdminOnlyError()


def require_officer_of(principal: Principal, *, agency_id: int, agency_code: str) -> None:
    """The principal is an officer of this agency (any role)."""
    require_authenticated(principal)
    if principal.agency_id is None:
        raise NotAnOfficerError(params={"agency": agency_code})
    if principal.agency_id != agency_id:
        raise OtherAgencyError(params={"own": principal.agency_code, "other": agency_code})


def require_role(principal: Principal, role: str, *, agency_id: int, agency_code: str) -> None:
    """The principal holds `role` at this agency; officers of other agencies are refused."""
    require_officer_of(principal, agency_id=agency_id, agency_code=agency_code)
    if role not in principal.roles:
        raise MissingRoleError(params={"role": Role(role).label, "agency": agency_code})


def may_manage_officers(principal: Principal, agency_id: int) -> bool:
    return principal.is_platform_admin or principal.has_role(Role.AGENCY_ADMIN, agency_id)


def require_officer_manager(principal: Principal, *, agency_id: int, agency_code: str) -> None:
    """Agency administrators of this agency, or platform administrators."""
    require_authenticated(principal)
    if principal.is_platform_admin:
        return
    require_role(principal, Role.AGENCY_ADMIN, agency_id=agency_id, agency_code=agency_code)


def may_see_officers(principal: Principal, agency_id: int) -> bool:
    return principal.is_platform_admin or principal.is_auditor or principal.agency_id == agency_id
