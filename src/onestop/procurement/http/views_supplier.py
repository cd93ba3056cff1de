"""Pages of suppliers (registration, their catalog) and of the supplier registrar."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop.identity.public import business_get
from onestop.procurement import selectors
from onestop.procurement.http.common import page, perform
from onestop.procurement.http.forms import UPLOAD_KINDS, ItemForm, ReviewForm, SupplierApplyForm
from onestop.procurement.models import CatalogItem, SupplierDocument
from onestop.procurement.policies import (
    NotVisibleError,
    is_registrar,
    require_registrar,
    require_supplier_member,
)
from onestop.procurement.services import catalog, suppliers


def _my_business(request: HttpRequest, juristic_id: str):
    business = business_get(juristic_id)
    require_supplier_member(request.principal, business.pk, business.name_th)
    return business


@page
def supplier_home(request: HttpRequest, juristic_id: str) -> HttpResponse:
    """A business's supplier registration: apply (or again after a rejection), see the status."""
    business = _my_business(request, juristic_id)
    supplier = selectors.supplier_of_business(juristic_id)
    form = SupplierApplyForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "contact_email": business.email,
            "address": business.address,
            "payout_method": "promptpay",
            "promptpay_id": business.juristic_id,
        },
    )
    may_apply = supplier is None or supplier.status == supplier.Status.REJECTED
    if request.method == "POST" and may_apply and form.is_valid():
        data = form.cleaned_data
        uploads = [
            suppliers.Upload(kind, data[field].name, data[field].read())
            for field, kind in UPLOAD_KINDS.items()
            if data.get(field)
        ]
        response = perform(
            request,
            lambda: suppliers.supplier_apply(
                actor=request.principal,
                juristic_id=juristic_id,
                categories=data["categories"],
                address=data["address"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                payout_method=data["payout_method"],
                promptpay_id=data["promptpay_id"],
                bank_code=data["bank_code"],
                bank_account_number=data["bank_account_number"],
                bank_account_name=data["bank_account_name"],
                documents=uploads,
            ),
            success=_("Your application is sent. The registrar will review it."),
            redirect_to=request.path,
            form=form,
        )
        if response:
            return response
    items = (
        selectors.supplier_items(principal=request.principal, supplier=supplier) if supplier else []
    )
    return render(
        request,
        "procurement/supplier_home.html",
        {
            "business": business,
            "supplier": supplier,
            "form": form,
            "may_apply": may_apply,
            "items": items,
            "orders": selectors.orders(principal=request.principal).filter(
                supplier__business=business
            )[:20]
            if supplier
            else [],
        },
    )


@page
def supplier_item_new(request: HttpRequest, juristic_id: str) -> HttpResponse:
    business = _my_business(request, juristic_id)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: catalog.catalog_item_create(
                actor=request.principal, juristic_id=juristic_id, fields=form.service_fields()
            ),
            success=_("The item is on the catalog."),
            redirect_to=reverse("procurement:supplier", args=[juristic_id]),
            form=form,
        )
        if response:
            return response
    return render(
        request, "procurement/item_form.html", {"business": business, "form": form, "item": None}
    )


@page
def supplier_item_edit(request: HttpRequest, juristic_id: str, item_id: int) -> HttpResponse:
    business = _my_business(request, juristic_id)
    item = get_object_or_404(CatalogItem, pk=item_id, supplier__business=business)
    if request.method == "POST" and request.POST.get("action") in ("withdraw", "restore"):
        withdraw = request.POST["action"] == "withdraw"

        def action():
            if withdraw:
                return catalog.catalog_item_delete(actor=request.principal, item_id=item.pk)
            return catalog.catalog_item_update(
                actor=request.principal, item_id=item.pk, fields={"active": True}
            )

        return perform(
            request,
            action,
            success=_("Saved."),
            redirect_to=reverse("procurement:supplier", args=[juristic_id]),
        )
    initial = {
        "category": item.category.code,
        "sku": item.sku,
        "name_th": item.name_th,
        "name_en": item.name_en,
        "description": item.description,
        "unit": item.unit,
        "price": f"{item.price}",
        "valid_until": item.valid_until,
        "specs": "\n".join(f"{k}: {v}" for k, v in (item.specs or {}).items()),
    }
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: catalog.catalog_item_update(
                actor=request.principal, item_id=item.pk, fields=form.service_fields()
            ),
            success=_("The item is saved."),
            redirect_to=reverse("procurement:supplier", args=[juristic_id]),
            form=form,
        )
        if response:
            return response
    return render(
        request, "procurement/item_form.html", {"business": business, "form": form, "item": item}
    )


@page
@require_GET
def registrar_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or "pending"
    rows = selectors.suppliers_for_review(
        principal=request.principal, status=status if status != "all" else None
    )
    return render(request, "procurement/registrar_list.html", {"suppliers": rows, "status": status})


@page
def registrar_detail(request: HttpRequest, juristic_id: str) -> HttpResponse:
    require_registrar(request.principal)
    supplier = selectors.supplier_of_business(juristic_id)
    if supplier is None:
        raise suppliers.SupplierNotFoundError(params={"business": juristic_id})
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = perform(
            request,
            lambda: suppliers.supplier_review(
                actor=request.principal,
                juristic_id=juristic_id,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            ),
            success=_("The decision is recorded."),
            redirect_to=request.path,
            form=form,
        )
        if response:
            return response
    return render(
        request, "procurement/registrar_detail.html", {"supplier": supplier, "form": form}
    )


@page
@require_GET
def supplier_document(request: HttpRequest, juristic_id: str, document_id: int) -> HttpResponse:
    """A document the supplier uploaded: for the registrar and the business itself."""
    document = get_object_or_404(
        SupplierDocument.objects.select_related("supplier__business"),
        pk=document_id,
        supplier__business__juristic_id=juristic_id,
    )
    business = document.supplier.business
    if not is_registrar(request.principal) and business.pk not in request.principal.business_ids:
        raise NotVisibleError()
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
