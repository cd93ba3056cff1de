"""Pages of purchase orders: tracking, the supplier's acknowledgement, shipping and invoices,
the inspection committee's receipt, and finance's view of invoices and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.core.errors import InputError
from onestop.documents.public import document_pdf
from onestop.identity.public import Role
from onestop.procurement import selectors
from onestop.procurement.http.common import page, perform
from onestop.procurement.services import invoicing, orders, receiving


def _number(value: str, field: str) -> Decimal:
    try:
        return Decimal(value.strip() or "0")
    except InvalidOperation:
        raise InputError(gettext_lazy("Enter a number."), field=field) from None


@page
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    rows = selectors.orders(principal=request.principal, status=status).order_by("-issued_at")[:100]
    return render(request, "procurement/orders.html", {"orders": rows, "status": status})


def _receipt_lines(request: HttpRequest, order) -> list[receiving.ReceiptLineIn]:
    lines = []
    for line in order.lines.all():
        delivered = request.POST.get(f"delivered-{line.pk}", "").strip()
        if not delivered or _number(delivered, "delivered") == 0:
            continue
        lines.append(
            receiving.ReceiptLineIn(
                line.pk,
                _number(delivered, "delivered"),
                _number(request.POST.get(f"accepted-{line.pk}", delivered), "accepted"),
                request.POST.get(f"reason-{line.pk}", ""),
            )
        )
    return lines


def _invoice_lines(request: HttpRequest, order) -> list[invoicing.InvoiceLineIn]:
    lines = []
    for line in order.lines.all():
        quantity = request.POST.get(f"quantity-{line.pk}", "").strip()
        if not quantity or _number(quantity, "quantity") == 0:
            continue
        lines.append(
            invoicing.InvoiceLineIn(
                line.pk, quantity, request.POST.get(f"price-{line.pk}", str(line.unit_price))
            )
        )
    return lines


def _act(request: HttpRequest, order, action: str) -> HttpResponse:
    principal, number = request.principal, order.number
    if action == "acknowledge":
        run, done = (
            lambda: orders.purchase_order_acknowledge(actor=principal, number=number),
            _("Acknowledged."),
        )
    elif action == "ship":
        run, done = (
            (
                lambda: orders.purchase_order_ship(
                    actor=principal, number=number, note=request.POST.get("note", "")
                )
            ),
            _("Marked as shipped."),
        )
    elif action == "cancel":
        run, done = (
            (
                lambda: orders.purchase_order_cancel(
                    actor=principal, number=number, reason=request.POST.get("reason", "")
                )
            ),
            _("Cancelled."),
        )
    elif action == "receive":
        run, done = (
            (
                lambda: receiving.goods_receipt_record(
                    actor=principal,
                    number=number,
                    lines=_receipt_lines(request, order),
                    inspectors=request.POST.get("inspectors", "").replace(",", " ").split(),
                    note=request.POST.get("note", ""),
                )
            ),
            _("The inspection is recorded."),
        )
    elif action == "invoice":

        def run():
            try:
                invoice_date = dt.date.fromisoformat(request.POST.get("invoice_date", ""))
            except ValueError:
                raise InputError(
                    gettext_lazy("Enter the invoice date."), field="invoice_date"
                ) from None
            invoicing.invoice_submit(
                actor=principal,
                number=number,
                supplier_number=request.POST.get("supplier_number", ""),
                invoice_date=invoice_date,
                lines=_invoice_lines(request, order),
                total=request.POST.get("total", ""),
            )

        done = _(
            "The invoice is sent. If it matches the order and the receipt, payment starts now."
        )
    else:
        raise InputError(gettext_lazy("Unknown action."), field="action")
    return perform(request, run, success=done, redirect_to=request.path)


@page
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_detail(principal=request.principal, number=number)
    if request.method == "POST":
        return _act(request, order, request.POST.get("action", ""))
    principal = request.principal
    for line in order.lines.all():
        line.due = line.quantity - line.accepted
    officer_here = principal.agency_id == order.agency_id
    return render(
        request,
        "procurement/order.html",
        {
            "order": order,
            "is_supplier": order.supplier.business_id in principal.business_ids,
            "may_inspect": officer_here and Role.INSPECTOR in principal.roles,
            "may_cancel": officer_here and Role.APPROVER in principal.roles,
            "today": timezone.localdate(),
        },
    )


@page
@require_GET
def order_pdf(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_detail(principal=request.principal, number=number)
    if order.document_id is None:
        raise InputError(gettext_lazy("This order has no document."), field="document")
    response = HttpResponse(document_pdf(order.document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@page
@require_GET
def inspections(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procurement/inspections.html",
        {"orders": selectors.inspection_queue(principal=request.principal)},
    )


@page
def invoice_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        invoice_id = request.POST.get("invoice", "")
        return perform(
            request,
            lambda: invoicing.invoice_payment_retry(
                actor=request.principal, invoice_id=int(invoice_id) if invoice_id.isdigit() else 0
            ),
            success=_("Payment started again."),
            redirect_to=request.path,
        )
    rows = selectors.invoices(principal=request.principal).order_by("-submitted_at")[:100]
    return render(
        request,
        "procurement/invoices.html",
        {"invoices": rows, "is_finance": Role.FINANCE in request.principal.roles},
    )
