"""Pages of buyers and approvers: catalog, shopping list, requisitions, approvals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onestop.core.thai import fiscal_year
from onestop.identity.public import Role
from onestop.procurement import selectors
from onestop.procurement.http.common import page, perform
from onestop.procurement.http.forms import DecisionForm, RequisitionForm
from onestop.procurement.services import requisitions, shopping

PAGE_SIZE = 20


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value.strip() else None
    except InvalidOperation:
        return None


@page
@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """Search the catalog in Thai or English; filter by category, supplier and price."""
    query = request.GET.get("q", "").strip()[:200]
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    filters = {
        "category": request.GET.get("category") or None,
        "price_min": _decimal(request.GET.get("price_min", "")),
        "price_max": _decimal(request.GET.get("price_max", "")),
    }
    supplier = request.GET.get("supplier", "")
    results = selectors.catalog_search(
        query=query,
        supplier_id=int(supplier) if supplier.isdigit() else None,
        limit=PAGE_SIZE,
        offset=offset,
        **filters,
    )
    context = {
        "results": results,
        "query": query,
        "filters": filters,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < results.total else None,
        "categories": selectors.categories(),
        "supplier": supplier,
        "may_buy": Role.BUYER in request.principal.roles,
    }
    template = (
        "procurement/_catalog_results.html"
        if request.headers.get("HX-Request")
        else "procurement/catalog.html"
    )
    return render(request, template, context)


@page
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    ids = [int(part) for part in request.GET.getlist("ids") if part.isdigit()]
    items, spec_names = selectors.items_compare(ids)
    rows = [(name, [item.specs.get(name, "—") for item in items]) for name in spec_names]
    return render(request, "procurement/compare.html", {"items": items, "rows": rows})


@page
@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    item_id = request.POST.get("item", "")
    return perform(
        request,
        lambda: shopping.shopping_list_add(
            actor=request.principal,
            item_id=int(item_id) if item_id.isdigit() else 0,
            quantity=request.POST.get("quantity", "1"),
        ),
        success=_("Added to your shopping list."),
        redirect_to=request.POST.get("next") or reverse("procurement:cart"),
    )


@page
def cart(request: HttpRequest) -> HttpResponse:
    """The shopping list, its quantities, and submitting it as a requisition."""
    principal = request.principal
    if request.method == "POST" and request.POST.get("action") == "update":
        quantities = {
            int(key[9:]): value
            for key, value in request.POST.items()
            if key.startswith("quantity-") and key[9:].isdigit()
        }
        return perform(
            request,
            lambda: shopping.shopping_list_update(actor=principal, quantities=quantities),
            success=_("The quantities are saved."),
            redirect_to=request.path,
        )
    year = fiscal_year(timezone.now())
    form = RequisitionForm(
        request.POST if request.method == "POST" else None,
        budget_lines=selectors.budget_lines(principal=principal, fiscal_year=year)
        if principal.agency_id
        else [],
        stores=selectors.stores(principal=principal) if principal.agency_id else [],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = {}

        def submit():
            created["requisition"] = requisitions.requisition_submit(
                actor=principal,
                budget_line_id=int(data["budget_line"]),
                justification=data["justification"],
                needed_by=data["needed_by"],
                store_code=data["store"],
                delivery_address=data["delivery_address"],
            )

        response = perform(
            request,
            submit,
            success=_("The requisition is sent for approval."),
            redirect_to=reverse("procurement:requisitions"),
            form=form,
        )
        if response:
            if "requisition" in created:
                response["Location"] = reverse(
                    "procurement:requisition", args=[created["requisition"].number]
                )
            return response
    lines = shopping.shopping_list(principal)
    for line in lines:
        line.amount = (line.quantity * line.item.price).quantize(Decimal("0.01"))
    total = sum((line.amount for line in lines), Decimal("0"))
    return render(
        request,
        "procurement/cart.html",
        {"lines": lines, "total": total, "form": form, "fiscal_year": year},
    )


@page
@require_GET
def requisition_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    rows = selectors.requisitions(principal=request.principal, status=status).order_by(
        "-created_at"
    )[:100]
    return render(
        request, "procurement/requisitions.html", {"requisitions": rows, "status": status}
    )


@page
def requisition_detail(request: HttpRequest, number: str) -> HttpResponse:
    principal = request.principal
    requisition = selectors.requisition_detail(principal=principal, number=number)
    form = DecisionForm(request.POST if request.POST.get("form") == "decide" else None)
    if request.method == "POST":
        action = request.POST.get("form")
        if action == "decide" and form.is_valid():
            response = perform(
                request,
                lambda: requisitions.requisition_decide(
                    actor=principal,
                    number=number,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                ),
                success=_("Your decision is recorded."),
                redirect_to=request.path,
                form=form,
            )
            if response:
                return response
        elif action == "cancel":
            return perform(
                request,
                lambda: requisitions.requisition_cancel(
                    actor=principal, number=number, reason=request.POST.get("reason", "")
                ),
                success=_("The requisition is cancelled."),
                redirect_to=request.path,
            )
        elif action == "resubmit":
            quantities = {
                int(k[9:]): Decimal(v or "0")
                for k, v in request.POST.items()
                if k.startswith("quantity-") and k[9:].isdigit() and _decimal(v or "0") is not None
            }
            return perform(
                request,
                lambda: requisitions.requisition_resubmit(
                    actor=principal,
                    number=number,
                    quantities=quantities,
                    justification=request.POST.get("justification"),
                ),
                success=_("The requisition is sent for approval again."),
                redirect_to=request.path,
            )
    may_decide = (
        Role.APPROVER in principal.roles
        and principal.agency_id == requisition.agency_id
        and requisition.status == requisition.Status.SUBMITTED
        and requisition.requester_id != principal.user_id
    )
    return render(
        request,
        "procurement/requisition.html",
        {
            "requisition": requisition,
            "form": form,
            "may_decide": may_decide,
            "is_requester": requisition.requester_id == principal.user_id,
        },
    )


@page
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procurement/approvals.html",
        {"requisitions": selectors.approval_queue(principal=request.principal)},
    )
