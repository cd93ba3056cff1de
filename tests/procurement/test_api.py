"""The purchasing path through the API alone, and who may call each endpoint."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from onestop.procurement.models import CatalogItem, Invoice, PurchaseOrder
from tests.conftest import assert_error_shape
from tests.procurement.conftest import PDF, juristic_of

pytestmark = pytest.mark.django_db
P = "/api/procurement"


def test_the_whole_path_works_through_the_api(
    api, supplier, admin, categories, cgd_team, bank, run_tasks
):
    owner = supplier()
    jid = juristic_of(owner)
    seller, registrar = api(owner), api(admin)
    buyer, approver = api(cgd_team["buyer"]), api(cgd_team["approver"])
    inspector = api(cgd_team["inspector"])

    # the supplier applies with a document, the registrar approves
    applied = seller.post(
        f"{P}/suppliers",
        {
            "juristic_id": jid,
            "categories": ["14111500"],
            "address": "88 พระราม 4",
            "contact_name": "วีระ",
            "contact_phone": "021234567",
            "contact_email": "s@example.co.th",
            "payout_method": "promptpay",
            "promptpay_id": "0812345678",
            "documents": [
                {
                    "kind": "company_certificate",
                    "file_name": "c.pdf",
                    "content_base64": base64.b64encode(PDF).decode(),
                }
            ],
        },
    )
    assert applied.status_code == 201, applied.content
    assert (
        registrar.post(f"{P}/suppliers/{jid}/review", {"decision": "approve"}).json()["status"]
        == "approved"
    )

    # the supplier lists an item; a buyer finds it in Thai (no login needed to search)
    created = seller.post(
        f"{P}/suppliers/{jid}/items",
        {
            "category": "14111500",
            "sku": "A4",
            "name_th": "กระดาษถ่ายเอกสาร A4",
            "unit": "รีม",
            "price": "120.00",
        },
    )
    assert created.status_code == 201, created.content
    found = api(csrf=False).get(f"{P}/catalog?q=กระดาษ").json()
    assert [item["id"] for item in found["items"]] == [created.json()["id"]]

    # list → requisition → approval → signed PO
    assert (
        buyer.post(
            f"{P}/shopping-list", {"item_id": created.json()["id"], "quantity": "3"}
        ).status_code
        == 201
    )
    requisition = buyer.post(
        f"{P}/requisitions",
        {
            "budget_line_id": cgd_team["budget"].pk,
            "justification": "ใช้ในสำนักงาน",
            "delivery_address": "กรมบัญชีกลาง",
        },
    ).json()
    number = requisition["number"]
    decided = approver.post(f"{P}/requisitions/{number}/decisions", {"decision": "approve"}).json()
    (po_number,) = decided["orders"]
    pdf = buyer.get(f"{P}/orders/{po_number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert seller.get(f"{P}/orders/{po_number}/pdf").status_code == 200

    # supplier acknowledges and ships; inspection; invoice; bank pays
    assert seller.post(f"{P}/orders/{po_number}/acknowledge").json()["status"] == "acknowledged"
    assert (
        seller.post(f"{P}/orders/{po_number}/ship", {"note": "EMS"}).json()["status"] == "shipped"
    )
    line = seller.get(f"{P}/orders/{po_number}").json()["lines"][0]
    receipt = inspector.post(
        f"{P}/orders/{po_number}/receipts",
        {"lines": [{"order_line_id": line["id"], "delivered": "3", "accepted": "3"}]},
    )
    assert receipt.status_code == 201 and receipt.json()["result"] == "full"
    invoice = seller.post(
        f"{P}/orders/{po_number}/invoices",
        {
            "supplier_number": "INV-API-1",
            "invoice_date": timezone.localdate().isoformat(),
            "total": "360.00",
            "lines": [{"order_line_id": line["id"], "quantity": "3", "unit_price": "120.00"}],
        },
    )
    assert invoice.status_code == 201 and invoice.json()["status"] == "matched"
    run_tasks()
    bank.callback(bank.orders[0])
    assert api(cgd_team["finance"]).get(f"{P}/invoices").json()[0]["status"] == "paid"
    assert buyer.get(f"{P}/requisitions/{number}").json()["status"] == "paid"
    assert PurchaseOrder.objects.get(number=po_number).status == "closed"


@pytest.fixture
def scene(approved_supplier, item, cgd_team, dlt, officer, citizen, auditor):
    owner = approved_supplier()
    paper = item(owner)
    return {
        "anonymous": None,
        "citizen": citizen(),
        "supplier": owner,
        "other_supplier": approved_supplier(),
        "dlt_buyer": officer("DLT", "buyer", "approver", "inspector", "finance"),
        "cgd_buyer": cgd_team["buyer"],
        "cgd_approver": cgd_team["approver"],
        "cgd_inspector": cgd_team["inspector"],
        "cgd_finance": cgd_team["finance"],
        "auditor": auditor,
        "item": paper,
        "team": cgd_team,
    }


ACTORS = [
    "anonymous",
    "citizen",
    "supplier",
    "other_supplier",
    "dlt_buyer",
    "cgd_buyer",
    "cgd_approver",
    "cgd_inspector",
    "cgd_finance",
    "auditor",
]


def _expected(actor, allowed, ok):
    if actor in allowed:
        return ok
    return 401 if actor == "anonymous" else 403


def _check(response, status):
    if status >= 400:
        assert_error_shape(response, status)
    else:
        assert response.status_code == status, response.content


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_add_to_a_shopping_list(api, scene, actor):
    response = api(scene[actor]).post(
        f"{P}/shopping-list", {"item_id": scene["item"].pk, "quantity": "1"}
    )
    _check(response, _expected(actor, {"cgd_buyer", "dlt_buyer"}, 201))


def _submitted(api, scene):
    api(scene["cgd_buyer"]).post(
        f"{P}/shopping-list", {"item_id": scene["item"].pk, "quantity": "2"}
    )
    return (
        api(scene["cgd_buyer"])
        .post(
            f"{P}/requisitions",
            {
                "budget_line_id": scene["team"]["budget"].pk,
                "justification": "x",
                "delivery_address": "y",
            },
        )
        .json()["number"]
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_approve_a_cgd_requisition(api, scene, actor):
    number = _submitted(api, scene)
    response = api(scene[actor]).post(
        f"{P}/requisitions/{number}/decisions", {"decision": "approve"}
    )
    _check(response, _expected(actor, {"cgd_approver"}, 200))


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_read_a_cgd_requisition(api, scene, actor):
    number = _submitted(api, scene)
    response = api(scene[actor]).get(f"{P}/requisitions/{number}")
    readers = {"cgd_buyer", "cgd_approver", "cgd_inspector", "cgd_finance", "auditor"}
    _check(response, _expected(actor, readers, 200))


def _acknowledged_order(api, scene):
    number = _submitted(api, scene)
    api(scene["cgd_approver"]).post(f"{P}/requisitions/{number}/decisions", {"decision": "approve"})
    po = PurchaseOrder.objects.get(requisition__number=number)
    api(scene["supplier"]).post(f"{P}/orders/{po.number}/acknowledge")
    return po


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_read_an_order_and_its_pdf(api, scene, actor):
    po = _acknowledged_order(api, scene)
    readers = {"supplier", "cgd_buyer", "cgd_approver", "cgd_inspector", "cgd_finance", "auditor"}
    _check(api(scene[actor]).get(f"{P}/orders/{po.number}/pdf"), _expected(actor, readers, 200))


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_record_an_inspection(api, scene, actor):
    po = _acknowledged_order(api, scene)
    line = po.lines.get()
    response = api(scene[actor]).post(
        f"{P}/orders/{po.number}/receipts",
        {"lines": [{"order_line_id": line.pk, "delivered": "2", "accepted": "2"}]},
    )
    _check(response, _expected(actor, {"cgd_inspector"}, 201))


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_invoice_an_order(api, scene, actor, bank):
    po = _acknowledged_order(api, scene)
    line = po.lines.get()
    api(scene["cgd_inspector"]).post(
        f"{P}/orders/{po.number}/receipts",
        {"lines": [{"order_line_id": line.pk, "delivered": "2", "accepted": "2"}]},
    )
    response = api(scene[actor]).post(
        f"{P}/orders/{po.number}/invoices",
        {
            "supplier_number": "I-1",
            "invoice_date": timezone.localdate().isoformat(),
            "total": "250.00",
            "lines": [{"order_line_id": line.pk, "quantity": "2", "unit_price": "125.00"}],
        },
    )
    _check(response, _expected(actor, {"supplier"}, 201))
    assert Invoice.objects.count() == (1 if actor == "supplier" else 0)


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_change_an_item(api, scene, actor):
    response = api(scene[actor]).request(
        "PATCH", f"{P}/items/{scene['item'].pk}", {"price": "99.00"}
    )
    _check(response, _expected(actor, {"supplier"}, 200))
    assert str(CatalogItem.objects.get(pk=scene["item"].pk).price) == (
        "99.00" if actor == "supplier" else "125.00"
    )


def test_malformed_amounts_get_the_error_shape(api, scene):
    response = api(scene["cgd_buyer"]).post(
        f"{P}/shopping-list", {"item_id": scene["item"].pk, "quantity": "-1"}
    )
    body = assert_error_shape(response, 422, "invalid_amount")
    assert body["field"] == "quantity"
