"""The annual procurement plan (P-09): drafted by the agency's buyers, published for everyone,
and the source each tender of the year points back to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money, thai
from onestop.core.errors import ConflictError, InputError, NotFoundError, required_text
from onestop.identity.public import Principal, Role
from onestop.procurement.models import PlanItem, ProcurementPlan, Tender
from onestop.procurement.policies import require_own_role


@dataclass(frozen=True)
class PlanItemInput:
    title: str
    method: str
    budget: object
    expected_month: dt.date


class PlanNotFoundError(NotFoundError):
    code = "plan_not_found"
    message = _("Your agency has no procurement plan for fiscal year %(year)s.")


class PlanPublishedError(ConflictError):
    code = "plan_published"
    message = _(
        "The plan for fiscal year %(year)s is published; published plans are not rewritten."
    )


def _fiscal_months(year: int) -> tuple[dt.date, dt.date]:
    """First and last month of a Buddhist Era fiscal year (October to September)."""
    gregorian = year - 543
    return dt.date(gregorian - 1, 10, 1), dt.date(gregorian, 9, 1)


def _items(year: int, items: Sequence[PlanItemInput]) -> list[PlanItem]:
    if not items:
        raise InputError(_("Add at least one project to the plan."), field="items")
    first, last = _fiscal_months(year)
    parsed = []
    for position, item in enumerate(items, start=1):
        if item.method not in Tender.Method.values:
            raise InputError(
                _("Project %(position)s: choose a method: %(methods)s."),
                field="items",
                params={"position": position, "methods": ", ".join(Tender.Method.values)},
            )
        month = item.expected_month.replace(day=1)
        if not first <= month <= last:
            raise InputError(
                _("Project %(position)s: the month must fall within fiscal year %(year)s."),
                field="items",
                params={"position": position, "year": year},
            )
        parsed.append(
            PlanItem(
                position=position,
                title=required_text(item.title, field="items", label=_("project"), max_length=300),
                method=item.method,
                budget=money.amount(item.budget, field="items"),
                expected_month=month,
            )
        )
    return parsed


@transaction.atomic
def plan_save(
    *, actor: Principal, fiscal_year: int, items: Sequence[PlanItemInput]
) -> ProcurementPlan:
    """Create or rewrite the agency's draft plan for a fiscal year."""
    agency = require_own_role(actor, Role.BUYER)
    current = thai.fiscal_year(timezone.now())
    if not current - 1 <= int(fiscal_year) <= current + 1:
        raise InputError(
            _("Plan for the current fiscal year (%(year)s), the one before or the one after."),
            field="fiscal_year",
            params={"year": current},
        )
    parsed = _items(int(fiscal_year), items)
    plan, created = ProcurementPlan.objects.select_for_update().get_or_create(
        agency=agency, fiscal_year=fiscal_year, defaults={"created_by_id": actor.user_id}
    )
    if plan.status == ProcurementPlan.Status.PUBLISHED:
        raise PlanPublishedError(params={"year": fiscal_year})
    plan.items.all().delete()
    for item in parsed:
        item.plan = plan
    PlanItem.objects.bulk_create(parsed)
    audit.record(
        actor=actor,
        action="procurement.plan.save",
        obj=plan,
        object_label=f"{agency.code} {fiscal_year}",
        agency_code=agency.code,
        after={"items": len(parsed), "total": sum(item.budget for item in parsed), "new": created},
    )
    return plan


@transaction.atomic
def plan_publish(*, actor: Principal, fiscal_year: int) -> ProcurementPlan:
    """Publish the plan on the public information center."""
    agency = require_own_role(actor, Role.BUYER)
    plan = (
        ProcurementPlan.objects.select_for_update()
        .filter(agency=agency, fiscal_year=fiscal_year)
        .first()
    )
    if plan is None:
        raise PlanNotFoundError(params={"year": fiscal_year})
    if plan.status == ProcurementPlan.Status.PUBLISHED:
        raise PlanPublishedError(params={"year": fiscal_year})
    plan.status = ProcurementPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="procurement.plan.publish",
        obj=plan,
        object_label=f"{agency.code} {fiscal_year}",
        agency_code=agency.code,
        after={"items": plan.items.count()},
    )
    return plan


def plan_item_for_tender(plan_item_id: int, agency) -> PlanItem:
    """A project of the agency's published plan that a tender carries out."""
    item = (
        PlanItem.objects.select_related("plan").filter(pk=plan_item_id, plan__agency=agency).first()
    )
    if item is None:
        raise InputError(_("Choose a project of your agency's plan."), field="plan_item")
    if item.plan.status != ProcurementPlan.Status.PUBLISHED:
        raise InputError(
            _("Publish the plan for fiscal year %(year)s before tendering its projects."),
            field="plan_item",
            params={"year": item.plan.fiscal_year},
        )
    return item
