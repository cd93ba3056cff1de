"""Procurement fixtures: an approved supplier with items, an agency with budget and officers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone

from onestop.identity import public as identity
from onestop.identity.domain import totp
from onestop.identity.models import Business, User
from onestop.payments import gateway
from onestop.payments.domain.signing import sign
from onestop.payments.services import bank_callback_receive
from onestop.procurement.categories import CATEGORIES
from onestop.procurement.models import Category
from onestop.procurement.services import budget, catalog, suppliers, tendering

PDF = b"%PDF-1.4\n% a tiny test document\n"


@pytest.fixture
def categories(db):
    for code, name_th, name_en, parent in CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "parent": Category.objects.filter(code=parent).first(),
            },
        )


def apply(owner: identity.Principal, **overrides) -> object:
    business = Business.objects.get(pk=next(iter(owner.business_ids)))
    fields = {
        "juristic_id": business.juristic_id,
        "categories": ["14111500", "44103100"],
        "address": "88 ถนนพระราม 4 กรุงเทพมหานคร 10110",
        "contact_name": "วีระ",
        "contact_phone": "021234567",
        "contact_email": "sales@example.co.th",
        "payout_method": "bank_account",
        "bank_code": "014",
        "bank_account_number": "1234567890",
        "bank_account_name": business.name_th,
        "documents": [suppliers.Upload("company_certificate", "certificate.pdf", PDF)],
    } | overrides
    return suppliers.supplier_apply(actor=owner, **fields)


@pytest.fixture
def approved_supplier(supplier, admin, categories):
    """A supplier's owner (Principal) whose registration the registrar approved."""

    def make() -> identity.Principal:
        owner = supplier()
        supplier_row = apply(owner)
        suppliers.supplier_review(
            actor=admin, juristic_id=supplier_row.business.juristic_id, decision="approve"
        )
        return owner

    return make


def juristic_of(owner: identity.Principal) -> str:
    return Business.objects.get(pk=next(iter(owner.business_ids))).juristic_id


@pytest.fixture
def item(approved_supplier):
    def make(owner=None, **fields):
        owner = owner or approved_supplier()
        values = {
            "category": "14111500",
            "sku": f"SKU-{Category.objects.count()}-{len(fields)}",
            "name_th": "กระดาษถ่ายเอกสาร A4 80 แกรม",
            "name_en": "A4 copy paper 80 gsm",
            "unit": "รีม",
            "price": "125.00",
            "specs": {"ขนาด": "A4", "น้ำหนัก": "80 แกรม"},
        } | fields
        return catalog.catalog_item_create(
            actor=owner, juristic_id=juristic_of(owner), fields=values
        )

    return make


@pytest.fixture
def cgd_team(cgd, officer):
    """CGD's officers: buyer, two approvers, two inspectors, finance, admin; and a budget line."""
    team = {
        "admin": officer("CGD", "agency_admin"),
        "buyer": officer("CGD", "buyer"),
        "approver": officer("CGD", "approver"),
        "approver2": officer("CGD", "approver"),
        "inspector": officer("CGD", "inspector"),
        "inspector2": officer("CGD", "inspector"),
        "finance": officer("CGD", "finance"),
    }
    from django.utils import timezone

    from onestop.core.thai import fiscal_year

    team["budget"] = budget.budget_line_create(
        actor=team["admin"],
        agency_code="CGD",
        fiscal_year=fiscal_year(timezone.now()),
        code="OPS-01",
        name="ค่าวัสดุสำนักงาน",
        amount=Decimal("100000.00"),
    )
    return team


class FakeBank:
    """Stands in for the bank in service tests: records orders, then reports like the bank."""

    def __init__(self) -> None:
        self.orders: list[dict] = []
        self.events = 0

    def submit(self, order: dict) -> dict:
        self.orders.append(order)
        return {"bank_reference": f"TEST-{len(self.orders)}", "status": "accepted"}

    def callback(
        self,
        order: dict,
        kind: str = "payment_order.settled",
        amount: str | None = None,
        secret: str | None = None,
        event_id: str | None = None,
    ) -> object:
        self.events += 1
        body = json.dumps(
            {
                "event_id": event_id or f"evt_{self.events}",
                "type": kind,
                "bank_reference": f"TEST-{self.orders.index(order) + 1}",
                "idempotency_key": order["idempotency_key"],
                "amount": amount or order["amount"],
                "reason": "account closed" if kind.endswith("failed") else "",
                "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            }
        ).encode()
        headers = sign(secret or settings.ONESTOP_BANK_WEBHOOK_SECRET, body)
        return bank_callback_receive(body=body, headers=headers)


@pytest.fixture
def bank(monkeypatch):
    fake = FakeBank()
    monkeypatch.setattr(gateway, "submit_payment_order", fake.submit)
    return fake


# Tenders and the vault ------------------------------------------------------------------------

PASSPHRASE = "ขอเปิดซองตามเวลา-2569"


def enrol(member) -> None:
    """Give a committee member their authenticator (the demo secret) for share releases."""
    identity.totp_enroll_known_secret(
        User.objects.get(pk=member.user_id), identity.DEMO_TOTP_SECRET
    )


def otp() -> str:
    """The code the member's authenticator shows now (the platform's clock, moved by tests)."""
    return totp.code_at(identity.DEMO_TOTP_SECRET, timezone.now().timestamp())


class Clock:
    """Moves the platform's clock (django.utils.timezone.now) forward in a test."""

    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)

    def to(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def committee(cgd, officer):
    members = [officer("CGD", "committee") for _ in range(3)]
    for member in members:
        tendering.vault_key_create(actor=member, passphrase=PASSPHRASE)
        enrol(member)
    return members


@pytest.fixture
def buyer(cgd, officer):
    return officer("CGD", "buyer")


# In-process HTTP for the Python client ------------------------------------------------------


def in_test_transaction(application):
    """The Django WSGI application for calls inside a test's transaction: like Django's test
    client, a request neither starts nor ends by closing the database connection."""

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return app


@pytest.fixture
def wsgi_http():
    """An httpx client that calls the platform in-process, in the test's database transaction."""
    transport = httpx.WSGITransport(app=in_test_transaction(get_wsgi_application()))
    with httpx.Client(transport=transport, base_url="http://testserver") as client:
        yield client
