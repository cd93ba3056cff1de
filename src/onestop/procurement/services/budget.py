"""Budget lines and approval thresholds, set by an agency's administrator (P-04)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ConflictError, InputError, NotFoundError
from onestop.identity.public import Principal, Role, agency_get
from onestop.procurement.domain.approval import Level, levels_are_consistent
from onestop.procurement.models import ApprovalLevel, BudgetLine
from onestop.procurement.policies import require_agency_role


class BudgetExceededError(ConflictError):
    code = "budget_exceeded"
    message = _(
        "The budget %(budget)s has %(available)s baht left; this needs %(needed)s baht. "
        "Reduce the quantities or ask finance for more budget."
    )


class BudgetLineNotFoundError(NotFoundError):
    code = "budget_line_not_found"
    message = _("Your agency has no budget line %(id)s for this fiscal year.")


@transaction.atomic
def budget_line_create(
    *, actor: Principal, agency_code: str, fiscal_year: int, code: str, name: str, amount: Decimal
) -> BudgetLine:
    """An agency administrator (or finance officer) opens a budget line for a fiscal year."""
    agency = agency_get(agency_code)
    if not (actor.agency_id == agency.pk and {Role.AGENCY_ADMIN, Role.FINANCE} & set(actor.roles)):
        require_agency_role(actor, Role.AGENCY_ADMIN, agency)
    if not 2500 <= int(fiscal_year) <= 2700:
        raise InputError(
            _("The fiscal year is a Buddhist Era year, like 2570."), field="fiscal_year"
        )
    if not code.strip() or not name.strip():
        raise InputError(
            _("Enter the budget code and its name."), field="code" if not code.strip() else "name"
        )
    try:
        with transaction.atomic():
            line = BudgetLine.objects.create(
                agency=agency,
                fiscal_year=fiscal_year,
                code=code.strip(),
                name=name.strip(),
                amount=money.amount(amount, field="amount"),
            )
    except IntegrityError:
        raise ConflictError(
            _("The budget code %(code)s already exists for %(year)s."),
            field="code",
            params={"code": code, "year": fiscal_year},
        ) from None
    audit.record(
        actor=actor,
        action="procurement.budget.create",
        obj=line,
        agency_code=agency.code,
        after={"code": line.code, "fiscal_year": fiscal_year, "amount": line.amount},
    )
    return line


def reserve(line_id: int, amount: Decimal, *, budget_label: str | None = None) -> BudgetLine:
    """Reserve money on a budget line; refuses what it does not have. Locks the line."""
    line = BudgetLine.objects.select_for_update().get(pk=line_id)
    if line.available < amount:
        raise BudgetExceededError(
            field="budget_line",
            params={
                "budget": budget_label or line.code,
                "available": f"{line.available:,.2f}",
                "needed": f"{amount:,.2f}",
            },
        )
    BudgetLine.objects.filter(pk=line_id).update(reserved=F("reserved") + amount)
    line.refresh_from_db()
    return line


def release(line_id: int, amount: Decimal) -> None:
    """Give back reserved money (a requisition rejected, returned or cancelled)."""
    BudgetLine.objects.select_for_update().filter(pk=line_id).update(
        reserved=F("reserved") - amount
    )


def spend(line_id: int, amount: Decimal) -> None:
    """Money reserved for an order has been paid."""
    BudgetLine.objects.select_for_update().filter(pk=line_id).update(
        reserved=F("reserved") - amount, spent=F("spent") + amount
    )


@transaction.atomic
def approval_levels_set(
    *, actor: Principal, agency_code: str, levels: Iterable[tuple[Decimal, str]]
) -> list[ApprovalLevel]:
    """Replace the agency's approval chain: [(from amount, who approves), ...] by rising amount."""
    agency = agency_get(agency_code)
    require_agency_role(actor, Role.AGENCY_ADMIN, agency)
    parsed = [(money.amount(a, field="levels", allow_zero=True), str(t)[:200]) for a, t in levels]
    domain = [Level(number, amount) for number, (amount, _t) in enumerate(parsed, start=1)]
    if not parsed or not levels_are_consistent(domain):
        raise InputError(
            _("Level 1 starts at 0 baht and each next level at a higher amount."), field="levels"
        )
    before = [
        (str(level.min_amount), level.title)
        for level in ApprovalLevel.objects.filter(agency=agency)
    ]
    ApprovalLevel.objects.filter(agency=agency).delete()
    created = [
        ApprovalLevel.objects.create(agency=agency, level=number, min_amount=amount, title=title)
        for number, (amount, title) in enumerate(parsed, start=1)
    ]
    audit.record(
        actor=actor,
        action="procurement.approval_levels.set",
        object_type="identity.agency",
        object_id=agency.pk,
        object_label=agency.code,
        agency_code=agency.code,
        before={"levels": before},
        after={"levels": [(str(a), t) for a, t in parsed]},
    )
    return created


def agency_levels(agency_id: int) -> list[Level]:
    return [
        Level(row.level, row.min_amount)
        for row in ApprovalLevel.objects.filter(agency_id=agency_id)
    ]
