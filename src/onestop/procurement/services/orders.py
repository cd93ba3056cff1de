"""Purchase orders (P-05): issued when a requisition is approved, signed by the agency,
acknowledged and shipped by the supplier, tracked to the end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money, thai
from onestop.core.errors import ConflictError, InputError, NotFoundError, choice_label
from onestop.documents.public import document_issue
from onestop.identity.public import Principal, Role
from onestop.procurement.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Requisition,
    Supplier,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_agency_role, require_supplier_member
from onestop.procurement.services import budget
from onestop.procurement.services.catalog import SupplierNotApprovedError


class OrderNotFoundError(NotFoundError):
    code = "order_not_found"
    message = _("There is no purchase order %(number)s.")


class OrderStateError(ConflictError):
    code = "order_state"
    message = _("Purchase order %(number)s is %(status)s; this cannot be done now.")


def _event(order: PurchaseOrder, actor_name: str, note: str = "") -> None:
    PurchaseOrderEvent.objects.create(
        order=order, status=order.status, actor_name=actor_name[:200], note=note[:2000]
    )


def _pdf_context(
    order: PurchaseOrder, lines: list[PurchaseOrderLine], approver: str, basis: str
) -> dict:
    return {
        "approver_name": approver,
        "basis": basis,
        "order": order,
        "lines": lines,
        "agency": order.agency,
        "supplier": order.supplier,
        "business": order.supplier.business,
        "total_words": thai.baht_in_words(order.total),
        "net": order.total - order.vat,
    }


@dataclass(frozen=True)
class OrderLineIn:
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    item_id: int | None = None


@dataclass(frozen=True)
class OrderSource:
    """Where an order comes from: a requisition of the catalog or a tender's contract."""

    agency: Any  # identity.Agency
    budget_line_id: int
    delivery_address: str
    delivery_due: dt.date | None
    note: str
    requisition: Requisition | None = None
    store_id: int | None = None
    penalty_rate: Decimal = Decimal("0")
    basis: str = ""


def order_issue(
    actor: Principal, source: OrderSource, supplier: Supplier, lines: list[OrderLineIn]
) -> PurchaseOrder:
    """Issue and sign one purchase order (runs inside the caller's transaction)."""
    if supplier.status != Supplier.Status.APPROVED:
        raise SupplierNotApprovedError(
            params={"business": supplier.business.name_th, "status": choice_label(supplier)}
        )
    number, _year = next_number(source.agency, "PO")
    total = sum((line.line_total for line in lines), Decimal("0"))
    order = PurchaseOrder.objects.create(
        number=number,
        agency=source.agency,
        supplier=supplier,
        requisition=source.requisition,
        budget_line_id=source.budget_line_id,
        total=total,
        vat=money.vat_included(total),
        delivery_address=source.delivery_address,
        delivery_due=source.delivery_due,
        store_id=source.store_id,
        issued_by_id=actor.user_id,
        issued_at=timezone.now(),
        penalty_rate=source.penalty_rate,
    )
    order_lines = PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            order=order,
            item_id=line.item_id,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    )
    _event(order, actor.actor_name, source.note)
    order.document = document_issue(
        actor=actor,
        kind="purchase_order",
        reference=number,
        title=f"ใบสั่งซื้อ {number}",
        agency_code=source.agency.code,
        template_name="procurement/pdf/purchase_order.html",
        context=_pdf_context(order, order_lines, actor.actor_name, source.basis),
    )
    order.save(update_fields=["document"])
    audit.record(
        actor=actor,
        action="procurement.order.issue",
        obj=order,
        agency_code=source.agency.code,
        after={
            "supplier": supplier.business.juristic_id,
            "total": total,
            "basis": source.basis,
            "document": str(order.document.pk),
        },
    )
    return order


def _issue_one(
    actor: Principal, requisition: Requisition, supplier: Supplier, lines
) -> PurchaseOrder:
    source = OrderSource(
        agency=requisition.agency,
        budget_line_id=requisition.budget_line_id,
        delivery_address=requisition.delivery_address,
        delivery_due=requisition.needed_by,
        store_id=requisition.store_id,
        requisition=requisition,
        note=_("Issued from requisition %(number)s") % {"number": requisition.number},
        basis=requisition.number,
    )
    order_lines = [
        OrderLineIn(
            item_id=line.item_id,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    ]
    return order_issue(actor, source, supplier, order_lines)


def issue_orders(*, actor: Principal, requisition: Requisition) -> list[PurchaseOrder]:
    """One purchase order per supplier of an approved requisition. Runs in the approval's
    transaction: a suspended supplier stops the approval, nothing is issued."""
    groups: dict[int, list] = defaultdict(list)
    for line in requisition.lines.select_related("supplier__business").order_by("pk"):
        groups[line.supplier_id].append(line)
    orders = [_issue_one(actor, requisition, lines[0].supplier, lines) for lines in groups.values()]
    requisition.status = Requisition.Status.ORDERED
    requisition.save(update_fields=["status"])
    return orders


def locked_order(number: str) -> PurchaseOrder:
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("agency", "supplier__business", "requisition")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise OrderNotFoundError(params={"number": number})
    return order


def _require_status(order: PurchaseOrder, *states: str) -> None:
    if order.status not in states:
        raise OrderStateError(params={"number": order.number, "status": choice_label(order)})


def _transition(
    actor: Principal, order: PurchaseOrder, status: str, action: str, note: str = ""
) -> PurchaseOrder:
    before = {"status": order.status}
    order.status = status
    order.save(update_fields=["status"])
    _event(order, actor.actor_name, note)
    audit.record(
        actor=actor,
        action=action,
        obj=order,
        agency_code=order.agency.code,
        before=before,
        after={"status": status, "note": note},
    )
    return order


@transaction.atomic
def purchase_order_acknowledge(*, actor: Principal, number: str) -> PurchaseOrder:
    """The supplier confirms it received the order and will deliver."""
    order = locked_order(number)
    require_supplier_member(actor, order.supplier.business_id, order.supplier.business.name_th)
    _require_status(order, PurchaseOrder.Status.ISSUED)
    return _transition(
        actor, order, PurchaseOrder.Status.ACKNOWLEDGED, "procurement.order.acknowledge"
    )


@transaction.atomic
def purchase_order_ship(*, actor: Principal, number: str, note: str = "") -> PurchaseOrder:
    """The supplier has sent the goods (note: carrier, tracking number, delivery date)."""
    order = locked_order(number)
    require_supplier_member(actor, order.supplier.business_id, order.supplier.business.name_th)
    _require_status(
        order, PurchaseOrder.Status.ACKNOWLEDGED, PurchaseOrder.Status.PARTIALLY_DELIVERED
    )
    return _transition(
        actor, order, PurchaseOrder.Status.SHIPPED, "procurement.order.ship", note.strip()
    )


@transaction.atomic
def purchase_order_cancel(*, actor: Principal, number: str, reason: str) -> PurchaseOrder:
    """An approver of the agency cancels an order the supplier has not shipped; its budget returns."""
    order = locked_order(number)
    require_agency_role(actor, Role.APPROVER, order.agency)
    _require_status(order, PurchaseOrder.Status.ISSUED, PurchaseOrder.Status.ACKNOWLEDGED)
    if not reason.strip():
        raise InputError(_("Give the reason; the supplier sees it."), field="reason")
    budget.release(order.budget_line_id, order.total)
    return _transition(
        actor, order, PurchaseOrder.Status.CANCELLED, "procurement.order.cancel", reason.strip()
    )
