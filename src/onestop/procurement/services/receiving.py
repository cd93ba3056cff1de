"""Inspection and goods receipt (P-06): the inspection committee records what arrived."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import InputError, choice_label
from onestop.identity.public import Principal, Role, principal_for, user_find
from onestop.procurement.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderEvent,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_agency_role
from onestop.procurement.services.orders import OrderStateError, locked_order

RECEIVABLE = (
    PurchaseOrder.Status.ACKNOWLEDGED,
    PurchaseOrder.Status.SHIPPED,
    PurchaseOrder.Status.PARTIALLY_DELIVERED,
)


# The order's timeline is an official record: system notes are written in Thai.
RESULT_TH = {"full": "ตรวจรับครบถ้วน", "partial": "ตรวจรับบางส่วน", "rejected": "ไม่รับมอบ"}


@dataclass(frozen=True)
class ReceiptLineIn:
    order_line_id: int
    delivered: Decimal
    accepted: Decimal
    reason: str = ""


def _co_inspectors(actor: Principal, order: PurchaseOrder, usernames: Iterable[str]) -> list[int]:
    ids = [actor.user_id]
    for username in dict.fromkeys(u.strip() for u in usernames if u.strip()):
        member = principal_for(user_find(username))
        if member.agency_id != order.agency_id or Role.INSPECTOR not in member.roles:
            raise InputError(
                _("%(name)s is not an inspector of %(agency)s."),
                field="inspectors",
                params={"name": member.display_name, "agency": order.agency.code},
            )
        ids.append(member.user_id)
    return list(dict.fromkeys(ids))


def _check_lines(order: PurchaseOrder, lines: list[ReceiptLineIn]) -> list[tuple]:
    by_id = {line.pk: line for line in order.lines.select_for_update()}
    checked = []
    if not lines:
        raise InputError(_("Record at least one delivered line."), field="lines")
    for entry in lines:
        line = by_id.get(entry.order_line_id)
        if line is None:
            raise InputError(
                _("Line %(id)s is not on this order."),
                field="lines",
                params={"id": entry.order_line_id},
            )
        delivered = money.quantity(entry.delivered, field="delivered")
        accepted = Decimal(str(entry.accepted))
        if accepted < 0 or accepted > delivered:
            raise InputError(
                _("Accepted must be between 0 and the delivered quantity (%(delivered)s)."),
                field="accepted",
                params={"delivered": delivered},
            )
        if line.accepted + accepted > line.quantity:
            raise InputError(
                _("%(item)s: only %(left)s %(unit)s are still due on this order."),
                field="accepted",
                params={
                    "item": line.description,
                    "left": line.quantity - line.accepted,
                    "unit": line.unit,
                },
            )
        if accepted < delivered and not entry.reason.strip():
            raise InputError(
                _("Say why part of %(item)s was not accepted."),
                field="reason",
                params={"item": line.description},
            )
        checked.append((line, delivered, accepted, entry.reason.strip()))
    return checked


def _result(order: PurchaseOrder, accepted_now: Decimal) -> str:
    if accepted_now == 0:
        return GoodsReceipt.Result.REJECTED
    complete = all(line.accepted >= line.quantity for line in order.lines.all())
    return GoodsReceipt.Result.FULL if complete else GoodsReceipt.Result.PARTIAL


def late_penalty(order: PurchaseOrder, late_value: Decimal, day: dt.date) -> Decimal:
    """The contract's daily penalty on the value delivered after the due date (ค่าปรับ)."""
    if not order.penalty_rate or not order.delivery_due or day <= order.delivery_due:
        return Decimal("0")
    days = (day - order.delivery_due).days
    return (late_value * order.penalty_rate / 100 * days).quantize(Decimal("0.01"))


@transaction.atomic
def goods_receipt_record(
    *,
    actor: Principal,
    number: str,
    lines: list[ReceiptLineIn],
    inspectors: Iterable[str] = (),
    note: str = "",
) -> GoodsReceipt:
    """An inspector of the ordering agency records a delivery: what came, what is accepted.

    Accepted goods go into the order's store. A delivery accepted in nothing sends the order
    back to the supplier (acknowledged) for a new delivery.
    """
    from onestop.procurement.services.inventory import stock_receive

    order = locked_order(number)
    require_agency_role(actor, Role.INSPECTOR, order.agency)
    if order.status not in RECEIVABLE:
        raise OrderStateError(params={"number": number, "status": choice_label(order)})
    committee = _co_inspectors(actor, order, inspectors)
    checked = _check_lines(order, lines)
    receipt_number, _year = next_number(order.agency, "GR")
    receipt = GoodsReceipt.objects.create(
        number=receipt_number,
        order=order,
        result=GoodsReceipt.Result.PARTIAL,
        recorded_by_id=actor.user_id,
        note=note.strip(),
        inspected_at=timezone.now(),
    )
    receipt.inspectors.set(committee)
    accepted_now = late_value = Decimal("0")
    for line, delivered, accepted, reason in checked:
        GoodsReceiptLine.objects.create(
            receipt=receipt, order_line=line, delivered=delivered, accepted=accepted, reason=reason
        )
        line.accepted += accepted
        line.save(update_fields=["accepted"])
        accepted_now += accepted
        late_value += accepted * line.unit_price
        if order.store_id and line.item_id and accepted > 0:
            stock_receive(
                store_id=order.store_id,
                item_id=line.item_id,
                quantity=accepted,
                reference=receipt_number,
                actor_name=actor.actor_name,
            )
    receipt.result = _result(order, accepted_now)
    receipt.save(update_fields=["result"])
    penalty = late_penalty(order, late_value, timezone.localdate())
    before = order.status
    order.status = {
        GoodsReceipt.Result.FULL: PurchaseOrder.Status.DELIVERED,
        GoodsReceipt.Result.PARTIAL: PurchaseOrder.Status.PARTIALLY_DELIVERED,
        GoodsReceipt.Result.REJECTED: PurchaseOrder.Status.ACKNOWLEDGED,
    }[receipt.result]
    if receipt.result == GoodsReceipt.Result.REJECTED and any(
        line.accepted > 0 for line in order.lines.all()
    ):
        order.status = PurchaseOrder.Status.PARTIALLY_DELIVERED
    order.penalty += penalty
    order.save(update_fields=["status", "penalty"])
    event_note = f"{receipt_number}: {RESULT_TH[receipt.result]} {note.strip()}".strip()
    if penalty:
        event_note += f" ค่าปรับส่งมอบล่าช้า {penalty:,.2f} บาท"
    PurchaseOrderEvent.objects.create(
        order=order, status=order.status, actor_name=actor.actor_name, note=event_note
    )
    audit.record(
        actor=actor,
        action="procurement.receipt.record",
        obj=receipt,
        agency_code=order.agency.code,
        after={
            "order": number,
            "result": receipt.result,
            "order_status": order.status,
            "previous_status": before,
            "inspectors": len(committee),
            "penalty": penalty,
        },
    )
    return receipt
