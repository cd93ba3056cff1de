"""Who may do what in procurement. Every rule checks the object's agency against the officer's:
an officer acts for their own agency only."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import PermissionDeniedError
from onestop.identity.public import (
    Principal,
    Role,
    agency_get,
    require_authenticated,
    require_officer_of,
    require_role,
)


class NotSupplierMemberError(PermissionDeniedError):
    code = "not_supplier_member"
    message = _("Only people who act for %(business)s may do this.")


class RegistrarOnlyError(PermissionDeniedError):
    code = "registrar_only"
    message = _(
        "Only the supplier registrar (approvers and administrators of %(agency)s) may review "
        "suppliers."
    )


class OfficersOnlyError(PermissionDeniedError):
    code = "officers_only"
    message = _("Only agency officers with the role %(role)s may do this.")


class NotVisibleError(PermissionDeniedError):
    code = "not_visible"
    message = _("This record belongs to another agency or supplier.")


def registrar_agency() -> str:
    return getattr(settings, "ONESTOP_SUPPLIER_REGISTRAR_AGENCY", "CGD")


def is_registrar(principal: Principal) -> bool:
    return principal.is_platform_admin or (
        principal.agency_code == registrar_agency()
        and bool({Role.APPROVER, Role.AGENCY_ADMIN} & set(principal.roles))
    )


def require_registrar(principal: Principal) -> None:
    require_authenticated(principal)
    if not is_registrar(principal):
        raise RegistrarOnlyError(params={"agency": registrar_agency()})


def require_supplier_member(principal: Principal, business_id: int, business_name: str) -> None:
    require_authenticated(principal)
    if business_id not in principal.business_ids:
        raise NotSupplierMemberError(params={"business": business_name})


def require_agency_role(principal: Principal, role: str, agency) -> None:
    """The officer holds `role` at this agency (agency is an identity Agency row)."""
    require_role(principal, role, agency_id=agency.pk, agency_code=agency.code)


def own_agency(principal: Principal, role: str):
    """The officer's agency; refuses anyone who is not an officer (naming the role needed)."""
    require_authenticated(principal)
    if principal.agency_code is None:
        raise OfficersOnlyError(params={"role": Role(role).label})
    return agency_get(principal.agency_code)


def require_own_role(principal: Principal, role: str):
    """The principal is an officer holding `role`; returns their agency."""
    agency = own_agency(principal, role)
    require_agency_role(principal, role, agency)
    return agency


def require_agency_officer(principal: Principal, agency) -> None:
    require_officer_of(principal, agency_id=agency.pk, agency_code=agency.code)


def may_read_agency(principal: Principal, agency_id: int) -> bool:
    """Officers of the agency, auditors and platform admins read an agency's purchasing."""
    return principal.is_auditor or principal.is_platform_admin or principal.agency_id == agency_id


def may_read_order(principal: Principal, agency_id: int, business_id: int) -> bool:
    return may_read_agency(principal, agency_id) or business_id in principal.business_ids


def require_read_order(principal: Principal, agency_id: int, business_id: int) -> None:
    require_authenticated(principal)
    if not may_read_order(principal, agency_id, business_id):
        raise NotVisibleError()
