"""Every write of identity data: one function per use case, in a transaction, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit
from onestop.core.errors import (
    ApplicationError,
    ConflictError,
    InputError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from onestop.identity.domain import thai_id, totp
from onestop.identity.models import (
    Agency,
    ApiToken,
    Business,
    BusinessMember,
    Citizen,
    Language,
    OfficerMembership,
    OfficerRoleGrant,
    Role,
    TotpDevice,
    User,
)
from onestop.identity.policies import (
    Principal,
    require_authenticated,
    require_officer_manager,
    require_platform_admin,
)
from onestop.identity.selectors import agency_get, totp_account_label, user_find

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,149}$")
AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,19}$")
TOKEN_PREFIX = "ost_"  # noqa: S105 - a public marker, not a secret


class AlreadyRegisteredError(ConflictError):
    code = "already_registered"
    message = _("This national ID already has an account. Log in, or reset your password.")


class BusinessAlreadyRegisteredError(ConflictError):
    code = "business_already_registered"
    message = _(
        "A business with this juristic ID is already registered. Ask its owner to add you "
        "as a member."
    )


class UsernameTakenError(ConflictError):
    code = "username_taken"
    message = _("The username %(username)s is taken. Choose another.")


class EmailTakenError(ConflictError):
    code = "email_taken"
    message = _("Another account uses the e-mail address %(email)s.")


class AgencyCodeTakenError(ConflictError):
    code = "agency_code_taken"
    message = _("An agency with the code %(code)s already exists.")


class AlreadyOfficerError(ConflictError):
    code = "already_officer"
    message = _(
        "%(user)s is already an officer of %(agency)s. An officer acts for one agency only; "
        "that agency must release them first."
    )


class LastAgencyAdminError(ConflictError):
    code = "last_agency_admin"
    message = _(
        "%(agency)s must keep at least one agency administrator. Appoint another one first."
    )


class WrongPasswordError(InputError):
    code = "wrong_password"
    message = _("Your current password is not correct.")


class WrongCredentialsError(NotAuthenticatedError):
    code = "wrong_credentials"
    message = _("The national ID, username or e-mail, or the password, is not correct.")


class AccountRequiredError(InputError):
    code = "account_required"
    message = _("Log in, or send the account of the person who registers the business.")


class TokenNotFoundError(NotFoundError):
    code = "token_not_found"
    message = _("You have no API token with this id.")


# Validation helpers ----------------------------------------------------------------------------


def _required(value: str | None, field: str, label: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise InputError(_("Enter %(label)s."), field=field, params={"label": label})
    return value


def _email(value: str | None, *, required: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise InputError(_("Enter an e-mail address."), field="email")
        return ""
    try:
        validate_email(value)
    except DjangoValidationError:
        raise InputError(
            _("Enter a valid e-mail address, like name@example.co.th."), field="email"
        ) from None
    return value


def _email_free(email: str, *, except_user_id: int | None = None) -> None:
    if not email:
        return
    taken = User.objects.filter(email__iexact=email)
    if except_user_id:
        taken = taken.exclude(pk=except_user_id)
    if taken.exists():
        raise EmailTakenError(field="email", params={"email": email})


def _password(password: str, user: User) -> None:
    """Django's password validators, as bilingual errors on the field 'password'."""
    if not password:
        raise InputError(_("Enter a password."), field="password")
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        errors = [
            ApplicationError(
                error.message,
                field="password",
                code=error.code or "weak_password",
                params=error.params,
            )
            for error in exc.error_list
        ]
        first = errors[0]
        raise ValidationFailedError(
            first.message,
            field="password",
            code="weak_password",
            params=first.params,
            errors=errors,
        ) from None


def _username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise InputError(
            _(
                "A username has 3 to 150 letters, digits or . _ @ + - and starts with a letter or digit."
            ),
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTakenError(field="username", params={"username": username})
    return username


def _roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [role for role in chosen if role not in Role.values]
    if unknown:
        raise InputError(
            _("Unknown role %(role)s. Choose from: %(valid)s."),
            field="roles",
            params={"role": ", ".join(unknown), "valid": ", ".join(Role.values)},
        )
    return chosen


def _officer_snapshot(membership: OfficerMembership) -> dict[str, Any]:
    return {
        "user": membership.user.username,
        "agency": membership.agency.code,
        "position": membership.position,
        "roles": sorted(membership.role_grants.values_list("role", flat=True)),
    }


def _actor_of(user: User) -> Principal:
    return Principal(user_id=user.pk, username=user.username, display_name=user.display_name)


# Accounts ---------------------------------------------------------------------------------------


@transaction.atomic
def citizen_register(
    *,
    national_id: str,
    first_name: str,
    last_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    title: str = Citizen.Title.OTHER,
    first_name_en: str = "",
    last_name_en: str = "",
    birth_date: dt.date | None = None,
    address: str = "",
    preferred_language: str = Language.THAI,
) -> User:
    """Open a citizen account; the national ID is the username.

    Raises InvalidNationalIdError, AlreadyRegisteredError, EmailTakenError or a password error.
    """
    national_id = thai_id.validate_national_id(national_id)
    first_name = _required(first_name, "first_name", _("your first name"))
    last_name = _required(last_name, "last_name", _("your last name"))
    email = _email(email)
    if (
        Citizen.objects.filter(national_id=national_id).exists()
        or User.objects.filter(username=national_id).exists()
    ):
        raise AlreadyRegisteredError(field="national_id")
    _email_free(email)
    if title not in Citizen.Title.values:
        raise InputError(_("Choose a title from the list."), field="title")
    if birth_date and birth_date > timezone.localdate():
        raise InputError(_("A date of birth cannot be in the future."), field="birth_date")
    user = User(
        username=national_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone.strip(),
        preferred_language=preferred_language,
    )
    _password(password, user)
    user.set_password(password)
    user.save()
    citizen = Citizen.objects.create(
        user=user,
        national_id=national_id,
        title=title,
        first_name_en=first_name_en.strip(),
        last_name_en=last_name_en.strip(),
        birth_date=birth_date,
        address=address.strip(),
    )
    audit.record(
        actor=_actor_of(user),
        action="identity.citizen.register",
        obj=citizen,
        object_label=user.display_name,
        after={
            "username": user.username,
            "national_id": thai_id.masked(national_id),
            "name": user.display_name,
            "email": email,
        },
    )
    return user


@transaction.atomic
def account_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    actor: audit.Actor | None = None,
) -> User:
    """Open an account without a citizen record (a company contact, an officer)."""
    username = _username(username)
    first_name = _required(first_name, "first_name", _("the first name"))
    last_name = _required(last_name, "last_name", _("the last name"))
    email = _email(email)
    _email_free(email)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone.strip(),
    )
    _password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor or _actor_of(user),
        action="identity.account.create",
        obj=user,
        object_label=user.display_name,
        after={"username": username, "name": user.display_name, "email": email},
    )
    return user


class PlatformAlreadyAdministeredError(ConflictError):
    code = "platform_has_admin"
    message = _("This installation already has a platform administrator; they can grant the right.")


@transaction.atomic
def platform_admin_bootstrap(
    *, username: str, first_name: str, last_name: str, password: str, email: str = ""
) -> User:
    """Create the first platform administrator of an empty installation (refused afterwards)."""
    if User.objects.filter(is_platform_admin=True).exists():
        raise PlatformAlreadyAdministeredError()
    user = account_create(
        username=username,
        first_name=first_name,
        last_name=last_name,
        password=password,
        email=email,
        actor=audit.SYSTEM,
    )
    user.is_platform_admin = True
    user.save(update_fields=["is_platform_admin"])
    audit.record(
        actor=audit.SYSTEM,
        action="identity.account.platform_flags",
        obj=user,
        object_label=user.display_name,
        after={"is_platform_admin": True},
    )
    return user


@transaction.atomic
def account_update(*, actor: Principal, email: str, phone: str, preferred_language: str) -> User:
    """Change one's own contact details and language."""
    require_authenticated(actor)
    user = User.objects.select_for_update().get(pk=actor.user_id)
    email = _email(email)
    _email_free(email, except_user_id=user.pk)
    if preferred_language not in Language.values:
        raise InputError(_("Choose Thai or English."), field="preferred_language")
    before = audit.snapshot(user, ["email", "phone", "preferred_language"])
    user.email, user.phone, user.preferred_language = email, phone.strip(), preferred_language
    user.save(update_fields=["email", "phone", "preferred_language"])
    changed_before, changed_after = audit.changes(
        before, audit.snapshot(user, ["email", "phone", "preferred_language"])
    )
    if changed_after:
        audit.record(
            actor=actor,
            action="identity.account.update",
            obj=user,
            object_label=user.display_name,
            before=changed_before,
            after=changed_after,
        )
    return user


@transaction.atomic
def password_change(*, actor: Principal, old_password: str, new_password: str) -> User:
    require_authenticated(actor)
    user = User.objects.select_for_update().get(pk=actor.user_id)
    if not user.check_password(old_password):
        raise WrongPasswordError(field="old_password")
    _password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action="identity.account.password_change",
        obj=user,
        object_label=user.display_name,
    )
    return user


def login_record(*, user: User) -> None:
    """Note a successful login in the audit log."""
    with transaction.atomic():
        audit.record(
            actor=_actor_of(user),
            action="identity.account.login",
            obj=user,
            object_label=user.display_name,
        )


# Businesses --------------------------------------------------------------------------------------


@transaction.atomic
def business_register(
    *,
    owner: Principal,
    juristic_id: str,
    name_th: str,
    name_en: str = "",
    kind: str = Business.Kind.LIMITED,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> Business:
    """Register a business with its juristic ID; the person registering becomes its owner."""
    require_authenticated(owner)
    juristic_id = thai_id.validate_juristic_id(juristic_id)
    name_th = _required(name_th, "name_th", _("the business name in Thai"))
    if kind not in Business.Kind.values:
        raise InputError(_("Choose the kind of business from the list."), field="kind")
    email = _email(email)
    if Business.objects.filter(juristic_id=juristic_id).exists():
        raise BusinessAlreadyRegisteredError(field="juristic_id")
    business = Business.objects.create(
        juristic_id=juristic_id,
        name_th=name_th,
        name_en=name_en.strip(),
        kind=kind,
        address=address.strip(),
        phone=phone.strip(),
        email=email,
    )
    BusinessMember.objects.create(
        business=business, user_id=owner.user_id, role=BusinessMember.Role.OWNER
    )
    audit.record(
        actor=owner,
        action="identity.business.register",
        obj=business,
        after=audit.snapshot(business, ["juristic_id", "name_th", "name_en", "kind", "email"])
        | {"owner": owner.username},
    )
    return business


@transaction.atomic
def business_register_with_account(
    *, account: dict[str, str], business: dict[str, str]
) -> tuple[User, Business]:
    """Open the contact person's account and register their business, both or neither."""
    user = account_create(**account)
    return user, business_register(owner=_actor_of(user), **business)


# Agencies and officers ------------------------------------------------------------------------


@transaction.atomic
def agency_create(
    *,
    actor: Principal,
    code: str,
    name_th: str,
    name_en: str,
    kind: str,
    parent_code: str | None = None,
) -> Agency:
    """Add a government agency (platform administrators only)."""
    require_platform_admin(actor)
    code = (code or "").strip().upper()
    if not AGENCY_CODE.match(code):
        raise InputError(
            _(
                "An agency code has 2 to 20 capital letters, digits or dashes and starts with a letter, e.g. CGD."
            ),
            field="code",
        )
    name_th = _required(name_th, "name_th", _("the agency name in Thai"))
    name_en = _required(name_en, "name_en", _("the agency name in English"))
    if kind not in Agency.Kind.values:
        raise InputError(_("Choose the kind of agency from the list."), field="kind")
    parent = None
    if kind == Agency.Kind.MINISTRY:
        if parent_code:
            raise InputError(_("A ministry does not belong to another agency."), field="parent")
    elif parent_code:
        parent = agency_get(parent_code)
        if parent.kind != Agency.Kind.MINISTRY:
            raise InputError(
                _("%(code)s is not a ministry. Choose the ministry the agency belongs to."),
                field="parent",
                params={"code": parent.code},
            )
    if Agency.objects.filter(code=code).exists():
        raise AgencyCodeTakenError(field="code", params={"code": code})
    agency = Agency.objects.create(
        code=code, name_th=name_th, name_en=name_en, kind=kind, parent=parent
    )
    audit.record(
        actor=actor,
        action="identity.agency.create",
        obj=agency,
        agency_code=code,
        after={
            "code": code,
            "name_th": name_th,
            "name_en": name_en,
            "kind": kind,
            "parent": parent.code if parent else None,
        },
    )
    return agency


def _locked_agency(code: str) -> Agency:
    agency = agency_get(code)
    return Agency.objects.select_for_update().get(pk=agency.pk)


def _membership(agency: Agency, username: str) -> OfficerMembership:
    membership = (
        OfficerMembership.objects.select_related("user", "agency")
        .filter(agency=agency, user__username=username)
        .first()
    )
    if membership is None:
        raise NotFoundError(
            _("%(user)s is not an officer of %(agency)s."),
            field="user",
            params={"user": username, "agency": agency.code},
        )
    return membership


def _keep_an_admin(agency: Agency, actor: Principal) -> None:
    """Agency administrators may not leave their agency without one; platform admins may."""
    if actor.is_platform_admin:
        return
    if not OfficerRoleGrant.objects.filter(
        membership__agency=agency, role=Role.AGENCY_ADMIN
    ).exists():
        raise LastAgencyAdminError(params={"agency": agency.code})


@transaction.atomic
def officer_appoint(
    *,
    actor: Principal,
    agency_code: str,
    user_identifier: str,
    position: str = "",
    roles: Iterable[str] = (),
) -> OfficerMembership:
    """Make a person an officer of an agency with roles.

    Agency administrators of that agency or platform administrators. Locks the agency row.
    """
    agency = _locked_agency(agency_code)
    require_officer_manager(actor, agency_id=agency.pk, agency_code=agency.code)
    chosen = _roles(roles)
    user = user_find(user_identifier)
    existing = OfficerMembership.objects.select_related("agency").filter(user=user).first()
    if existing is not None:
        raise AlreadyOfficerError(
            field="user", params={"user": user.display_name, "agency": existing.agency.code}
        )
    membership = OfficerMembership.objects.create(
        user=user, agency=agency, position=position.strip(), appointed_by_id=actor.user_id
    )
    OfficerRoleGrant.objects.bulk_create(
        OfficerRoleGrant(membership=membership, role=role, granted_by_id=actor.user_id)
        for role in chosen
    )
    audit.record(
        actor=actor,
        action="identity.officer.appoint",
        obj=membership,
        object_label=f"{user.display_name} @ {agency.code}",
        agency_code=agency.code,
        after=_officer_snapshot(membership),
    )
    return membership


@transaction.atomic
def officer_roles_set(
    *,
    actor: Principal,
    agency_code: str,
    username: str,
    roles: Iterable[str],
    position: str | None = None,
) -> OfficerMembership:
    """Replace an officer's roles (and position). Keeps at least one agency administrator."""
    agency = _locked_agency(agency_code)
    require_officer_manager(actor, agency_id=agency.pk, agency_code=agency.code)
    chosen = _roles(roles)
    membership = _membership(agency, username)
    before = _officer_snapshot(membership)
    current = set(before["roles"])
    membership.role_grants.exclude(role__in=chosen).delete()
    OfficerRoleGrant.objects.bulk_create(
        OfficerRoleGrant(membership=membership, role=role, granted_by_id=actor.user_id)
        for role in chosen
        if role not in current
    )
    if position is not None:
        membership.position = position.strip()
        membership.save(update_fields=["position"])
    _keep_an_admin(agency, actor)
    after = _officer_snapshot(membership)
    if after != before:
        changed_before, changed_after = audit.changes(before, after)
        audit.record(
            actor=actor,
            action="identity.officer.roles_set",
            obj=membership,
            object_label=f"{membership.user.display_name} @ {agency.code}",
            agency_code=agency.code,
            before=changed_before,
            after=changed_after,
        )
    return membership


@transaction.atomic
def officer_release(*, actor: Principal, agency_code: str, username: str) -> None:
    """End a person's membership of an agency (their roles go with it)."""
    agency = _locked_agency(agency_code)
    require_officer_manager(actor, agency_id=agency.pk, agency_code=agency.code)
    membership = _membership(agency, username)
    before = _officer_snapshot(membership)
    label = f"{membership.user.display_name} @ {agency.code}"
    membership_id = membership.pk
    membership.delete()
    _keep_an_admin(agency, actor)
    audit.record(
        actor=actor,
        action="identity.officer.release",
        object_type="identity.officermembership",
        object_id=membership_id,
        object_label=label,
        agency_code=agency.code,
        before=before,
    )


@transaction.atomic
def platform_flags_set(
    *,
    actor: Principal,
    user_identifier: str,
    is_auditor: bool | None = None,
    is_platform_admin: bool | None = None,
) -> User:
    """Make a person an auditor or platform administrator, or stop it."""
    require_platform_admin(actor)
    user = user_find(user_identifier)
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_platform_admin is False and user.pk == actor.user_id:
        raise ConflictError(
            _("You cannot remove your own platform administrator rights."),
            field="is_platform_admin",
        )
    before = audit.snapshot(user, ["is_auditor", "is_platform_admin"])
    if is_auditor is not None:
        user.is_auditor = is_auditor
    if is_platform_admin is not None:
        user.is_platform_admin = is_platform_admin
    user.save(update_fields=["is_auditor", "is_platform_admin"])
    changed_before, changed_after = audit.changes(
        before, audit.snapshot(user, ["is_auditor", "is_platform_admin"])
    )
    if changed_after:
        audit.record(
            actor=actor,
            action="identity.account.platform_flags",
            obj=user,
            object_label=user.display_name,
            before=changed_before,
            after=changed_after,
        )
    return user


# API tokens -------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Principal, name: str, days: int | None = None
) -> tuple[str, ApiToken]:
    """Create an API token for oneself. Returns the token (shown once) and its record."""
    require_authenticated(actor)
    name = _required(name, "name", _("a name for the token"))[:100]
    days = days or settings.ONESTOP_API_TOKEN_DAYS
    if not 1 <= days <= 365:
        raise InputError(_("A token lasts from 1 to 365 days."), field="days")
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}{secret}"
    record = ApiToken.objects.create(
        user_id=actor.user_id,
        name=name,
        key_prefix=token[:12],
        key_hash=_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action="identity.api_token.create",
        obj=record,
        after={"name": name, "prefix": record.key_prefix, "expires_at": record.expires_at},
    )
    return token, record


@transaction.atomic
def api_token_revoke(*, actor: Principal, token_id: int) -> ApiToken:
    require_authenticated(actor)
    record = ApiToken.objects.select_for_update().filter(pk=token_id, user_id=actor.user_id).first()
    if record is None:
        raise TokenNotFoundError(field="token")
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="identity.api_token.revoke",
            obj=record,
            after={"revoked_at": record.revoked_at},
        )
    return record


def api_token_user(token: str) -> User | None:
    """The active user of a valid, unexpired, unrevoked token (notes its last use)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = timezone.now()
    record = (
        ApiToken.objects.select_related("user__citizen", "user__officer__agency")
        .filter(key_hash=_token_hash(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


class NotBusinessOwnerError(ConflictError):
    code = "not_business_owner"
    status = 403
    message = _("Only owners of %(business)s may add people to it.")


@transaction.atomic
def business_member_add(
    *,
    actor: Principal,
    juristic_id: str,
    user_identifier: str,
    role: str = BusinessMember.Role.STAFF,
) -> BusinessMember:
    """Let another account act for one's business (owners only)."""
    require_authenticated(actor)
    business = Business.objects.select_for_update().filter(juristic_id=juristic_id).first()
    if business is None:
        raise NotFoundError(
            _("No business has the juristic ID %(id)s."),
            field="juristic_id",
            params={"id": juristic_id},
        )
    if business.pk not in actor.owned_business_ids:
        raise NotBusinessOwnerError(params={"business": business.name_th})
    if role not in BusinessMember.Role.values:
        raise InputError(_("Choose owner or staff."), field="role")
    user = user_find(user_identifier)
    if BusinessMember.objects.filter(business=business, user=user).exists():
        raise ConflictError(
            _("%(user)s already acts for %(business)s."),
            field="user",
            params={"user": user.display_name, "business": business.name_th},
        )
    member = BusinessMember.objects.create(business=business, user=user, role=role)
    audit.record(
        actor=actor,
        action="identity.business.member_add",
        obj=member,
        object_label=f"{user.display_name} @ {business.name_th}",
        after={"business": business.juristic_id, "user": user.username, "role": role},
    )
    return member


# Two-step verification (TOTP) ---------------------------------------------------------------------


class SecondFactorMissingError(PermissionDeniedError):
    code = "second_factor_missing"
    message = _(
        "This needs two-step verification, and your account does not have it yet. Set it up "
        "on the page Two-step verification (%(path)s), then try again."
    )

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("params", {"path": reverse("identity:account_security")})
        super().__init__(message, **kwargs)


class SecondFactorUnavailableError(SecondFactorMissingError):
    code = "second_factor_unavailable"
    message = _(
        "Your two-step verification can no longer be checked: the platform's secret key has "
        "changed since you set it up. Set it up again on the page Two-step verification "
        "(%(path)s)."
    )


class SecondFactorWrongError(InputError):
    code = "second_factor_wrong"
    message = _(
        "The code is not correct, or it has expired. Enter the 6-digit code that your "
        "authenticator app shows now."
    )


class SecondFactorReplayedError(SecondFactorWrongError):
    code = "second_factor_replayed"
    message = _(
        "This code has already been used; each code works once. Wait for the next code in your "
        "authenticator app (it changes every 30 seconds) and enter that one."
    )


class SecondFactorAlreadyOnError(ConflictError):
    code = "second_factor_already_on"
    message = _(
        "Two-step verification is already on. To move it to another phone, set it up again "
        "with your password."
    )


class SecondFactorNotStartedError(ConflictError):
    code = "second_factor_not_started"
    message = _("Start setting up two-step verification first, then enter the code it shows.")


def _timestamp() -> float:
    return timezone.now().timestamp()


def _accepted_step(device: TotpDevice, code: str) -> int:
    """The step `code` matches on the device; refuses wrong, expired and already used codes."""
    try:
        secret = device.open_secret()
    except totp.SecretUnavailableError:
        raise SecondFactorUnavailableError() from None
    step = totp.matching_step(secret, code, timestamp=_timestamp())
    if step is None:
        raise SecondFactorWrongError(field="code")
    if device.last_used_step is not None and step <= device.last_used_step:
        raise SecondFactorReplayedError(field="code")
    return step


@transaction.atomic
def totp_enroll(
    *, actor: Principal, reset: bool = False, password: str = ""
) -> tuple[TotpDevice, str]:
    """Start setting up two-step verification for oneself: a new secret, not yet confirmed.

    Replaces an unconfirmed device. A confirmed one is replaced only with `reset` and the
    account's password (a borrowed session must not move the second factor to another phone);
    until the new one is confirmed the account has no second factor. Locks the user row.
    Returns the device and its otpauth:// URI, which holds the secret: show it to the person
    only. Raises SecondFactorAlreadyOnError or WrongPasswordError.
    """
    require_authenticated(actor)
    user = User.objects.select_for_update().get(pk=actor.user_id)
    existing = TotpDevice.objects.filter(user=user).first()
    replaces_confirmed = existing is not None and existing.is_confirmed
    if replaces_confirmed:
        if not reset:
            raise SecondFactorAlreadyOnError()
        if not user.check_password(password):
            raise WrongPasswordError(field="password")
    if existing is not None:
        existing.delete()
    secret = totp.new_secret()
    device = TotpDevice(user=user)
    device.seal_secret(secret)
    device.save()
    audit.record(
        actor=actor,
        action="identity.totp.reset" if replaces_confirmed else "identity.totp.enroll",
        obj=device,
        object_label=user.display_name,
        after={"confirmed": False},
    )
    return device, totp.provisioning_uri(secret, account=totp_account_label(actor))


@transaction.atomic
def totp_confirm(*, actor: Principal, code: str) -> TotpDevice:
    """Turn on two-step verification by proving a first code from the new device.

    Locks the device row; the code is spent. Raises SecondFactorNotStartedError,
    SecondFactorAlreadyOnError, SecondFactorWrongError or SecondFactorReplayedError.
    """
    require_authenticated(actor)
    device = TotpDevice.objects.select_for_update().filter(user_id=actor.user_id).first()
    if device is None:
        raise SecondFactorNotStartedError()
    if device.is_confirmed:
        raise SecondFactorAlreadyOnError()
    device.last_used_step = _accepted_step(device, code)
    device.confirmed_at = timezone.now()
    device.save(update_fields=["last_used_step", "confirmed_at"])
    audit.record(
        actor=actor,
        action="identity.totp.confirm",
        obj=device,
        object_label=actor.display_name,
        after={"confirmed_at": device.confirmed_at},
    )
    return device


@transaction.atomic
def totp_verify(*, user_id: int, code: str) -> None:
    """Check a person's second-factor code before a sensitive action; each code works once.

    Accepts the code of the current 30-second step or of one step either side. Locks the
    device row, so a code presented twice at once is accepted once. Call it inside the
    transaction of the action it guards: if that action is rolled back, the code is not spent.
    Not audited (like an API token's last use): the guarded action is. Raises
    SecondFactorMissingError (or its subclass SecondFactorUnavailableError),
    SecondFactorWrongError (or its subclass SecondFactorReplayedError).
    """
    device = (
        TotpDevice.objects.select_for_update()
        .filter(user_id=user_id, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        raise SecondFactorMissingError()
    device.last_used_step = _accepted_step(device, code)
    device.save(update_fields=["last_used_step"])


@transaction.atomic
def totp_enroll_known_secret(user: User, secret: str) -> TotpDevice:
    """Give a person a confirmed device with a given secret, replacing any other.

    For the demo data and tests only: a secret known to anyone else is no second factor.
    Raises InputError if the secret is not base32 of 128 bits or more.
    """
    try:
        secret = totp.normalize_secret(secret)
    except ValueError:
        raise InputError(
            _("A TOTP secret is base32 (the letters A-Z and the digits 2-7) of 128 bits or more."),
            field="secret",
        ) from None
    TotpDevice.objects.filter(user=user).delete()
    device = TotpDevice(user=user, confirmed_at=timezone.now())
    device.seal_secret(secret)
    device.save()
    audit.record(
        actor=audit.SYSTEM,
        action="identity.totp.enroll_known",
        obj=device,
        object_label=user.display_name,
        after={"confirmed": True},
    )
    return device
