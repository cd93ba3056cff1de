"""Pages of an agency's purchasing set-up (budget, approval chain, stores) and its stores."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.thai import fiscal_year
from onestop.identity.public import Role
from onestop.procurement import selectors
from onestop.procurement.http.common import page, perform
from onestop.procurement.models import ApprovalLevel
from onestop.procurement.policies import own_agency
from onestop.procurement.services import budget, inventory


@page
def settings_page(request: HttpRequest) -> HttpResponse:
    """Budget lines, the approval chain and stores of the officer's agency."""
    principal = request.principal
    agency = own_agency(principal, Role.AGENCY_ADMIN)
    if request.method == "POST":
        form = request.POST.get("form")
        if form == "budget":
            return perform(
                request,
                lambda: budget.budget_line_create(
                    actor=principal,
                    agency_code=agency.code,
                    fiscal_year=int(request.POST.get("fiscal_year") or 0),
                    code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    amount=request.POST.get("amount", ""),
                ),
                success=_("The budget line is open."),
                redirect_to=request.path,
            )
        if form == "levels":
            amounts = request.POST.getlist("min_amount")
            titles = request.POST.getlist("title")
            levels = [
                (amount, title)
                for amount, title in zip(amounts, titles, strict=False)
                if amount.strip()
            ]
            return perform(
                request,
                lambda: budget.approval_levels_set(
                    actor=principal, agency_code=agency.code, levels=levels
                ),
                success=_("The approval chain is saved."),
                redirect_to=request.path,
            )
        if form == "store":
            return perform(
                request,
                lambda: inventory.store_create(
                    actor=principal,
                    code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    address=request.POST.get("address", ""),
                    keeper=request.POST.get("keeper", ""),
                    budget_line_id=int(request.POST.get("budget_line") or 0),
                ),
                success=_("The store is open."),
                redirect_to=request.path,
            )
    return render(
        request,
        "procurement/settings.html",
        {
            "agency": agency,
            "fiscal_year": fiscal_year(timezone.now()),
            "budget_lines": selectors.budget_lines(principal=principal),
            "levels": ApprovalLevel.objects.filter(agency=agency),
            "stores": selectors.stores(principal=principal),
            "is_admin": Role.AGENCY_ADMIN in principal.roles,
        },
    )


def _quantity(value: str) -> Decimal:
    try:
        return Decimal(value.strip() or "0")
    except InvalidOperation:
        return Decimal("-1")


@page
def stores_page(request: HttpRequest) -> HttpResponse:
    """Stock in each store of the agency; issue goods; set reorder points."""
    principal = request.principal
    own_agency(principal, Role.BUYER)
    if request.method == "POST":
        store, item = request.POST.get("store", ""), request.POST.get("item", "")
        item_id = int(item) if item.isdigit() else 0
        if request.POST.get("form") == "issue":
            return perform(
                request,
                lambda: inventory.stock_issue(
                    actor=principal,
                    store_code=store,
                    item_id=item_id,
                    quantity=request.POST.get("quantity", ""),
                    reference=request.POST.get("reference", ""),
                ),
                success=_("The goods are issued."),
                redirect_to=request.path,
            )
        if request.POST.get("form") == "reorder":
            return perform(
                request,
                lambda: inventory.stock_item_set(
                    actor=principal,
                    store_code=store,
                    item_id=item_id,
                    reorder_point=_quantity(request.POST.get("reorder_point", "")),
                    reorder_quantity=_quantity(request.POST.get("reorder_quantity", "")),
                ),
                success=_("The reorder point is saved."),
                redirect_to=request.path,
            )
    return render(
        request, "procurement/stores.html", {"stores": selectors.stores(principal=principal)}
    )
