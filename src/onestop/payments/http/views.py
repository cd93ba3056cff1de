"""Payments pages: a bill's Thai QR, payment orders and the reconciliation report."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onestop.core.errors import ApplicationError
from onestop.core.http.errors import error_response
from onestop.payments import selectors, services
from onestop.payments.domain.qr import qr_svg
from onestop.payments.models import Bill
from onestop.payments.policies import payer_accounts_visible_to


@require_GET
def bill_detail(request: HttpRequest, bill_id: str) -> HttpResponse:
    """A bill with its QR; htmx re-asks for the status part every few seconds until paid."""
    bill = get_object_or_404(Bill, pk=bill_id)
    template = (
        "payments/_bill_status.html"
        if request.headers.get("HX-Request")
        else ("payments/bill.html")
    )
    payload = services.bill_payload(bill)
    return render(request, template, {"bill": bill, "payload": payload, "qr": qr_svg(payload)})


@login_required
@require_GET
def payment_orders(request: HttpRequest) -> HttpResponse:
    try:
        visible = payer_accounts_visible_to(request.principal)
    except ApplicationError as error:
        return error_response(request, error)
    orders = selectors.payment_orders(payer_accounts=visible)[:200]
    return render(request, "payments/orders.html", {"orders": orders})


def _day(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


@login_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_from = _day(request.GET.get("from", ""), today - dt.timedelta(days=7))
    date_to = _day(request.GET.get("to", ""), today)
    try:
        visible = payer_accounts_visible_to(request.principal)
        report = selectors.reconciliation_report(
            date_from=timezone.make_aware(dt.datetime.combine(date_from, dt.time())),
            date_to=timezone.make_aware(
                dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
            ),
            payer_accounts=visible,
        )
    except ApplicationError as error:
        if error.status == 503:
            return render(
                request,
                "payments/reconciliation.html",
                {"error": error.text(), "date_from": date_from, "date_to": date_to},
                status=503,
            )
        return error_response(request, error)
    return render(
        request,
        "payments/reconciliation.html",
        {"report": report, "date_from": date_from, "date_to": date_to},
    )
