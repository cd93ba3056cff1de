"""The whole purchasing path through the services: catalog to paid, every step audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from onestop.core import audit
from onestop.core.models import AuditEntry
from onestop.payments.models import PaymentOrder
from onestop.procurement.models import BudgetLine, Invoice, PurchaseOrder, Requisition
from onestop.procurement.selectors import catalog_search
from onestop.procurement.services import (
    invoicing,
    orders,
    receiving,
    requisitions,
    shopping,
)

pytestmark = pytest.mark.django_db


def test_an_agency_buys_from_the_catalog_and_the_supplier_is_paid(
    approved_supplier, item, cgd_team, bank, run_tasks
):
    # given: a supplier's items on the catalog
    owner = approved_supplier()
    paper = item(owner)
    toner = item(
        owner,
        sku="TN-1",
        name_th="หมึกพิมพ์เลเซอร์ HP 85A",
        name_en="HP 85A toner",
        category="44103100",
        unit="ตลับ",
        price="2490.50",
    )
    buyer, approver, inspector = cgd_team["buyer"], cgd_team["approver"], cgd_team["inspector"]

    # when: the buyer finds them in Thai and builds a list
    found = catalog_search(query="กระดาษ")
    assert [i.pk for i in found.items] == [paper.pk]
    shopping.shopping_list_add(actor=buyer, item_id=paper.pk, quantity=Decimal("10"))
    shopping.shopping_list_add(actor=buyer, item_id=toner.pk, quantity=Decimal("2"))
    requisition = requisitions.requisition_submit(
        actor=buyer,
        budget_line_id=cgd_team["budget"].pk,
        justification="ใช้ในงานสารบรรณ",
        delivery_address="กรมบัญชีกลาง ถนนพระราม 6",
    )

    # then: the budget is reserved
    assert requisition.total == Decimal("6231.00")
    assert BudgetLine.objects.get(pk=cgd_team["budget"].pk).reserved == Decimal("6231.00")

    # when: an approver approves; a signed purchase order goes to the supplier
    requisitions.requisition_decide(actor=approver, number=requisition.number, decision="approve")
    (order,) = PurchaseOrder.objects.filter(requisition__number=requisition.number)
    assert order.status == PurchaseOrder.Status.ISSUED and order.document_id is not None
    assert order.total == Decimal("6231.00") and order.vat == Decimal("407.64")
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    orders.purchase_order_ship(actor=owner, number=order.number, note="Kerry TH123")

    # when: the committee accepts everything and the supplier invoices it
    lines = list(order.lines.all())
    receipt = receiving.goods_receipt_record(
        actor=inspector,
        number=order.number,
        inspectors=[cgd_team["inspector2"].username],
        lines=[receiving.ReceiptLineIn(line.pk, line.quantity, line.quantity) for line in lines],
    )
    assert receipt.result == "full" and receipt.inspectors.count() == 2
    invoice = invoicing.invoice_submit(
        actor=owner,
        number=order.number,
        supplier_number="INV-001",
        invoice_date=timezone.localdate(),
        total=Decimal("6231.00"),
        lines=[invoicing.InvoiceLineIn(line.pk, line.quantity, line.unit_price) for line in lines],
    )

    # then: payment starts by itself and goes to the bank
    assert invoice.status == Invoice.Status.MATCHED
    run_tasks()
    (sent,) = bank.orders
    assert sent["amount"] == "6231.00" and sent["payee"]["account_number"] == "1234567890"
    assert PaymentOrder.objects.get().status == PaymentOrder.Status.SENT

    # when: the bank reports the payment
    bank.callback(sent)

    # then: invoice paid, order closed, requisition paid, budget spent
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.bank_reference == "TEST-1"
    assert order.status == PurchaseOrder.Status.CLOSED
    assert Requisition.objects.get(pk=requisition.pk).status == Requisition.Status.PAID
    line = BudgetLine.objects.get(pk=cgd_team["budget"].pk)
    assert (line.reserved, line.spent) == (Decimal("0.00"), Decimal("6231.00"))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "procurement.requisition.submit",
        "procurement.requisition.approve",
        "procurement.order.issue",
        "procurement.order.acknowledge",
        "procurement.order.ship",
        "procurement.receipt.record",
        "procurement.invoice.submit",
        "payments.order.create",
        "payments.order.paid",
        "procurement.invoice.paid",
    } <= actions
    assert audit.verify().ok


def test_a_mismatched_invoice_is_shown_and_not_paid(
    approved_supplier, item, cgd_team, bank, run_tasks
):
    owner = approved_supplier()
    paper = item(owner)
    shopping.shopping_list_add(actor=cgd_team["buyer"], item_id=paper.pk, quantity=Decimal("10"))
    requisition = requisitions.requisition_submit(
        actor=cgd_team["buyer"],
        budget_line_id=cgd_team["budget"].pk,
        justification="x",
        delivery_address="y",
    )
    requisitions.requisition_decide(
        actor=cgd_team["approver"], number=requisition.number, decision="approve"
    )
    order = PurchaseOrder.objects.get(requisition=requisition)
    orders.purchase_order_acknowledge(actor=owner, number=order.number)
    (line,) = order.lines.all()
    receiving.goods_receipt_record(
        actor=cgd_team["inspector"],
        number=order.number,
        lines=[receiving.ReceiptLineIn(line.pk, Decimal("10"), Decimal("6"), "4 รีมเปียกน้ำ")],
    )

    invoice = invoicing.invoice_submit(
        actor=owner,
        number=order.number,
        supplier_number="INV-9",
        invoice_date=timezone.localdate(),
        total=Decimal("1300.00"),
        lines=[invoicing.InvoiceLineIn(line.pk, Decimal("10"), Decimal("130.00"))],
    )

    assert invoice.status == Invoice.Status.MISMATCH
    assert {m["kind"] for m in invoice.mismatches} == {"price", "quantity_not_received"}
    run_tasks()
    assert bank.orders == [] and PaymentOrder.objects.count() == 0
    line.refresh_from_db()
    assert line.invoiced == 0
