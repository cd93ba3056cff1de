"""Bad input and forbidden acts in purchasing: each refused with a clear message, nothing written."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from onestop.core.errors import ApplicationError, PermissionDeniedError
from onestop.core.models import AuditEntry
from onestop.payments.domain.signing import sign
from onestop.payments.models import BankEvent, PaymentOrder
from onestop.payments.services import bank_callback_receive
from onestop.procurement.models import (
    BudgetLine,
    PurchaseOrder,
    Requisition,
    ShoppingListLine,
)
from onestop.procurement.services import (
    budget,
    catalog,
    invoicing,
    orders,
    receiving,
    requisitions,
    shopping,
    suppliers,
)
from tests.procurement.conftest import juristic_of

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    return (
        Requisition.objects.count(),
        PurchaseOrder.objects.count(),
        ShoppingListLine.objects.count(),
        PaymentOrder.objects.count(),
        AuditEntry.objects.count(),
        tuple(BudgetLine.objects.values_list("reserved", "spent")),
    )


def _submitted(cgd_team, item_row, quantity="2", buyer=None):
    buyer = buyer or cgd_team["buyer"]
    shopping.shopping_list_add(actor=buyer, item_id=item_row.pk, quantity=Decimal(quantity))
    return requisitions.requisition_submit(
        actor=buyer,
        budget_line_id=cgd_team["budget"].pk,
        justification="จำเป็น",
        delivery_address="กรมบัญชีกลาง",
    )


@pytest.mark.parametrize("quantity", ["0", "-3", "1.2345", "abc", "1e400"])
def test_bad_quantities_are_refused(item, cgd_team, quantity):
    paper = item()
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        shopping.shopping_list_add(actor=cgd_team["buyer"], item_id=paper.pk, quantity=quantity)
    assert caught.value.field == "quantity" and caught.value.text("th")
    assert _state() == before


@pytest.mark.parametrize("price", ["0", "-10", "12.345", "ten", "99999999999.00"])
def test_bad_prices_are_refused(approved_supplier, price):
    owner = approved_supplier()
    with pytest.raises(ApplicationError) as caught:
        catalog.catalog_item_create(
            actor=owner,
            juristic_id=juristic_of(owner),
            fields={
                "category": "14111500",
                "sku": "X",
                "name_th": "กระดาษ",
                "unit": "รีม",
                "price": price,
            },
        )
    assert caught.value.field == "price"
    assert "two decimals" in caught.value.text("en") or caught.value.code == "invalid_amount"


def test_a_budget_overrun_is_refused_and_nothing_is_reserved(item, cgd_team):
    expensive = item(price="60000.00")
    shopping.shopping_list_add(actor=cgd_team["buyer"], item_id=expensive.pk, quantity=Decimal("2"))
    before = _state()
    with pytest.raises(budget.BudgetExceededError) as caught:
        requisitions.requisition_submit(
            actor=cgd_team["buyer"],
            budget_line_id=cgd_team["budget"].pk,
            justification="x",
            delivery_address="y",
        )
    assert "100,000.00" in caught.value.text("en") and "120,000.00" in caught.value.text("en")
    assert _state() == before


def test_an_approver_cannot_approve_their_own_requisition(item, cgd_team, officer):
    both = officer("CGD", "buyer", "approver")
    requisition = _submitted(cgd_team, item(), buyer=both)
    before = _state()
    with pytest.raises(requisitions.OwnRequisitionError):
        requisitions.requisition_decide(actor=both, number=requisition.number, decision="approve")
    assert _state() == before


def test_an_officer_of_another_agency_cannot_decide(item, cgd_team, dlt, officer):
    requisition = _submitted(cgd_team, item())
    dlt_approver = officer("DLT", "approver")
    before = _state()
    with pytest.raises(PermissionDeniedError) as caught:
        requisitions.requisition_decide(
            actor=dlt_approver, number=requisition.number, decision="approve"
        )
    assert caught.value.code == "other_agency"
    assert _state() == before


def test_two_levels_need_two_different_approvers(item, cgd_team):
    budget.approval_levels_set(
        actor=cgd_team["admin"], agency_code="CGD", levels=[("0", "ผอ.กอง"), ("1000", "รองอธิบดี")]
    )
    requisition = _submitted(cgd_team, item(), quantity="10")  # 1,250 baht
    assert requisition.required_levels == 2
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="approve"
    )
    with pytest.raises(requisitions.AlreadyDecidedError):
        requisitions.requisition_decide(
            actor=cgd_team["approver"], number=requisition.number, decision="approve"
        )
    assert PurchaseOrder.objects.count() == 0
    requisitions.requisition_decide(
        actor=cgd_team["approver2"], number=requisition.number, decision="approve"
    )
    assert PurchaseOrder.objects.count() == 1


def test_return_and_reject_need_a_reason_and_release_the_budget(item, cgd_team):
    requisition = _submitted(cgd_team, item())
    with pytest.raises(ApplicationError) as caught:
        requisitions.requisition_decide(
            actor=cgd_team["approver"], number=requisition.number, decision="return"
        )
    assert caught.value.field == "reason"
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="return", reason="ลดจำนวนลง"
    )
    assert BudgetLine.objects.get(pk=cgd_team["budget"].pk).reserved == 0
    (line,) = Requisition.objects.get(pk=requisition.pk).lines.all()
    again = requisitions.requisition_resubmit(
        actor=cgd_team["buyer"], number=requisition.number, quantities={line.pk: Decimal("1")}
    )
    assert again.status == "submitted" and again.total == Decimal("125.00")
    assert BudgetLine.objects.get(pk=cgd_team["budget"].pk).reserved == Decimal("125.00")


def test_no_order_goes_to_a_suspended_supplier(approved_supplier, item, cgd_team, admin):
    owner = approved_supplier()
    requisition = _submitted(cgd_team, item(owner))
    suppliers.supplier_review(
        actor=admin, juristic_id=juristic_of(owner), decision="suspend", reason="ส่งของไม่ตรงสเปกซ้ำ"
    )
    before = _state()
    with pytest.raises(catalog.SupplierNotApprovedError) as caught:
        requisitions.requisition_decide(
            actor=cgd_team["approver"], number=requisition.number, decision="approve"
        )
    assert "suspended" in caught.value.text("en").lower()
    assert _state() == before
    assert Requisition.objects.get(pk=requisition.pk).status == "submitted"


def _order_for(cgd_team, owner, item_row):
    requisition = _submitted(cgd_team, item_row)
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="approve"
    )
    order = PurchaseOrder.objects.get(requisition=requisition)
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    return order


def test_only_the_supplier_acknowledges_and_only_inspectors_receive(
    approved_supplier, item, cgd_team
):
    owner, other = approved_supplier(), approved_supplier()
    requisition = _submitted(cgd_team, item(owner))
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="approve"
    )
    order = PurchaseOrder.objects.get(requisition=requisition)
    with pytest.raises(PermissionDeniedError):
        orders.purchase_order_acknowledge(actor=other, number=order.number)
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    (line,) = order.lines.all()
    with pytest.raises(PermissionDeniedError):
        receiving.goods_receipt_record(
            actor=cgd_team["buyer"],
            number=order.number,
            lines=[receiving.ReceiptLineIn(line.pk, Decimal("2"), Decimal("2"))],
        )
    with pytest.raises(ApplicationError) as caught:
        receiving.goods_receipt_record(
            actor=cgd_team["inspector"],
            number=order.number,
            lines=[receiving.ReceiptLineIn(line.pk, Decimal("5"), Decimal("5"))],
        )
    assert caught.value.field == "accepted"
    assert order.receipts.count() == 0


def test_a_rejected_delivery_goes_back_to_the_supplier(approved_supplier, item, cgd_team):
    owner = approved_supplier()
    order = _order_for(cgd_team, owner, item(owner))
    (line,) = order.lines.all()
    receipt = receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("2"), Decimal("0"), "ผิดสเปก")],
    )
    assert receipt.result == "rejected"
    assert PurchaseOrder.objects.get(pk=order.pk).status == PurchaseOrder.Status.ACKNOWLEDGED
    with pytest.raises(ApplicationError):
        invoicing.invoice_submit(
            actor=owner,
            number=order.number,
            supplier_number="1",
            invoice_date=timezone.localdate(),
            total=Decimal("250.00"),
            lines=[invoicing.InvoiceLineIn(line.pk, Decimal("2"), Decimal("125.00"))],
        )


def _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks):
    owner = approved_supplier()
    order = _order_for(cgd_team, owner, item(owner))
    (line,) = order.lines.all()
    receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("2"), Decimal("2"))],
    )
    invoicing.invoice_submit(
        actor=owner,
        number=order.number,
        supplier_number="INV-1",
        invoice_date=timezone.localdate(),
        total=Decimal("250.00"),
        lines=[invoicing.InvoiceLineIn(line.pk, Decimal("2"), Decimal("125.00"))],
    )
    run_tasks()
    return bank.orders[0]


def test_a_forged_callback_pays_nothing_and_is_recorded(
    approved_supplier, item, cgd_team, bank, run_tasks
):
    sent = _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks)
    with pytest.raises(ApplicationError) as caught:
        bank.callback(sent, secret="not-the-bank-secret")
    assert caught.value.status == 401
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.SENT
    assert BankEvent.objects.get().outcome == BankEvent.Outcome.REFUSED


def test_a_replayed_callback_pays_once(approved_supplier, item, cgd_team, bank, run_tasks):
    sent = _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks)
    first = bank.callback(sent, event_id="evt_same")
    again = bank.callback(sent, event_id="evt_same")
    assert (first.outcome, again.outcome) == ("applied", "duplicate")
    line = BudgetLine.objects.get(pk=cgd_team["budget"].pk)
    assert line.spent == Decimal("250.00")
    assert AuditEntry.objects.filter(action="procurement.invoice.paid").count() == 1


def test_an_old_signed_callback_is_refused(approved_supplier, item, cgd_team, bank, run_tasks):
    sent = _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks)
    body = json.dumps(
        {
            "event_id": "evt_old",
            "type": "payment_order.settled",
            "amount": "250.00",
            "idempotency_key": sent["idempotency_key"],
            "bank_reference": "X",
        }
    ).encode()
    headers = sign(settings.ONESTOP_BANK_WEBHOOK_SECRET, body, timestamp=int(time.time()) - 3600)
    with pytest.raises(ApplicationError) as caught:
        bank_callback_receive(body=body, headers=headers)
    assert caught.value.status == 401
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.SENT


def test_a_callback_with_another_amount_is_refused(
    approved_supplier, item, cgd_team, bank, run_tasks
):
    sent = _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks)
    with pytest.raises(ApplicationError) as caught:
        bank.callback(sent, amount="2500.00")
    assert caught.value.status == 409 and caught.value.code == "amount_mismatch"
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.SENT
    assert BudgetLine.objects.get(pk=cgd_team["budget"].pk).spent == 0


def test_a_failed_payment_can_be_paid_again_by_finance(
    approved_supplier, item, cgd_team, bank, run_tasks
):
    sent = _paid_setup(approved_supplier, item, cgd_team, bank, run_tasks)
    bank.callback(sent, kind="payment_order.failed")
    invoice = invoicing.Invoice.objects.get()
    assert invoice.status == "payment_failed"
    with pytest.raises(PermissionDeniedError):
        invoicing.invoice_payment_retry(actor=cgd_team["buyer"], invoice_id=invoice.pk)
    invoicing.invoice_payment_retry(actor=cgd_team["finance"], invoice_id=invoice.pk)
    run_tasks()
    assert bank.orders[1]["idempotency_key"] == f"invoice:{invoice.pk}:attempt2"
    bank.callback(bank.orders[1])
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_duplicate_invoice_number_is_refused(approved_supplier, item, cgd_team):
    owner = approved_supplier()
    order = _order_for(cgd_team, owner, item(owner))
    (line,) = order.lines.all()
    receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("2"), Decimal("2"))],
    )
    wrong = [invoicing.InvoiceLineIn(line.pk, Decimal("2"), Decimal("130.00"))]
    invoicing.invoice_submit(
        actor=owner,
        number=order.number,
        supplier_number="INV-7",
        invoice_date=timezone.localdate(),
        total=Decimal("260.00"),
        lines=wrong,
    )
    with pytest.raises(invoicing.DuplicateInvoiceError):
        invoicing.invoice_submit(
            actor=owner,
            number=order.number,
            supplier_number="INV-7",
            invoice_date=timezone.localdate(),
            total=Decimal("260.00"),
            lines=wrong,
        )
    assert order.invoices.count() == 1


def test_future_invoice_dates_are_refused(approved_supplier, item, cgd_team):
    owner = approved_supplier()
    order = _order_for(cgd_team, owner, item(owner))
    (line,) = order.lines.all()
    receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("2"), Decimal("2"))],
    )
    with pytest.raises(ApplicationError) as caught:
        invoicing.invoice_submit(
            actor=owner,
            number=order.number,
            supplier_number="F",
            invoice_date=timezone.localdate() + dt.timedelta(days=3),
            total=Decimal("250.00"),
            lines=[invoicing.InvoiceLineIn(line.pk, Decimal("2"), Decimal("125.00"))],
        )
    assert caught.value.field == "invoice_date"
