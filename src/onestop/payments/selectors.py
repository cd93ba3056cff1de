"""Reads of payments, and the reconciliation of what the bank says against what the platform says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ApplicationError
from onestop.payments import gateway
from onestop.payments.models import Bill, PaymentOrder

SLACK = dt.timedelta(days=1)


class BankUnreachableError(ApplicationError):
    code = "bank_unavailable"
    status = 503
    message = _("The bank cannot be reached right now (%(detail)s). Try again in a few minutes.")


@dataclass(frozen=True)
class ReconciliationRow:
    kind: str  # payment_order or qr_payment
    reference: str
    description: str
    platform_status: str | None
    bank_status: str | None
    platform_amount: Decimal | None
    bank_amount: Decimal | None
    bank_reference: str
    verdict: str  # matched, amount_differs, status_differs, bank_only, platform_only


@dataclass
class ReconciliationReport:
    date_from: dt.datetime
    date_to: dt.datetime
    rows: list[ReconciliationRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for row in self.rows:
            result[row.verdict] = result.get(row.verdict, 0) + 1
        return result

    @property
    def problems(self) -> list[ReconciliationRow]:
        return [row for row in self.rows if row.verdict != "matched"]


def payment_orders(*, payer_accounts: Iterable[str] | None = None) -> QuerySet[PaymentOrder]:
    """Payment orders, newest first; only these payers' when given (an agency's finance officer)."""
    orders = PaymentOrder.objects.all()
    if payer_accounts is not None:
        orders = orders.filter(payer_account__in=list(payer_accounts))
    return orders.order_by("-created_at")


def _order_verdict(order: PaymentOrder, txn: dict | None) -> str:
    if txn is None:
        return "platform_only"
    if Decimal(txn["amount"]) != order.amount:
        return "amount_differs"
    bank_paid = txn.get("status") == "settled"
    platform_paid = order.status == PaymentOrder.Status.PAID
    bank_failed = txn.get("status") == "failed"
    platform_failed = order.status == PaymentOrder.Status.FAILED
    return (
        "matched"
        if (bank_paid and platform_paid) or (bank_failed and platform_failed)
        else ("status_differs")
    )


def reconciliation_report(
    *, date_from: dt.datetime, date_to: dt.datetime, payer_accounts: Iterable[str] | None = None
) -> ReconciliationReport:
    """Compare the bank's statement for a period with the platform's orders and paid bills.

    Raises BankUnreachableError when the bank cannot be asked.
    """
    try:
        bank = gateway.statements(date_from - SLACK, date_to + SLACK)
    except (gateway.BankUnavailableError, gateway.BankRefusedError) as exc:
        raise BankUnreachableError(params={"detail": str(exc)[:100]}) from None
    report = ReconciliationReport(date_from, date_to)
    in_period = Q(created_at__gte=date_from, created_at__lt=date_to)
    orders = (
        payment_orders(payer_accounts=payer_accounts)
        .filter(in_period)
        .exclude(status=PaymentOrder.Status.PENDING)
    )
    by_key = {txn.get("idempotency_key"): txn for txn in bank if txn.get("type") == "payment_order"}
    seen_keys = set()
    for order in orders:
        txn = by_key.get(order.idempotency_key)
        seen_keys.add(order.idempotency_key)
        report.rows.append(
            _row(
                "payment_order",
                order.reference,
                order.description,
                order.status,
                order.amount,
                txn,
                _order_verdict(order, txn),
            )
        )
    if payer_accounts is None:
        report.rows += _bills(bank, date_from, date_to)
        for txn in bank:
            if (
                txn.get("type") == "payment_order"
                and txn.get("idempotency_key") not in seen_keys
                and _within(txn, date_from, date_to)
                and not PaymentOrder.objects.filter(idempotency_key=txn.get("idempotency_key"))
                .exclude(in_period)
                .exists()
            ):
                report.rows.append(
                    _row(
                        "payment_order",
                        txn.get("idempotency_key", ""),
                        "",
                        None,
                        None,
                        txn,
                        "bank_only",
                    )
                )
    return report


def _within(txn: dict, date_from: dt.datetime, date_to: dt.datetime) -> bool:
    settled = dt.datetime.fromisoformat(txn["settled_at"]) if txn.get("settled_at") else None
    return settled is not None and date_from <= settled < date_to


def _bills(
    bank: list[dict], date_from: dt.datetime, date_to: dt.datetime
) -> list[ReconciliationRow]:
    rows = []
    bills = {
        (bill.biller_id, bill.ref1, bill.ref2): bill
        for bill in Bill.objects.filter(
            Q(paid_at__gte=date_from, paid_at__lt=date_to) | Q(status=Bill.Status.OPEN)
        )
    }
    matched = set()
    for txn in bank:
        if txn.get("type") != "qr_payment" or not _within(txn, date_from, date_to):
            continue
        key = (txn.get("biller_id", ""), txn.get("ref1", ""), txn.get("ref2", "") or "")
        bill = bills.get(key)
        if bill is None:
            rows.append(_row("qr_payment", "/".join(key[1:]), "", None, None, txn, "bank_only"))
            continue
        matched.add(key)
        verdict = "matched"
        if Decimal(txn["amount"]) != bill.amount:
            verdict = "amount_differs"
        elif bill.status != Bill.Status.PAID:
            verdict = "status_differs"
        rows.append(
            _row("qr_payment", bill.ref1, bill.description, bill.status, bill.amount, txn, verdict)
        )
    for key, bill in bills.items():
        if key not in matched and bill.status == Bill.Status.PAID:
            rows.append(
                _row(
                    "qr_payment",
                    bill.ref1,
                    bill.description,
                    bill.status,
                    bill.amount,
                    None,
                    "platform_only",
                )
            )
    return rows


def _row(kind, reference, description, status, amount, txn, verdict) -> ReconciliationRow:
    return ReconciliationRow(
        kind=kind,
        reference=reference,
        description=description,
        platform_status=status,
        bank_status=txn.get("status") if txn else None,
        platform_amount=amount,
        bank_amount=Decimal(txn["amount"]) if txn else None,
        bank_reference=txn.get("bank_reference", "") if txn else "",
        verdict=verdict,
    )
