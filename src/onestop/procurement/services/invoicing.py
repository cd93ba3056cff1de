"""Invoices and e-Payment (P-07): a three-way match of order, receipt and invoice; a matched
invoice is paid automatically, and the bank's report closes the order."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ConflictError, InputError, NotFoundError, choice_label
from onestop.identity.public import Principal, Role
from onestop.payments.public import Payee, Settlement, payment_order_create
from onestop.procurement.domain import matching
from onestop.procurement.models import (
    Invoice,
    InvoiceLine,
    PurchaseOrder,
    PurchaseOrderEvent,
    Requisition,
    Supplier,
)
from onestop.procurement.policies import require_agency_role, require_supplier_member
from onestop.procurement.services import budget
from onestop.procurement.services.orders import OrderStateError, locked_order

SOURCE = "procurement.invoice"
INVOICEABLE = (PurchaseOrder.Status.PARTIALLY_DELIVERED, PurchaseOrder.Status.DELIVERED)


@dataclass(frozen=True)
class InvoiceLineIn:
    order_line_id: int
    quantity: Decimal
    unit_price: Decimal


class DuplicateInvoiceError(ConflictError):
    code = "duplicate_invoice"
    message = _("Invoice %(number)s was already sent for this order.")


class InvoiceNotFoundError(NotFoundError):
    code = "invoice_not_found"
    message = _("There is no invoice %(id)s.")


def _payee(supplier: Supplier) -> Payee:
    return Payee(
        name=supplier.bank_account_name or supplier.business.name_th,
        method=supplier.payout_method,
        promptpay_id=supplier.promptpay_id,
        bank_code=supplier.bank_code,
        account_number=supplier.bank_account_number,
    )


def _penalty_to_deduct(invoice: Invoice, order: PurchaseOrder) -> Decimal:
    """What is left of the order's late penalty, kept back from this invoice's payment."""
    kept = (
        order.invoices.exclude(pk=invoice.pk)
        .exclude(status=Invoice.Status.MISMATCH)
        .aggregate(s=Sum("penalty_deducted"))["s"]
        or 0
    )
    return max(Decimal("0"), min(order.penalty - kept, invoice.total))


def _start_payment(invoice: Invoice, order: PurchaseOrder) -> None:
    invoice.penalty_deducted = _penalty_to_deduct(invoice, order)
    invoice.payment_attempts += 1
    key = f"invoice:{invoice.pk}"
    if invoice.payment_attempts > 1:
        key += f":attempt{invoice.payment_attempts}"
    payment = payment_order_create(
        actor=audit.SYSTEM,
        source=SOURCE,
        source_id=str(invoice.pk),
        idempotency_key=key,
        amount=invoice.total - invoice.penalty_deducted,
        payer_name=order.agency.name_th,
        payer_account=order.agency.code,
        payee=_payee(order.supplier),
        description=f"{order.number} / {invoice.supplier_number}",
    )
    invoice.payment_order_id = payment.pk
    invoice.status = Invoice.Status.MATCHED
    invoice.save(
        update_fields=["payment_order_id", "status", "payment_attempts", "penalty_deducted"]
    )


@transaction.atomic
def invoice_submit(
    *,
    actor: Principal,
    number: str,
    supplier_number: str,
    invoice_date: dt.date,
    lines: list[InvoiceLineIn],
    total: Decimal,
) -> Invoice:
    """The supplier bills what was accepted. A matching invoice is paid automatically; one that
    does not match is kept with the list of differences and is not paid."""
    order = locked_order(number)
    require_supplier_member(actor, order.supplier.business_id, order.supplier.business.name_th)
    if order.status not in INVOICEABLE:
        raise OrderStateError(params={"number": number, "status": choice_label(order)})
    if not supplier_number.strip():
        raise InputError(_("Enter your invoice number."), field="supplier_number")
    if invoice_date > timezone.localdate():
        raise InputError(_("The invoice date cannot be in the future."), field="invoice_date")
    if not lines:
        raise InputError(_("An invoice has at least one line."), field="lines")
    parsed = [
        matching.InvoiceLine(
            line.order_line_id,
            money.quantity(line.quantity),
            money.amount(line.unit_price, field="unit_price"),
        )
        for line in lines
    ]
    total = money.amount(total, field="total")
    order_lines = {line.pk: line for line in order.lines.select_for_update()}
    result = matching.three_way_match(
        [
            matching.OrderLine(
                line.pk,
                line.description,
                line.unit_price,
                line.quantity,
                line.accepted,
                line.invoiced,
            )
            for line in order_lines.values()
        ],
        parsed,
        total,
    )
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                order=order,
                supplier_number=supplier_number.strip(),
                invoice_date=invoice_date,
                total=total,
                submitted_by_id=actor.user_id,
                status=Invoice.Status.MATCHED if result.matched else Invoice.Status.MISMATCH,
                mismatches=[dataclasses.asdict(m) for m in result.mismatches],
            )
    except IntegrityError:
        raise DuplicateInvoiceError(
            field="supplier_number", params={"number": supplier_number}
        ) from None
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            order_line_id=line.line_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line in parsed
        if line.line_id in order_lines
    )
    if result.matched:
        for line in parsed:
            type(order_lines[line.line_id]).objects.filter(pk=line.line_id).update(
                invoiced=F("invoiced") + line.quantity
            )
        _start_payment(invoice, order)
    audit.record(
        actor=actor,
        action="procurement.invoice.submit",
        obj=invoice,
        agency_code=order.agency.code,
        after={
            "order": number,
            "total": total,
            "status": invoice.status,
            "mismatches": len(result.mismatches),
        },
    )
    return invoice


@transaction.atomic
def invoice_payment_retry(*, actor: Principal, invoice_id: int) -> Invoice:
    """A finance officer pays a matched invoice again after the bank could not pay it
    (for instance once the supplier corrected its account)."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("order__agency", "order__supplier__business")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise InvoiceNotFoundError(params={"id": invoice_id})
    require_agency_role(actor, Role.FINANCE, invoice.order.agency)
    if invoice.status != Invoice.Status.PAYMENT_FAILED:
        raise ConflictError(
            _("Only an invoice whose payment failed can be paid again."), field="invoice"
        )
    _start_payment(invoice, invoice.order)
    audit.record(
        actor=actor,
        action="procurement.invoice.payment_retry",
        obj=invoice,
        agency_code=invoice.order.agency.code,
        after={"payment": str(invoice.payment_order_id)},
    )
    return invoice


def _close_if_done(order: PurchaseOrder) -> None:
    lines = list(order.lines.all())
    fully = all(line.accepted >= line.quantity and line.invoiced >= line.accepted for line in lines)
    unpaid = order.invoices.exclude(
        status__in=[Invoice.Status.PAID, Invoice.Status.MISMATCH]
    ).exists()
    if not fully or unpaid:
        return
    paid = (
        order.invoices.filter(status=Invoice.Status.PAID).aggregate(
            s=Sum(F("total") - F("penalty_deducted"))
        )["s"]
        or 0
    )
    leftover = order.total - paid
    if leftover > 0:
        budget.release(order.budget_line_id, leftover)
    order.status = PurchaseOrder.Status.CLOSED
    order.save(update_fields=["status"])
    PurchaseOrderEvent.objects.create(
        order=order,
        status=order.status,
        actor_name="OneStop",
        note=_("Fully received and paid").__str__(),
    )
    if order.requisition_id is None:
        return
    requisition = Requisition.objects.select_for_update().get(pk=order.requisition_id)
    if not requisition.orders.exclude(
        status__in=[PurchaseOrder.Status.CLOSED, PurchaseOrder.Status.CANCELLED]
    ).exists():
        requisition.status = Requisition.Status.PAID
        requisition.save(update_fields=["status"])


def on_payment_settled(settlement: Settlement) -> None:
    """The bank reported on an invoice's payment (runs inside the callback's transaction)."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("order__agency", "order__requisition")
        .filter(pk=int(settlement.source_id))
        .first()
    )
    if invoice is None or invoice.status == Invoice.Status.PAID:
        return
    order = PurchaseOrder.objects.select_for_update().get(pk=invoice.order_id)
    if settlement.paid:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
        invoice.bank_reference = settlement.bank_reference[:64]
        invoice.save(update_fields=["status", "paid_at", "bank_reference"])
        budget.spend(order.budget_line_id, invoice.total - invoice.penalty_deducted)
        PurchaseOrderEvent.objects.create(
            order=order,
            status=order.status,
            actor_name="OneStop",
            note=f"ชำระเงินตามใบแจ้งหนี้ {invoice.supplier_number} จำนวน {settlement.amount:,.2f} บาท "
            f"(อ้างอิงธนาคาร {settlement.bank_reference})",
        )
        _close_if_done(order)
    else:
        invoice.status = Invoice.Status.PAYMENT_FAILED
        invoice.save(update_fields=["status"])
    audit.record(
        actor=audit.SYSTEM,
        action="procurement.invoice.paid"
        if settlement.paid
        else "procurement.invoice.payment_failed",
        obj=invoice,
        agency_code=order.agency.code,
        after={"bank_reference": settlement.bank_reference, "reason": settlement.reason},
    )
