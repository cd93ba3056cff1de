"""Identity API: registration, who am I, tokens, agencies and their officers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Status

from onestop.core.http.api import ErrorOut
from onestop.identity import selectors, services
from onestop.identity.auth import API_AUTH
from onestop.identity.domain import thai_id
from onestop.identity.http.schemas import (
    AgencyIn,
    AgencyOut,
    BusinessMemberIn,
    BusinessOut,
    BusinessRegisterIn,
    CitizenRegisterIn,
    MeOut,
    OfficerAppointIn,
    OfficerOut,
    OfficerRolesIn,
    PlatformFlagsIn,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
    UserOut,
)
from onestop.identity.models import Business, OfficerMembership

router = Router(tags=["identity"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _anyone(request: HttpRequest) -> bool:
    """Lets an endpoint run for anonymous callers too (after session and token were tried)."""
    return True


def _user_out(user: Any) -> dict[str, str]:
    return {"username": user.username, "display_name": user.display_name}


def _officer_out(membership: OfficerMembership) -> dict[str, Any]:
    return {
        "username": membership.user.username,
        "display_name": membership.user.display_name,
        "agency": membership.agency.code,
        "position": membership.position,
        "roles": sorted(membership.role_grants.values_list("role", flat=True)),
    }


@router.post(
    "/citizens", auth=None, response={201: UserOut, **ERRORS}, summary="Register a citizen"
)
def citizen_register(request: HttpRequest, payload: CitizenRegisterIn):
    user = services.citizen_register(**payload.dict())
    return Status(201, _user_out(user))


@router.post(
    "/businesses",
    auth=[*API_AUTH, _anyone],
    response={201: BusinessOut, **ERRORS},
    summary="Register a business (with a new account when not logged in)",
)
def business_register(request: HttpRequest, payload: BusinessRegisterIn):
    business_fields = payload.business.dict()
    if request.principal.is_authenticated:
        business = services.business_register(owner=request.principal, **business_fields)
    else:
        if payload.account is None:
            raise services.AccountRequiredError(field="account")
        _user, business = services.business_register_with_account(
            account=payload.account.dict(), business=business_fields
        )
    return Status(201, business)


@router.post(
    "/businesses/{juristic_id}/members",
    response={201: UserOut, **ERRORS},
    summary="Let another account act for your business (owners)",
)
def business_member_add(request: HttpRequest, juristic_id: str, payload: BusinessMemberIn):
    member = services.business_member_add(
        actor=request.principal,
        juristic_id=thai_id.normalize(juristic_id),
        user_identifier=payload.user,
        role=payload.role,
    )
    return Status(201, _user_out(member.user))


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I, and what may I do")
def me(request: HttpRequest) -> dict[str, Any]:
    principal = request.principal
    juristic_ids = Business.objects.filter(pk__in=principal.business_ids).values_list(
        "juristic_id", flat=True
    )
    return {
        "username": principal.username,
        "display_name": principal.display_name,
        "national_id": thai_id.masked(principal.national_id) if principal.national_id else None,
        "agency": principal.agency_code,
        "roles": sorted(principal.roles),
        "business_ids": sorted(juristic_ids),
        "is_auditor": principal.is_auditor,
        "is_platform_admin": principal.is_platform_admin,
        "homes": [home["kind"] for home in principal.homes],
    }


# Tokens ---------------------------------------------------------------------------------------


@router.post(
    "/auth/tokens",
    auth=None,
    response={201: TokenCreatedOut, **ERRORS},
    summary="Exchange a login and password for an API token",
)
def token_create(request: HttpRequest, payload: TokenCreateIn):
    """Failed attempts count towards the login lock-out (HTTP 429 with Retry-After)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise services.WrongCredentialsError(field="password")
    token, record = services.api_token_create(
        actor=selectors.principal_for(user), name=payload.name, days=payload.days
    )
    body = {
        "id": record.pk,
        "name": record.name,
        "key_prefix": record.key_prefix,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "last_used_at": record.last_used_at,
        "revoked_at": record.revoked_at,
        "token": token,
    }
    return Status(201, body)


@router.get("/auth/tokens", response={200: list[TokenOut], **ERRORS}, summary="Your API tokens")
def token_list(request: HttpRequest):
    return selectors.api_tokens_of(principal=request.principal)


@router.delete("/auth/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke a token")
def token_revoke(request: HttpRequest, token_id: int):
    services.api_token_revoke(actor=request.principal, token_id=token_id)
    return Status(204, None)


# Agencies and officers ------------------------------------------------------------------------


@router.get("/agencies", auth=None, response=list[AgencyOut], summary="Government agencies")
def agency_list(request: HttpRequest, kind: str | None = None, q: str | None = None):
    return list(selectors.agency_list(kind=kind, search=q))


@router.get("/agencies/{code}", auth=None, response={200: AgencyOut, **ERRORS}, summary="An agency")
def agency_detail(request: HttpRequest, code: str):
    return selectors.agency_get(code)


@router.post(
    "/agencies", response={201: AgencyOut, **ERRORS}, summary="Add an agency (platform admins)"
)
def agency_create(request: HttpRequest, payload: AgencyIn):
    agency = services.agency_create(
        actor=request.principal,
        code=payload.code,
        name_th=payload.name_th,
        name_en=payload.name_en,
        kind=payload.kind,
        parent_code=payload.parent,
    )
    return Status(201, agency)


@router.get(
    "/agencies/{code}/officers",
    response={200: list[OfficerOut], **ERRORS},
    summary="Officers of an agency (its officers, auditors, platform admins)",
)
def officer_list(request: HttpRequest, code: str):
    agency = selectors.agency_get(code)
    return [
        _officer_out(m) for m in selectors.officers_list(principal=request.principal, agency=agency)
    ]


@router.post(
    "/agencies/{code}/officers",
    response={201: OfficerOut, **ERRORS},
    summary="Appoint an officer (agency admins of that agency, platform admins)",
)
def officer_appoint(request: HttpRequest, code: str, payload: OfficerAppointIn):
    membership = services.officer_appoint(
        actor=request.principal,
        agency_code=code,
        user_identifier=payload.user,
        position=payload.position,
        roles=[role.value for role in payload.roles],
    )
    return Status(201, _officer_out(membership))


@router.put(
    "/agencies/{code}/officers/{username}",
    response={200: OfficerOut, **ERRORS},
    summary="Set an officer's roles",
)
def officer_roles_set(request: HttpRequest, code: str, username: str, payload: OfficerRolesIn):
    membership = services.officer_roles_set(
        actor=request.principal,
        agency_code=code,
        username=username,
        roles=[role.value for role in payload.roles],
        position=payload.position,
    )
    return _officer_out(membership)


@router.delete(
    "/agencies/{code}/officers/{username}",
    response={204: None, **ERRORS},
    summary="Release an officer from the agency",
)
def officer_release(request: HttpRequest, code: str, username: str):
    services.officer_release(actor=request.principal, agency_code=code, username=username)
    return Status(204, None)


@router.put(
    "/users/{identifier}/platform-flags",
    response={200: UserOut, **ERRORS},
    summary="Make a person an auditor or platform admin (platform admins)",
)
def platform_flags_set(request: HttpRequest, identifier: str, payload: PlatformFlagsIn):
    user = services.platform_flags_set(
        actor=request.principal,
        user_identifier=identifier,
        is_auditor=payload.is_auditor,
        is_platform_admin=payload.is_platform_admin,
    )
    return _user_out(user)
