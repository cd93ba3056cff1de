"""Purchase requisitions and their approval chain (P-04)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    choice_label,
)
from onestop.core.thai import fiscal_year
from onestop.identity.public import Principal, Role
from onestop.procurement.domain.approval import required_levels
from onestop.procurement.models import (
    BudgetLine,
    Requisition,
    RequisitionDecision,
    RequisitionLine,
    ShoppingListLine,
    Store,
)
from onestop.procurement.numbering import next_number
from onestop.procurement.policies import require_agency_role, require_own_role
from onestop.procurement.services import budget
from onestop.procurement.services.catalog import is_sellable
from onestop.procurement.services.shopping import ItemNotOnSaleError


class EmptyListError(InputError):
    code = "empty_list"
    message = _("Your shopping list is empty. Add items from the catalog first.")


class RequisitionNotFoundError(NotFoundError):
    code = "requisition_not_found"
    message = _("There is no requisition %(number)s.")


class WrongStateError(ConflictError):
    code = "wrong_state"
    message = _("Requisition %(number)s is %(status)s; this cannot be done now.")


class OwnRequisitionError(PermissionDeniedError):
    code = "own_requisition"
    message = _("You cannot approve a requisition you made yourself. Another approver must decide.")


class AlreadyDecidedError(PermissionDeniedError):
    code = "already_decided"
    message = _(
        "You already approved an earlier level of %(number)s; the next level needs another approver."
    )


def _budget_line(agency, line_id: int, year: int) -> BudgetLine:
    line = BudgetLine.objects.filter(pk=line_id, agency=agency, fiscal_year=year).first()
    if line is None:
        raise budget.BudgetLineNotFoundError(field="budget_line", params={"id": line_id})
    return line


def _lines_from_list(actor: Principal) -> list[ShoppingListLine]:
    lines = list(
        ShoppingListLine.objects.select_related("item__supplier__business")
        .filter(owner_id=actor.user_id)
        .order_by("item__supplier_id", "added_at")
    )
    if not lines:
        raise EmptyListError(field="lines")
    for line in lines:
        if not is_sellable(line.item):
            raise ItemNotOnSaleError(field="lines", params={"item": line.item.name_th})
    return lines


@transaction.atomic
def requisition_submit(
    *,
    actor: Principal,
    budget_line_id: int,
    justification: str,
    needed_by: dt.date | None = None,
    store_code: str = "",
    delivery_address: str = "",
) -> Requisition:
    """Turn the buyer's shopping list into a requisition, reserve its budget, ask for approval.

    Prices are fixed at today's catalog prices. Raises BudgetExceededError when the budget line
    cannot cover it (nothing is saved then).
    """
    agency = require_own_role(actor, Role.BUYER)
    if not justification.strip():
        raise InputError(_("Say why the agency needs this."), field="justification")
    if needed_by and needed_by < timezone.localdate():
        raise InputError(_("The date needed cannot be in the past."), field="needed_by")
    store = None
    if store_code:
        store = Store.objects.filter(agency=agency, code=store_code).first()
        if store is None:
            raise InputError(
                _("Your agency has no store %(code)s."), field="store", params={"code": store_code}
            )
        delivery_address = store.address
    if not delivery_address.strip():
        raise InputError(
            _("Say where the goods are delivered, or choose a store."), field="delivery_address"
        )
    year = fiscal_year(timezone.now())
    line = _budget_line(agency, budget_line_id, year)
    items = _lines_from_list(actor)
    total = sum(
        ((row.quantity * row.item.price).quantize(Decimal("0.01")) for row in items), Decimal("0")
    )
    budget.reserve(line.pk, total, budget_label=f"{line.code} {line.name}")
    number, year = next_number(agency, "PR")
    requisition = Requisition.objects.create(
        number=number,
        agency=agency,
        fiscal_year=year,
        requester_id=actor.user_id,
        budget_line=line,
        status=Requisition.Status.SUBMITTED,
        justification=justification.strip(),
        needed_by=needed_by,
        total=total,
        store=store,
        delivery_address=delivery_address.strip(),
        required_levels=required_levels(total, budget.agency_levels(agency.pk)),
        submitted_at=timezone.now(),
    )
    RequisitionLine.objects.bulk_create(
        RequisitionLine(
            requisition=requisition,
            item=row.item,
            supplier=row.item.supplier,
            description=row.item.name_th,
            unit=row.item.unit,
            quantity=row.quantity,
            unit_price=row.item.price,
            line_total=(row.quantity * row.item.price).quantize(Decimal("0.01")),
        )
        for row in items
    )
    ShoppingListLine.objects.filter(owner_id=actor.user_id).delete()
    audit.record(
        actor=actor,
        action="procurement.requisition.submit",
        obj=requisition,
        agency_code=agency.code,
        after={
            "total": total,
            "budget_line": line.code,
            "lines": len(items),
            "required_levels": requisition.required_levels,
        },
    )
    return requisition


def _locked(number: str) -> Requisition:
    requisition = (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("agency", "budget_line")
        .filter(number=number)
        .first()
    )
    if requisition is None:
        raise RequisitionNotFoundError(params={"number": number})
    return requisition


def _require_state(requisition: Requisition, *states: str) -> None:
    if requisition.status not in states:
        raise WrongStateError(
            params={"number": requisition.number, "status": choice_label(requisition)}
        )


@transaction.atomic
def requisition_decide(
    *, actor: Principal, number: str, decision: str, reason: str = ""
) -> Requisition:
    """An approver of the agency approves the next level, rejects, or returns for changes.

    The requester cannot approve their own requisition, and one person approves one level only.
    The last approval issues the purchase orders (one per supplier), signed by the agency.
    """
    from onestop.procurement.services.orders import issue_orders

    requisition = _locked(number)
    require_agency_role(actor, Role.APPROVER, requisition.agency)
    _require_state(requisition, Requisition.Status.SUBMITTED)
    if decision not in RequisitionDecision.Decision.values:
        raise InputError(_("Choose approve, reject or return."), field="decision")
    if requisition.requester_id == actor.user_id:
        raise OwnRequisitionError()
    if decision != "approve" and not reason.strip():
        raise InputError(_("Give the reason; the requester sees it."), field="reason")
    if (
        decision == "approve"
        and requisition.decisions.filter(approver_id=actor.user_id, decision="approve").exists()
    ):
        raise AlreadyDecidedError(params={"number": number})
    level = requisition.approved_levels + 1
    RequisitionDecision.objects.create(
        requisition=requisition,
        approver_id=actor.user_id,
        level=level,
        decision=decision,
        reason=reason.strip(),
    )
    before = {"status": requisition.status, "approved_levels": requisition.approved_levels}
    if decision == "approve":
        requisition.approved_levels = level
        if level >= requisition.required_levels:
            requisition.status = Requisition.Status.APPROVED
            requisition.decided_at = timezone.now()
    else:
        budget.release(requisition.budget_line_id, requisition.total)
        requisition.status = (
            Requisition.Status.REJECTED if decision == "reject" else Requisition.Status.RETURNED
        )
        requisition.decided_at = timezone.now()
        requisition.note = reason.strip()
    requisition.save(update_fields=["approved_levels", "status", "decided_at", "note"])
    audit.record(
        actor=actor,
        action=f"procurement.requisition.{decision}",
        obj=requisition,
        agency_code=requisition.agency.code,
        before=before,
        after={
            "status": requisition.status,
            "approved_levels": requisition.approved_levels,
            "level": level,
            "reason": reason.strip(),
        },
    )
    if requisition.status == Requisition.Status.APPROVED:
        issue_orders(actor=actor, requisition=requisition)
    return requisition


@transaction.atomic
def requisition_resubmit(
    *,
    actor: Principal,
    number: str,
    quantities: dict[int, Decimal] | None = None,
    justification: str | None = None,
) -> Requisition:
    """The requester changes a returned requisition (quantities; zero drops a line) and sends it again."""
    requisition = _locked(number)
    if requisition.requester_id != actor.user_id:
        raise PermissionDeniedError(
            _("Only the officer who made %(number)s may change it."), params={"number": number}
        )
    _require_state(requisition, Requisition.Status.RETURNED, Requisition.Status.DRAFT)
    for line in requisition.lines.select_for_update():
        if quantities and line.pk in quantities:
            quantity = Decimal(str(quantities[line.pk]))
            if quantity == 0:
                line.delete()
                continue
            line.quantity = money.quantity(quantity)
            line.line_total = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
            line.save(update_fields=["quantity", "line_total"])
    lines = list(requisition.lines.all())
    if not lines:
        raise EmptyListError(field="lines")
    requisition.total = sum((line.line_total for line in lines), Decimal("0"))
    budget.reserve(requisition.budget_line_id, requisition.total)
    if justification is not None and justification.strip():
        requisition.justification = justification.strip()
    requisition.status = Requisition.Status.SUBMITTED
    requisition.approved_levels = 0
    requisition.required_levels = required_levels(
        requisition.total, budget.agency_levels(requisition.agency_id)
    )
    requisition.submitted_at = timezone.now()
    requisition.decided_at = None
    requisition.save()
    audit.record(
        actor=actor,
        action="procurement.requisition.resubmit",
        obj=requisition,
        agency_code=requisition.agency.code,
        after={"total": requisition.total},
    )
    return requisition


@transaction.atomic
def requisition_cancel(*, actor: Principal, number: str, reason: str = "") -> Requisition:
    requisition = _locked(number)
    if requisition.requester_id != actor.user_id:
        require_agency_role(actor, Role.AGENCY_ADMIN, requisition.agency)
    _require_state(
        requisition,
        Requisition.Status.SUBMITTED,
        Requisition.Status.RETURNED,
        Requisition.Status.DRAFT,
    )
    if requisition.status == Requisition.Status.SUBMITTED:
        budget.release(requisition.budget_line_id, requisition.total)
    requisition.status = Requisition.Status.CANCELLED
    requisition.note = reason.strip()
    requisition.save(update_fields=["status", "note"])
    audit.record(
        actor=actor,
        action="procurement.requisition.cancel",
        obj=requisition,
        agency_code=requisition.agency.code,
        after={"reason": reason.strip()},
    )
    return requisition


def lines_total(lines: Iterable[RequisitionLine]) -> Decimal:
    return sum((line.line_total for line in lines), Decimal("0"))
