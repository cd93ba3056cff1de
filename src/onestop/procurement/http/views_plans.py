"""The agency's annual procurement plan page (P-09): draft, publish, and see what tenders
carry out each project."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onestop.core import thai
from onestop.core.errors import ApplicationError, InputError
from onestop.core.http.errors import error_response
from onestop.procurement import selectors
from onestop.procurement.http.common import page, perform
from onestop.procurement.models import Tender
from onestop.procurement.services import planning


def _month(text: str, number: int) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text.strip()[:7]}-01")
    except ValueError:
        raise InputError(
            gettext_lazy("Project %(number)s: write the month as 2027-03."),
            field="items",
            params={"number": number},
        ) from None


def items_from_text(text: str) -> list[planning.PlanItemInput]:
    """One project per line: title | method | budget | month (YYYY-MM)."""
    items = []
    for number, row in enumerate(text.strip().splitlines(), start=1):
        if not row.strip():
            continue
        parts = [part.strip() for part in row.split("|")]
        if len(parts) != 4:
            raise InputError(
                gettext_lazy(
                    "Project %(number)s: write title | method | budget | month, separated by |."
                ),
                field="items",
                params={"number": number},
            )
        title, method, budget, month = parts
        items.append(planning.PlanItemInput(title, method, budget, _month(month, number)))
    return items


def _year(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return 0


@page
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        year = _year(values.get("fiscal_year"))
        if values.get("action") == "publish":
            return perform(
                request,
                lambda: planning.plan_publish(actor=request.principal, fiscal_year=year),
                success=_("The plan is published on the procurement information center."),
                redirect_to=reverse("procurement:plans"),
            )
        try:
            planning.plan_save(
                actor=request.principal,
                fiscal_year=year,
                items=items_from_text(values.get("items", "")),
            )
        except ApplicationError as refused:
            if refused.status in (401, 403):
                return error_response(request, refused)
            error = refused
        else:
            return redirect("procurement:plans")
    return render(
        request,
        "procurement/plans.html",
        {
            "plans": selectors.agency_plans(principal=request.principal),
            "values": values,
            "error": error,
            "methods": Tender.Method.choices,
            "current_year": thai.fiscal_year(timezone.now()),
        },
    )
