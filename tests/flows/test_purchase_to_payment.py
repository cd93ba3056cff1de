"""Catalog to payment through the API, paid by the bank sandbox (a separate program over HTTP)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from django.utils import timezone

from onestop.payments.models import BankEvent, Bill, PaymentOrder
from onestop.payments.services import bill_create, bill_payload
from onestop.procurement.models import Invoice, PurchaseOrder, Requisition
from tests.flows.conftest import eventually

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
P = "/api/procurement"


def test_an_invoice_is_paid_by_the_bank_and_reconciles(
    api, banksim, approved_supplier, item, cgd_team, run_tasks
):
    # given: a delivered, inspected order (through the API)
    owner = approved_supplier()
    paper = item(owner)
    buyer, seller = api(cgd_team["buyer"]), api(owner)
    buyer.post(f"{P}/shopping-list", {"item_id": paper.pk, "quantity": "4"})
    number = buyer.post(
        f"{P}/requisitions",
        {
            "budget_line_id": cgd_team["budget"].pk,
            "justification": "ใช้งาน",
            "delivery_address": "CGD",
        },
    ).json()["number"]
    (po,) = (
        api(cgd_team["approver"])
        .post(f"{P}/requisitions/{number}/decisions", {"decision": "approve"})
        .json()["orders"]
    )
    seller.post(f"{P}/orders/{po}/acknowledge")
    line = seller.get(f"{P}/orders/{po}").json()["lines"][0]
    api(cgd_team["inspector"]).post(
        f"{P}/orders/{po}/receipts",
        {"lines": [{"order_line_id": line["id"], "delivered": "4", "accepted": "4"}]},
    )

    # when: the supplier invoices, the worker sends the payment, the bank settles and calls back
    invoice = seller.post(
        f"{P}/orders/{po}/invoices",
        {
            "supplier_number": "INV-E2E",
            "invoice_date": timezone.localdate().isoformat(),
            "total": "500.00",
            "lines": [{"order_line_id": line["id"], "quantity": "4", "unit_price": "125.00"}],
        },
    ).json()
    assert invoice["status"] == "matched"
    run_tasks()

    # then: paid by the bank's signed callback; the order closes and the requisition is paid
    eventually(lambda: Invoice.objects.get(pk=invoice["id"]).status == "paid")
    payment = PaymentOrder.objects.get()
    assert payment.status == "paid" and payment.bank_reference.startswith("BSIM")
    assert PurchaseOrder.objects.get(number=po).status == "closed"
    assert Requisition.objects.get(number=number).status == "paid"
    assert BankEvent.objects.filter(outcome="applied").count() == 1

    # and the reconciliation report agrees with the bank's statement
    today = timezone.localdate().isoformat()
    report = (
        api(cgd_team["finance"]).get(f"/api/payments/reconciliation?from={today}&to={today}").json()
    )
    assert report["counts"] == {"matched": 1}
    assert report["rows"][0]["bank_reference"] == payment.bank_reference


def test_a_bill_paid_by_thai_qr_at_the_bank_is_marked_paid(api, banksim, citizen):
    person = citizen()
    bill = bill_create(
        actor=person, source="test.fine", source_id="1", amount="500.00", description="ค่าปรับจราจร"
    )
    body = json.dumps({"payload": bill_payload(bill), "payer_name": "สมชาย ใจดี"}).encode()
    request = urllib.request.Request(
        f"{banksim}/v1/qr-payments", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201, 202)

    eventually(lambda: Bill.objects.get(pk=bill.pk).status == "paid")
    paid = Bill.objects.get(pk=bill.pk)
    assert paid.payer_name == "สมชาย ใจดี" and paid.paid_at <= timezone.now() + dt.timedelta(
        seconds=5
    )
    assert api(csrf=False).get(f"/api/payments/bills/{bill.pk}").json()["status"] == "paid"
