"""Payments API: the bank's callback, bill QR codes, payment orders and reconciliation."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from onestop.core.http.api import ErrorOut
from onestop.payments import selectors, services
from onestop.payments.domain.qr import qr_png
from onestop.payments.models import Bill
from onestop.payments.policies import payer_accounts_visible_to

router = Router(tags=["payments"])
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}


class CallbackOut(Schema):
    status: str
    outcome: str


class PaymentOrderOut(Schema):
    id: uuid.UUID
    reference: str
    payer_account: str
    payee_name: str
    payee_method: str
    amount: Decimal
    description: str
    status: str
    bank_reference: str
    failure_reason: str
    created_at: dt.datetime
    settled_at: dt.datetime | None


class BillOut(Schema):
    id: uuid.UUID
    biller_id: str
    ref1: str
    ref2: str
    amount: Decimal
    description: str
    status: str
    payload: str
    paid_at: dt.datetime | None


class ReconciliationQuery(Schema):
    date_from: dt.date = Field(..., alias="from")
    date_to: dt.date = Field(..., alias="to")


class ReconciliationRowOut(Schema):
    kind: str
    reference: str
    description: str
    platform_status: str | None
    bank_status: str | None
    platform_amount: Decimal | None
    bank_amount: Decimal | None
    bank_reference: str
    verdict: str


class ReconciliationOut(Schema):
    counts: dict[str, int]
    rows: list[ReconciliationRowOut]


@router.post(
    "/payments/bank/callback",
    auth=None,
    response={200: CallbackOut, **ERRORS},
    summary="The bank reports a settled or failed payment, or a QR payment (HMAC-signed)",
)
def bank_callback(request: HttpRequest):
    """Signed with BANK_WEBHOOK_SECRET (docs/bank-protocol.md). Answered only once recorded."""
    result = services.bank_callback_receive(body=request.body, headers=request.headers)
    return {"status": "ok", "outcome": result.outcome}


@router.get(
    "/payments/bills/{bill_id}",
    auth=None,
    response={200: BillOut, **ERRORS},
    summary="A bill and its Thai QR payload (the id is the secret)",
)
def bill_detail(request: HttpRequest, bill_id: uuid.UUID):
    bill = get_object_or_404(Bill, pk=bill_id)
    return {
        **{
            f: getattr(bill, f)
            for f in (
                "id",
                "biller_id",
                "ref1",
                "ref2",
                "amount",
                "description",
                "status",
                "paid_at",
            )
        },
        "payload": services.bill_payload(bill),
    }


@router.get(
    "/payments/bills/{bill_id}/qr.png",
    auth=None,
    response={200: None, **ERRORS},
    summary="A bill's Thai QR image",
)
def bill_qr(request: HttpRequest, bill_id: uuid.UUID):
    bill = get_object_or_404(Bill, pk=bill_id)
    response = HttpResponse(qr_png(services.bill_payload(bill)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.get(
    "/payments/orders",
    response={200: list[PaymentOrderOut], **ERRORS},
    summary="Payment orders (finance officers: their agency's)",
)
def payment_order_list(request: HttpRequest, limit: int = 100):
    visible = payer_accounts_visible_to(request.principal)
    return list(selectors.payment_orders(payer_accounts=visible)[: max(1, min(limit, 500))])


@router.get(
    "/payments/reconciliation",
    response={200: ReconciliationOut, **ERRORS},
    summary="What the bank says against what the platform says, for a period",
)
def reconciliation(request: HttpRequest, query: Query[ReconciliationQuery]):
    visible = payer_accounts_visible_to(request.principal)
    report = selectors.reconciliation_report(
        date_from=_start(query.date_from),
        date_to=_start(query.date_to + dt.timedelta(days=1)),
        payer_accounts=visible,
    )
    return {"counts": report.counts, "rows": report.rows}


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
