"""Load the demo data through the same services the pages and the API use (so it is audited).

Idempotent: what exists already is left alone, so `onestop demo` may run at every start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction

from onestop.demo import data, procurement_loader
from onestop.identity import public as identity
from onestop.identity.models import Agency, Business, OfficerMembership, User


@dataclass(frozen=True)
class DemoAccount:
    kind: str
    login: str
    name: str
    detail: str


def _admin() -> identity.Principal:
    username, first, last, email = data.PLATFORM_ADMIN
    admin = User.objects.filter(username=username).first()
    if admin is not None:
        return identity.principal_for(admin)
    existing = User.objects.filter(is_platform_admin=True).order_by("pk").first()
    if existing is None:
        admin = identity.platform_admin_bootstrap(
            username=username,
            first_name=first,
            last_name=last,
            email=email,
            password=data.DEMO_PASSWORD,
        )
        return identity.principal_for(admin)
    _account(username, first, last, email)
    identity.platform_flags_set(
        actor=identity.principal_for(existing), user_identifier=username, is_platform_admin=True
    )
    return identity.principal_for(User.objects.get(username=username))


def _account(username: str, first: str, last: str, email: str) -> User:
    """The demo account with this username, created when missing."""
    existing = User.objects.filter(username=username).first()
    return existing or identity.account_create(
        username=username,
        first_name=first,
        last_name=last,
        email=email,
        password=data.DEMO_PASSWORD,
    )


def _agencies(admin: identity.Principal) -> None:
    ministries = [(code, th, en, "ministry", None) for code, th, en in data.MINISTRIES]
    for code, name_th, name_en, kind, ministry in ministries + data.AGENCIES:
        if not Agency.objects.filter(code=code).exists():
            identity.agency_create(
                actor=admin,
                code=code,
                name_th=name_th,
                name_en=name_en,
                kind=kind,
                parent_code=ministry,
            )


def _auditor(admin: identity.Principal) -> None:
    user = _account(*data.AUDITOR)
    if not user.is_auditor:
        identity.platform_flags_set(actor=admin, user_identifier=user.username, is_auditor=True)


def _officers(admin: identity.Principal) -> None:
    for username, first, last, agency, position, roles in data.OFFICERS:
        with transaction.atomic():
            _account(username, first, last, f"{username}@{agency.lower()}.localhost")
            if not OfficerMembership.objects.filter(user__username=username).exists():
                identity.officer_appoint(
                    actor=admin,
                    agency_code=agency,
                    user_identifier=username,
                    position=position,
                    roles=roles,
                )


def _second_factors() -> None:
    """Committee members (who release vault shares) get two-step verification, demo key."""
    for user in User.objects.filter(officer__role_grants__role=identity.Role.COMMITTEE):
        if not identity.has_second_factor(user.pk):
            identity.totp_enroll_known_secret(user, identity.DEMO_TOTP_SECRET)


def _citizens() -> None:
    for national_id, title, first, last, first_en, last_en, born, address in data.CITIZENS:
        if not User.objects.filter(username=national_id).exists():
            identity.citizen_register(
                national_id=national_id,
                title=title,
                first_name=first,
                last_name=last,
                first_name_en=first_en,
                last_name_en=last_en,
                birth_date=dt.date.fromisoformat(born),
                address=address,
                email=f"{first_en.lower()}@citizen.localhost",
                password=data.DEMO_PASSWORD,
            )


def _suppliers() -> None:
    for username, first, last, email, juristic_id, *business in data.SUPPLIERS:
        name_th, name_en, kind, address = business
        if Business.objects.filter(juristic_id=juristic_id).exists():
            continue
        with transaction.atomic():
            user = _account(username, first, last, email)
            identity.business_register(
                owner=identity.principal_for(user),
                juristic_id=juristic_id,
                name_th=name_th,
                name_en=name_en,
                kind=kind,
                address=address,
                email=email,
            )


def steps() -> Iterator[tuple[str, Callable[[], None]]]:
    """The loading steps in order, each with a label for the progress bar."""
    admin_holder: dict[str, identity.Principal] = {}

    def admin() -> identity.Principal:
        if "admin" not in admin_holder:
            admin_holder["admin"] = _admin()
        return admin_holder["admin"]

    yield "platform administrator", admin
    yield "agencies", lambda: _agencies(admin())
    yield "auditor", lambda: _auditor(admin())
    yield "officers", lambda: _officers(admin())
    yield "two-step verification of committee members", _second_factors
    yield "citizens", _citizens
    yield "suppliers", _suppliers
    yield "e-Procurement: catalogs, budgets, stores", lambda: procurement_loader.load(admin())


def accounts() -> list[DemoAccount]:
    """The demo accounts, for the README and the console."""
    rows = [
        DemoAccount(
            "platform admin",
            data.PLATFORM_ADMIN[0],
            f"{data.PLATFORM_ADMIN[1]} {data.PLATFORM_ADMIN[2]}",
            "agencies, auditors",
        ),
        DemoAccount(
            "auditor", data.AUDITOR[0], f"{data.AUDITOR[1]} {data.AUDITOR[2]}", "whole audit log"
        ),
    ]
    rows += [
        DemoAccount("officer", username, f"{first} {last}", f"{agency}: {', '.join(roles)}")
        for username, first, last, agency, _position, roles in data.OFFICERS
    ]
    rows += [
        DemoAccount("supplier", row[0], f"{row[1]} {row[2]}", row[5]) for row in data.SUPPLIERS
    ]
    rows += [
        DemoAccount("citizen", row[0], f"{row[2]} {row[3]}", "logs in with the national ID")
        for row in data.CITIZENS
    ]
    return rows
