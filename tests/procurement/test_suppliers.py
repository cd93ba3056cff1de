"""Supplier registration (P-01): apply, review with reasons, only approved suppliers sell."""

from __future__ import annotations

import pytest

from onestop.core.errors import ApplicationError, PermissionDeniedError
from onestop.procurement.models import Supplier, SupplierDocument
from onestop.procurement.selectors import catalog_search
from onestop.procurement.services import catalog, suppliers
from tests.procurement.conftest import PDF, apply, juristic_of

pytestmark = pytest.mark.django_db


def test_a_business_applies_and_waits_for_review(supplier, categories):
    owner = supplier()
    row = apply(owner)
    assert row.status == Supplier.Status.PENDING
    assert row.documents.get().sha256 and row.categories.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"categories": []}, "categories"),
        ({"categories": ["99999999"]}, "categories"),
        ({"payout_method": "cash"}, "payout_method"),
        ({"payout_method": "promptpay", "promptpay_id": "12345"}, "promptpay_id"),
        ({"bank_account_number": "12-ab"}, "bank_account_number"),
        ({"bank_code": "999"}, "bank_code"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"documents": []}, "documents"),
        (
            {"documents": [suppliers.Upload("company_certificate", "virus.exe", b"MZ\x90\x00")]},
            "documents",
        ),
        (
            {
                "documents": [
                    suppliers.Upload(
                        "company_certificate", "big.pdf", PDF + b"0" * (5 * 1024 * 1024)
                    )
                ]
            },
            "documents",
        ),
    ],
)
def test_bad_applications_are_refused_and_store_nothing(supplier, categories, overrides, field):
    owner = supplier()
    with pytest.raises(ApplicationError) as caught:
        apply(owner, **overrides)
    assert caught.value.field == field, caught.value.text("en")
    assert Supplier.objects.count() == 0 and SupplierDocument.objects.count() == 0


def test_only_the_business_itself_applies(supplier, citizen, categories):
    owner = supplier()
    stranger = citizen()
    with pytest.raises(PermissionDeniedError):
        suppliers.supplier_apply(
            actor=stranger,
            juristic_id=juristic_of(owner),
            categories=["14111500"],
            address="a",
            contact_name="b",
            contact_phone="c",
            contact_email="d@e.th",
            payout_method="promptpay",
            promptpay_id="0812345678",
            documents=[suppliers.Upload("company_certificate", "c.pdf", PDF)],
        )
    assert Supplier.objects.count() == 0


def test_the_registrar_decides_with_reasons(supplier, categories, admin, officer, cgd):
    owner = supplier()
    apply(owner)
    jid = juristic_of(owner)
    buyer = officer("CGD", "buyer")
    with pytest.raises(PermissionDeniedError):
        suppliers.supplier_review(actor=buyer, juristic_id=jid, decision="approve")
    with pytest.raises(suppliers.ReasonRequiredError):
        suppliers.supplier_review(actor=admin, juristic_id=jid, decision="reject")
    rejected = suppliers.supplier_review(
        actor=admin, juristic_id=jid, decision="reject", reason="หนังสือรับรองหมดอายุ"
    )
    assert (
        rejected.status == Supplier.Status.REJECTED
        and rejected.decision_reason == "หนังสือรับรองหมดอายุ"
    )
    again = apply(owner)
    assert again.status == Supplier.Status.PENDING
    registrar = officer("CGD", "approver")
    assert (
        suppliers.supplier_review(actor=registrar, juristic_id=jid, decision="approve").status
        == "approved"
    )
    with pytest.raises(suppliers.ReviewNotAllowedError):
        suppliers.supplier_review(actor=admin, juristic_id=jid, decision="approve")


def test_a_pending_supplier_cannot_list_items(supplier, categories):
    owner = supplier()
    apply(owner)
    with pytest.raises(catalog.SupplierNotApprovedError):
        catalog.catalog_item_create(
            actor=owner,
            juristic_id=juristic_of(owner),
            fields={
                "category": "14111500",
                "sku": "A",
                "name_th": "กระดาษ",
                "unit": "รีม",
                "price": "10",
            },
        )


def test_suspension_takes_items_off_sale_and_reinstating_brings_them_back(
    approved_supplier, item, admin
):
    owner = approved_supplier()
    paper = item(owner)
    assert [i.pk for i in catalog_search(query="กระดาษ").items] == [paper.pk]
    suppliers.supplier_review(
        actor=admin, juristic_id=juristic_of(owner), decision="suspend", reason="ทุจริต"
    )
    assert catalog_search(query="กระดาษ").items == []
    suppliers.supplier_review(actor=admin, juristic_id=juristic_of(owner), decision="reinstate")
    assert [i.pk for i in catalog_search(query="กระดาษ").items] == [paper.pk]
