"""Fixtures of the documents tests: a purchase-order-like template with Thai text, PDF tools."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from onestop.documents.public import render_pdf
from onestop.identity import public as identity

TEMPLATES_DIRECTORY = Path(__file__).resolve().parent / "templates"
PO_TEMPLATE = "tests_documents/purchase_order.html"


def templates_with_tests() -> list[dict[str, Any]]:
    engine = django_settings.TEMPLATES[0]
    return [{**engine, "DIRS": [*engine["DIRS"], TEMPLATES_DIRECTORY]}]


@pytest.fixture
def test_templates(settings):
    """Lets render_pdf and document_issue find the templates under tests/documents/templates."""
    settings.TEMPLATES = templates_with_tests()


def po_context(lines: int = 3) -> dict[str, Any]:
    items = [
        ("กระดาษถ่ายเอกสาร A4 80 แกรม", 50, "รีม", Decimal("115.00")),
        ("หมึกพิมพ์เลเซอร์ สีดำ", 4, "กล่อง", Decimal("2450.00")),
        ("แฟ้มเอกสารสันกว้าง 3 นิ้ว", 120, "แฟ้ม", Decimal("89.50")),
    ]
    rows = [
        {
            "name": items[index % 3][0],
            "quantity": items[index % 3][1],
            "unit": items[index % 3][2],
            "price": items[index % 3][3],
            "amount": items[index % 3][1] * items[index % 3][3],
        }
        for index in range(lines)
    ]
    return {
        "supplier": {
            "name": "บริษัท สยามเครื่องเขียน จำกัด",
            "tax_id": "0105558012345",
            "address": "99/9 ถนนพระราม 6 แขวงสามเสนใน เขตพญาไท กรุงเทพมหานคร 10400",
        },
        "delivery_date": dt.date(2026, 12, 15),
        "lines": rows,
        "total": sum((row["amount"] for row in rows), Decimal(0)),
        "note": "ผู้ขายต้องส่งมอบพัสดุ ณ กองพัสดุ ภายในเวลาราชการ",
        "signer_name": "นางสาวมาลี ใจงาม",
        "signer_position": "ผู้อำนวยการกองพัสดุ",
    }


def po_official(agency_code: str = "CGD") -> dict[str, Any]:
    """What document_issue adds to the context, for render_pdf called directly."""
    return {
        "agency": {
            "code": agency_code,
            "name_th": "กรมบัญชีกลาง",
            "name_en": "The Comptroller General's Department",
        },
        "document_number": "PO-2569/0001",
        "document_title": "ใบสั่งซื้อ",
        "document_date": dt.date(2026, 11, 25),
        "verify_url": "http://127.0.0.1:8000/documents/verify/",
    }


@pytest.fixture(scope="session")
def po_pdf() -> bytes:
    """An unsigned purchase order (rendering needs no database, so it is made once)."""
    with override_settings(TEMPLATES=templates_with_tests()):
        return render_pdf(PO_TEMPLATE, {**po_context(), **po_official()})


@pytest.fixture
def comptroller(admin):
    """The Comptroller General's Department, with its real names (code CGD)."""
    identity.agency_create(
        actor=admin,
        code="MOF",
        name_th="กระทรวงการคลัง",
        name_en="Ministry of Finance",
        kind="ministry",
    )
    return identity.agency_create(
        actor=admin,
        code="CGD",
        name_th="กรมบัญชีกลาง",
        name_en="The Comptroller General's Department",
        kind="department",
        parent_code="MOF",
    )
