"""Reads of identity data, always scoped to who is asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import NotFoundError
from onestop.identity.domain import thai_id, totp
from onestop.identity.models import (
    Agency,
    ApiToken,
    Business,
    BusinessMember,
    OfficerMembership,
    OfficerRoleGrant,
    TotpDevice,
    User,
)
from onestop.identity.policies import (
    ANONYMOUS,
    OtherAgencyError,
    Principal,
    may_see_officers,
    require_authenticated,
)


class AgencyNotFoundError(NotFoundError):
    code = "agency_not_found"
    message = _("There is no agency with the code %(code)s.")


class BusinessNotFoundError(NotFoundError):
    code = "business_not_found"
    message = _("No business is registered with the juristic ID %(id)s.")


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    message = _("No active account has the username, e-mail or national ID %(identifier)s.")


def principal_for(user: User | None) -> Principal:
    """The Principal of a user: three queries at most (user+citizen+officer, roles, businesses)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if not (User.citizen.is_cached(user) and User.officer.is_cached(user)):
        user = User.objects.select_related("citizen", "officer__agency").filter(pk=user.pk).first()
        if user is None:
            return ANONYMOUS
    citizen = getattr(user, "citizen", None)
    officer = getattr(user, "officer", None)
    roles: frozenset[str] = frozenset()
    if officer is not None:
        roles = frozenset(officer.role_grants.values_list("role", flat=True))
    memberships = list(user.business_memberships.values_list("business_id", "role"))
    return Principal(
        user_id=user.pk,
        username=user.username,
        display_name=user.display_name,
        national_id=citizen.national_id if citizen else None,
        business_ids=frozenset(business_id for business_id, _ in memberships),
        owned_business_ids=frozenset(
            business_id for business_id, role in memberships if role == BusinessMember.Role.OWNER
        ),
        agency_id=officer.agency_id if officer else None,
        agency_code=officer.agency.code if officer else None,
        agency_name=officer.agency.name_th if officer else None,
        roles=roles,
        is_auditor=user.is_auditor,
        is_platform_admin=user.is_platform_admin,
    )


def user_find(identifier: str) -> User:
    """A user by username, e-mail or national ID; raises UserNotFoundError."""
    identifier = identifier.strip()
    query = Q(username__iexact=identifier)
    if "@" in identifier:
        query |= Q(email__iexact=identifier)
    digits = thai_id.normalize(identifier)
    if len(digits) == 13 and digits.isdigit():
        query |= Q(citizen__national_id=digits)
    user = User.objects.filter(query, is_active=True).first()
    if user is None:
        raise UserNotFoundError(params={"identifier": identifier}, field="user")
    return user


def agency_list(*, kind: str | None = None, search: str | None = None) -> QuerySet[Agency]:
    """Agencies (public): code, names, ministry."""
    agencies = Agency.objects.select_related("parent").order_by("code")
    if kind:
        agencies = agencies.filter(kind=kind)
    if search:
        agencies = agencies.filter(
            Q(code__icontains=search) | Q(name_th__icontains=search) | Q(name_en__icontains=search)
        )
    return agencies


def agency_get(code: str) -> Agency:
    agency = Agency.objects.select_related("parent").filter(code=code.strip().upper()).first()
    if agency is None:
        raise AgencyNotFoundError(params={"code": code}, field="agency")
    return agency


def officers_list(*, principal: Principal, agency: Agency) -> list[OfficerMembership]:
    """Officers of an agency with their roles: for its own officers, auditors and admins."""
    require_authenticated(principal)
    if not may_see_officers(principal, agency.pk):
        raise OtherAgencyError(params={"own": principal.agency_code or "-", "other": agency.code})
    return list(
        OfficerMembership.objects.filter(agency=agency)
        .select_related("user")
        .prefetch_related(
            Prefetch("role_grants", queryset=OfficerRoleGrant.objects.order_by("role"))
        )
        .order_by("user__first_name", "user__username")
    )


def business_get(juristic_id: str) -> Business:
    """A registered business by its juristic ID; raises BusinessNotFoundError."""
    business = Business.objects.filter(juristic_id=thai_id.normalize(juristic_id)).first()
    if business is None:
        raise BusinessNotFoundError(params={"id": juristic_id}, field="juristic_id")
    return business


def businesses_of(*, principal: Principal) -> list[Business]:
    return list(Business.objects.filter(pk__in=principal.business_ids).order_by("name_th"))


def business_members(*, business: Business) -> list[BusinessMember]:
    return list(business.members.select_related("user").order_by("role", "user__username"))


def api_tokens_of(*, principal: Principal) -> list[ApiToken]:
    require_authenticated(principal)
    return list(ApiToken.objects.filter(user_id=principal.user_id).order_by("-created_at"))


@dataclass(frozen=True)
class TotpStatus:
    """Where a person's two-step verification stands, for their own page.

    The secret and its URI are given only while the device is not confirmed (to set up the app);
    once on, they are never shown again. `unavailable`: the secret cannot be opened any more.
    """

    confirmed_at: dt.datetime | None
    secret: str | None = None
    provisioning_uri: str | None = None
    unavailable: bool = False

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None

    @property
    def secret_grouped(self) -> str:
        return totp.grouped(self.secret) if self.secret else ""


def totp_account_label(principal: Principal) -> str:
    """The account's name in the authenticator app: a citizen's national ID only masked."""
    if principal.national_id:
        return thai_id.masked(principal.national_id)
    return principal.username


def has_second_factor(user_id: int) -> bool:
    """Whether the person has a confirmed two-step verification device."""
    return TotpDevice.objects.filter(user_id=user_id, confirmed_at__isnull=False).exists()


def totp_status(*, principal: Principal) -> TotpStatus | None:
    """The acting person's own two-step verification, or None before they start setting it up."""
    require_authenticated(principal)
    device = TotpDevice.objects.filter(user_id=principal.user_id).first()
    if device is None:
        return None
    if device.is_confirmed:
        return TotpStatus(confirmed_at=device.confirmed_at)
    try:
        secret = device.open_secret()
    except totp.SecretUnavailableError:
        return TotpStatus(confirmed_at=None, unavailable=True)
    return TotpStatus(
        confirmed_at=None,
        secret=secret,
        provisioning_uri=totp.provisioning_uri(secret, account=totp_account_label(principal)),
    )
