"""Procurement API: every step of buying from the catalog, for other systems and scripts."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from onestop.core.errors import InputError, NotFoundError
from onestop.core.http.api import ErrorOut
from onestop.documents.public import document_pdf
from onestop.identity.public import require_authenticated
from onestop.procurement import selectors
from onestop.procurement.http import schemas as s
from onestop.procurement.http.api_analytics import router as analytics_router
from onestop.procurement.http.api_auctions import router as auctions_router
from onestop.procurement.http.api_awarding import router as awarding_router
from onestop.procurement.http.api_ocds import router as ocds_router
from onestop.procurement.http.api_tendering import router as tendering_router
from onestop.procurement.http.common import decoded
from onestop.procurement.models import ApprovalLevel
from onestop.procurement.policies import is_registrar, require_supplier_member
from onestop.procurement.services import (
    budget,
    catalog,
    inventory,
    invoicing,
    orders,
    receiving,
    requisitions,
    shopping,
    suppliers,
)

router = Router(tags=["procurement"])
router.add_router("", tendering_router)
router.add_router("", ocds_router)
router.add_router("", awarding_router)
router.add_router("", auctions_router)
router.add_router("/procurement", analytics_router)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}
P = "/procurement"


def _uploads(documents: list[s.DocumentIn]) -> list[suppliers.Upload]:
    uploads = []
    for document in documents:
        data = decoded(document.content_base64, field="documents")
        uploads.append(suppliers.Upload(document.kind, document.file_name, data))
    return uploads


# Suppliers -------------------------------------------------------------------------------------


@router.get(
    f"{P}/categories", auth=None, response=list[s.CategoryOut], summary="Catalog categories"
)
def category_list(request: HttpRequest):
    return list(selectors.categories())


@router.post(
    f"{P}/suppliers", response={201: s.SupplierOut, **ERRORS}, summary="Apply to be a supplier"
)
def supplier_apply(request: HttpRequest, payload: s.SupplierApplyIn):
    fields = payload.dict(exclude={"documents"})
    supplier = suppliers.supplier_apply(
        actor=request.principal, documents=_uploads(payload.documents), **fields
    )
    return Status(201, supplier)


@router.get(
    f"{P}/suppliers",
    response={200: list[s.SupplierOut], **ERRORS},
    summary="Suppliers to review (registrar)",
)
def supplier_list(request: HttpRequest, status: str | None = None):
    return list(selectors.suppliers_for_review(principal=request.principal, status=status))


@router.get(
    f"{P}/suppliers/{{juristic_id}}",
    response={200: s.SupplierOut, **ERRORS},
    summary="A supplier's registration",
)
def supplier_detail(request: HttpRequest, juristic_id: str):
    supplier = selectors.supplier_of_business(juristic_id)
    if supplier is None:
        raise suppliers.SupplierNotFoundError(params={"business": juristic_id})
    if not is_registrar(request.principal):
        require_supplier_member(request.principal, supplier.business_id, supplier.business.name_th)
    return supplier


@router.post(
    f"{P}/suppliers/{{juristic_id}}/review",
    response={200: s.SupplierOut, **ERRORS},
    summary="Approve, reject, suspend or reinstate (registrar)",
)
def supplier_review(request: HttpRequest, juristic_id: str, payload: s.ReviewIn):
    return suppliers.supplier_review(
        actor=request.principal,
        juristic_id=juristic_id,
        decision=payload.decision,
        reason=payload.reason,
    )


# Catalog -------------------------------------------------------------------------------------


class CatalogQuery(Schema):
    q: str = ""
    category: str | None = None
    supplier: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    limit: int = 20
    offset: int = 0


@router.get(
    f"{P}/catalog",
    auth=None,
    response={200: s.CatalogOut, **ERRORS},
    summary="Search the catalog (Thai-aware)",
)
def catalog_search(request: HttpRequest, query: Query[CatalogQuery]):
    results = selectors.catalog_search(
        query=query.q[:200],
        category=query.category,
        supplier_id=query.supplier,
        price_min=query.price_min,
        price_max=query.price_max,
        limit=max(1, min(query.limit, 100)),
        offset=max(0, query.offset),
    )
    return {"items": results.items, "total": results.total, "corrected": results.corrected}


@router.get(
    f"{P}/catalog/compare",
    auth=None,
    response={200: list[s.ItemOut], **ERRORS},
    summary="Items side by side",
)
def catalog_compare(request: HttpRequest, ids: str):
    try:
        numbers = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError:
        raise InputError(field="ids") from None
    return selectors.items_compare(numbers)[0]


@router.get(
    f"{P}/catalog/{{item_id}}",
    auth=None,
    response={200: s.ItemOut, **ERRORS},
    summary="A catalog item",
)
def catalog_item(request: HttpRequest, item_id: int):
    return selectors.catalog_item(item_id)


@router.post(
    f"{P}/suppliers/{{juristic_id}}/items",
    response={201: s.ItemOut, **ERRORS},
    summary="List an item (approved suppliers)",
)
def item_create(request: HttpRequest, juristic_id: str, payload: s.ItemIn):
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(
        201,
        catalog.catalog_item_create(
            actor=request.principal, juristic_id=juristic_id, fields=fields
        ),
    )


@router.patch(
    f"{P}/items/{{item_id}}", response={200: s.ItemOut, **ERRORS}, summary="Change an item"
)
def item_update(request: HttpRequest, item_id: int, payload: s.ItemPatchIn):
    fields = payload.dict(exclude_unset=True)
    return catalog.catalog_item_update(actor=request.principal, item_id=item_id, fields=fields)


@router.delete(f"{P}/items/{{item_id}}", response={204: None, **ERRORS}, summary="Withdraw an item")
def item_delete(request: HttpRequest, item_id: int):
    catalog.catalog_item_delete(actor=request.principal, item_id=item_id)
    return Status(204, None)


# Shopping list and requisitions ----------------------------------------------------------------


@router.get(
    f"{P}/shopping-list",
    response={200: list[s.ShoppingLineOut], **ERRORS},
    summary="Your shopping list",
)
def shopping_list(request: HttpRequest):
    require_authenticated(request.principal)
    return shopping.shopping_list(request.principal)


@router.post(
    f"{P}/shopping-list",
    response={201: s.ShoppingLineOut, **ERRORS},
    summary="Add an item (buyers)",
)
def shopping_add(request: HttpRequest, payload: s.ShoppingLineIn):
    line = shopping.shopping_list_add(
        actor=request.principal, item_id=payload.item_id, quantity=payload.quantity
    )
    return Status(201, line)


@router.put(
    f"{P}/shopping-list/{{item_id}}",
    response={204: None, **ERRORS},
    summary="Change a quantity (0 removes)",
)
def shopping_set(request: HttpRequest, item_id: int, payload: s.QuantityIn):
    shopping.shopping_list_set(actor=request.principal, item_id=item_id, quantity=payload.quantity)
    return Status(204, None)


@router.post(
    f"{P}/requisitions",
    response={201: s.RequisitionOut, **ERRORS},
    summary="Submit the shopping list as a requisition",
)
def requisition_submit(request: HttpRequest, payload: s.RequisitionIn):
    requisition = requisitions.requisition_submit(
        actor=request.principal,
        budget_line_id=payload.budget_line_id,
        justification=payload.justification,
        needed_by=payload.needed_by,
        store_code=payload.store,
        delivery_address=payload.delivery_address,
    )
    return Status(
        201, selectors.requisition_detail(principal=request.principal, number=requisition.number)
    )


@router.get(
    f"{P}/requisitions",
    response={200: list[s.RequisitionOut], **ERRORS},
    summary="Your agency's requisitions",
)
def requisition_list(request: HttpRequest, status: str | None = None, limit: int = 50):
    rows = selectors.requisitions(principal=request.principal, status=status).prefetch_related(
        "lines__supplier__business", "decisions__approver", "orders"
    )
    return list(rows[: max(1, min(limit, 200))])


@router.get(
    f"{P}/requisitions/{{number}}",
    response={200: s.RequisitionOut, **ERRORS},
    summary="A requisition",
)
def requisition_detail(request: HttpRequest, number: str):
    return selectors.requisition_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/requisitions/{{number}}/decisions",
    response={200: s.RequisitionOut, **ERRORS},
    summary="Approve, reject or return (approvers)",
)
def requisition_decide(request: HttpRequest, number: str, payload: s.DecisionIn):
    requisitions.requisition_decide(
        actor=request.principal, number=number, decision=payload.decision, reason=payload.reason
    )
    return selectors.requisition_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/requisitions/{{number}}/resubmit",
    response={200: s.RequisitionOut, **ERRORS},
    summary="Change a returned requisition and send it again",
)
def requisition_resubmit(request: HttpRequest, number: str, payload: s.ResubmitIn):
    quantities = {int(k): Decimal(v) for k, v in payload.quantities.items()}
    requisitions.requisition_resubmit(
        actor=request.principal,
        number=number,
        quantities=quantities,
        justification=payload.justification,
    )
    return selectors.requisition_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/requisitions/{{number}}/cancel",
    response={200: s.RequisitionOut, **ERRORS},
    summary="Cancel a requisition",
)
def requisition_cancel(request: HttpRequest, number: str, payload: s.ReasonIn):
    requisitions.requisition_cancel(actor=request.principal, number=number, reason=payload.reason)
    return selectors.requisition_detail(principal=request.principal, number=number)


# Orders, inspection, invoices -----------------------------------------------------------------


@router.get(
    f"{P}/orders", response={200: list[s.OrderOut], **ERRORS}, summary="Purchase orders you may see"
)
def order_list(request: HttpRequest, status: str | None = None, limit: int = 50):
    rows = selectors.orders(principal=request.principal, status=status).prefetch_related(
        "lines", "events"
    )
    return list(rows[: max(1, min(limit, 200))])


@router.get(
    f"{P}/orders/{{number}}",
    response={200: s.OrderOut, **ERRORS},
    summary="A purchase order and its timeline",
)
def order_detail(request: HttpRequest, number: str):
    return selectors.order_detail(principal=request.principal, number=number)


@router.get(
    f"{P}/orders/{{number}}/pdf",
    response={200: None, **ERRORS},
    summary="The signed PDF of a purchase order",
)
def order_pdf(request: HttpRequest, number: str):
    order = selectors.order_detail(principal=request.principal, number=number)
    if order.document_id is None:
        raise NotFoundError()
    response = HttpResponse(document_pdf(order.document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@router.post(
    f"{P}/orders/{{number}}/acknowledge",
    response={200: s.OrderOut, **ERRORS},
    summary="The supplier acknowledges",
)
def order_acknowledge(request: HttpRequest, number: str):
    orders.purchase_order_acknowledge(actor=request.principal, number=number)
    return selectors.order_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/orders/{{number}}/ship",
    response={200: s.OrderOut, **ERRORS},
    summary="The supplier ships",
)
def order_ship(request: HttpRequest, number: str, payload: s.ShipIn):
    orders.purchase_order_ship(actor=request.principal, number=number, note=payload.note)
    return selectors.order_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/orders/{{number}}/cancel",
    response={200: s.OrderOut, **ERRORS},
    summary="Cancel an unshipped order (approvers)",
)
def order_cancel(request: HttpRequest, number: str, payload: s.ReasonIn):
    orders.purchase_order_cancel(actor=request.principal, number=number, reason=payload.reason)
    return selectors.order_detail(principal=request.principal, number=number)


@router.post(
    f"{P}/orders/{{number}}/receipts",
    response={201: s.ReceiptOut, **ERRORS},
    summary="Record an inspection (inspectors)",
)
def receipt_record(request: HttpRequest, number: str, payload: s.ReceiptIn):
    lines = [
        receiving.ReceiptLineIn(
            line.order_line_id, Decimal(line.delivered), Decimal(line.accepted), line.reason
        )
        for line in payload.lines
    ]
    receipt = receiving.goods_receipt_record(
        actor=request.principal,
        number=number,
        lines=lines,
        inspectors=payload.inspectors,
        note=payload.note,
    )
    return Status(201, receipt)


@router.post(
    f"{P}/orders/{{number}}/invoices",
    response={201: s.InvoiceOut, **ERRORS},
    summary="Send an invoice (the supplier)",
)
def invoice_submit(request: HttpRequest, number: str, payload: s.InvoiceIn):
    lines = [
        invoicing.InvoiceLineIn(line.order_line_id, line.quantity, line.unit_price)
        for line in payload.lines
    ]
    invoice = invoicing.invoice_submit(
        actor=request.principal,
        number=number,
        supplier_number=payload.supplier_number,
        invoice_date=payload.invoice_date,
        lines=lines,
        total=payload.total,
    )
    return Status(201, invoice)


@router.get(
    f"{P}/invoices", response={200: list[s.InvoiceOut], **ERRORS}, summary="Invoices you may see"
)
def invoice_list(request: HttpRequest, limit: int = 50):
    return list(selectors.invoices(principal=request.principal)[: max(1, min(limit, 200))])


@router.post(
    f"{P}/invoices/{{invoice_id}}/retry-payment",
    response={200: s.InvoiceOut, **ERRORS},
    summary="Pay a failed invoice again (finance)",
)
def invoice_retry(request: HttpRequest, invoice_id: int):
    return invoicing.invoice_payment_retry(actor=request.principal, invoice_id=invoice_id)


# Budget, approval chain, stores -----------------------------------------------------------------


@router.get(
    f"{P}/budget-lines",
    response={200: list[s.BudgetLineOut], **ERRORS},
    summary="Your agency's budget lines",
)
def budget_list(request: HttpRequest, fiscal_year: int | None = None):
    return list(selectors.budget_lines(principal=request.principal, fiscal_year=fiscal_year))


@router.post(
    f"{P}/budget-lines",
    response={201: s.BudgetLineOut, **ERRORS},
    summary="Open a budget line (agency admin, finance)",
)
def budget_create(request: HttpRequest, payload: s.BudgetLineIn):
    line = budget.budget_line_create(
        actor=request.principal,
        agency_code=request.principal.agency_code or "",
        fiscal_year=payload.fiscal_year,
        code=payload.code,
        name=payload.name,
        amount=payload.amount,
    )
    return Status(201, line)


@router.get(
    f"{P}/approval-levels",
    response={200: list[s.ApprovalLevelOut], **ERRORS},
    summary="Your agency's approval chain",
)
def approval_levels(request: HttpRequest):
    require_authenticated(request.principal)
    return list(ApprovalLevel.objects.filter(agency_id=request.principal.agency_id))


@router.put(
    f"{P}/approval-levels",
    response={200: list[s.ApprovalLevelOut], **ERRORS},
    summary="Replace the approval chain (agency admin)",
)
def approval_levels_set(request: HttpRequest, payload: list[s.ApprovalLevelIn]):
    return budget.approval_levels_set(
        actor=request.principal,
        agency_code=request.principal.agency_code or "",
        levels=[(level.min_amount, level.title) for level in payload],
    )


@router.get(
    f"{P}/stores",
    response={200: list[s.StoreOut], **ERRORS},
    summary="Your agency's stores and stock",
)
def store_list(request: HttpRequest):
    return list(selectors.stores(principal=request.principal))


@router.post(
    f"{P}/stores", response={201: s.StoreOut, **ERRORS}, summary="Open a store (agency admin)"
)
def store_create(request: HttpRequest, payload: s.StoreIn):
    inventory.store_create(actor=request.principal, **payload.dict())
    return Status(
        201, selectors.stores(principal=request.principal).get(code=payload.code.strip().upper())
    )


@router.put(
    f"{P}/stores/{{code}}/stock/{{item_id}}",
    response={200: s.StockItemOut, **ERRORS},
    summary="Set an item's reorder point",
)
def stock_set(request: HttpRequest, code: str, item_id: int, payload: s.StockSetIn):
    return inventory.stock_item_set(
        actor=request.principal,
        store_code=code,
        item_id=item_id,
        reorder_point=Decimal(payload.reorder_point),
        reorder_quantity=Decimal(payload.reorder_quantity),
    )


@router.post(
    f"{P}/stores/{{code}}/issues",
    response={201: s.MovementOut, **ERRORS},
    summary="Issue goods from a store",
)
def stock_issue(request: HttpRequest, code: str, payload: s.StockIssueIn):
    movement = inventory.stock_issue(
        actor=request.principal,
        store_code=code,
        item_id=payload.item_id,
        quantity=payload.quantity,
        reference=payload.reference,
    )
    return Status(201, movement)
