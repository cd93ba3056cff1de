"""Payment use cases: pay someone, bill someone, and apply what the bank reports."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from onestop.core import audit, money
from onestop.core.errors import ApplicationError, ConflictError, InputError, NotFoundError
from onestop.payments import gateway
from onestop.payments.domain.signing import SignatureError, verify
from onestop.payments.models import BankEvent, Bill, PaymentOrder

REF_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Payee:
    name: str
    method: str  # "promptpay" or "bank_account"
    promptpay_id: str = ""
    bank_code: str = ""
    account_number: str = ""


@dataclass(frozen=True)
class Settlement:
    """What the owner of a payment or bill learns when the bank reports on it."""

    source: str
    source_id: str
    paid: bool
    amount: Decimal
    bank_reference: str
    reason: str = ""


SETTLEMENT_HANDLERS: dict[str, Callable[[Settlement], None]] = {}


def register_settlement_handler(source: str, handler: Callable[[Settlement], None]) -> None:
    """An app that creates payments or bills with `source` is told of their outcome.

    Called from the app's AppConfig.ready(); the handler runs inside the transaction that
    records the bank's event, so both commit together.
    """
    SETTLEMENT_HANDLERS[source] = handler


def _notify(settlement: Settlement) -> None:
    handler = SETTLEMENT_HANDLERS.get(settlement.source)
    if handler is not None:
        handler(settlement)


class PaymentKeyReusedError(ConflictError):
    code = "payment_key_reused"
    message = _("A different payment was already ordered with the key %(key)s.")


class BadBankSignatureError(ApplicationError):
    code = "bad_signature"
    status = 401
    message = _("The bank callback's signature is not valid: %(reason)s.")


class UnknownPaymentError(NotFoundError):
    code = "unknown_payment"
    message = _("No payment or bill matches this bank event.")


class AmountMismatchError(ConflictError):
    code = "amount_mismatch"
    message = _("The bank reports %(found)s baht but %(expected)s baht was asked for.")


# Paying --------------------------------------------------------------------------------------


def _reference(prefix: str) -> str:
    day = timezone.localdate()
    return f"{prefix}-{day:%y%m%d}-{''.join(secrets.choice(REF_ALPHABET) for _ in range(8))}"


def _check_payee(payee: Payee) -> None:
    if payee.method == PaymentOrder.Method.PROMPTPAY:
        if not payee.promptpay_id.isdigit() or len(payee.promptpay_id) not in (10, 13, 15):
            raise InputError(
                _("A PromptPay ID is a phone number, national ID or tax ID."), field="promptpay_id"
            )
    elif payee.method == PaymentOrder.Method.BANK_ACCOUNT:
        if not payee.bank_code or not payee.account_number.isdigit():
            raise InputError(
                _("Give the bank and the account number (digits only)."), field="account_number"
            )
    else:
        raise InputError(_("Choose PromptPay or a bank account."), field="method")


def payment_order_create(
    *,
    actor: audit.Actor,
    source: str,
    source_id: str,
    idempotency_key: str,
    amount: Decimal,
    payer_name: str,
    payer_account: str,
    payee: Payee,
    description: str,
) -> PaymentOrder:
    """Order a payment; the bank is called by a task after this transaction commits.

    Idempotent: the same key with the same amount and payee returns the existing order.
    """
    from onestop.payments.tasks import payment_order_send_task

    amount = money.amount(amount)
    _check_payee(payee)
    with transaction.atomic():
        existing = PaymentOrder.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.amount != amount or existing.source_id != str(source_id):
                raise PaymentKeyReusedError(params={"key": idempotency_key})
            return existing
        order = PaymentOrder.objects.create(
            reference=_reference("PAY"),
            idempotency_key=idempotency_key,
            source=source,
            source_id=str(source_id),
            payer_name=payer_name,
            payer_account=payer_account,
            payee_name=payee.name,
            payee_method=payee.method,
            payee_promptpay_id=payee.promptpay_id,
            payee_bank_code=payee.bank_code,
            payee_account_number=payee.account_number,
            amount=amount,
            description=description[:255],
        )
        payment_order_send_task.enqueue(order_id=str(order.pk))
        audit.record(
            actor=actor,
            action="payments.order.create",
            obj=order,
            agency_code=payer_account,
            after={
                "reference": order.reference,
                "amount": amount,
                "payee": payee.name,
                "method": payee.method,
                "source": f"{source}:{source_id}",
            },
        )
    return order


def _bank_order(order: PaymentOrder) -> dict[str, Any]:
    payee: dict[str, str] = {"name": order.payee_name, "method": order.payee_method}
    if order.payee_method == PaymentOrder.Method.PROMPTPAY:
        payee["promptpay_id"] = order.payee_promptpay_id
    else:
        payee |= {"bank_code": order.payee_bank_code, "account_number": order.payee_account_number}
    return {
        "idempotency_key": order.idempotency_key,
        "reference": order.reference,
        "amount": f"{order.amount:.2f}",
        "currency": "THB",
        "payer": {"name": order.payer_name, "account": order.payer_account},
        "payee": payee,
        "description": order.description,
        "callback_url": f"{settings.ONESTOP_PUBLIC_URL}/api/payments/bank/callback",
    }


def payment_order_send(*, order_id: str) -> PaymentOrder:
    """Send a pending order to the bank (the bank is idempotent on the key, so resending is safe).

    Raises gateway.BankUnavailableError when the bank cannot be reached (the task retries).
    """
    order = PaymentOrder.objects.get(pk=order_id)
    if order.status != PaymentOrder.Status.PENDING:
        return order
    PaymentOrder.objects.filter(pk=order.pk).update(attempts=order.attempts + 1)
    try:
        answer = gateway.submit_payment_order(_bank_order(order))
    except gateway.BankUnavailableError as exc:
        PaymentOrder.objects.filter(pk=order.pk).update(last_error=str(exc)[:300])
        raise
    except gateway.BankRefusedError as exc:
        _apply_outcome(order, paid=False, bank_reference="", reason=str(exc))
        return PaymentOrder.objects.get(pk=order.pk)
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == PaymentOrder.Status.PENDING:
            order.status = PaymentOrder.Status.SENT
            order.bank_reference = answer.get("bank_reference", "")[:64]
            order.sent_at = timezone.now()
            order.last_error = ""
            order.save(update_fields=["status", "bank_reference", "sent_at", "last_error"])
    return order


def _apply_outcome(order: PaymentOrder, *, paid: bool, bank_reference: str, reason: str) -> None:
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.FAILED):
            return
        order.status = PaymentOrder.Status.PAID if paid else PaymentOrder.Status.FAILED
        order.bank_reference = bank_reference or order.bank_reference
        order.failure_reason = "" if paid else reason[:300]
        order.settled_at = timezone.now()
        order.save(update_fields=["status", "bank_reference", "failure_reason", "settled_at"])
        audit.record(
            actor=audit.SYSTEM,
            action="payments.order.paid" if paid else "payments.order.failed",
            obj=order,
            agency_code=order.payer_account,
            after={
                "status": order.status,
                "bank_reference": order.bank_reference,
                "reason": order.failure_reason,
            },
        )
        _notify(
            Settlement(
                order.source,
                order.source_id,
                paid,
                order.amount,
                order.bank_reference,
                order.failure_reason,
            )
        )


# Billing -------------------------------------------------------------------------------------


def bill_create(
    *,
    actor: audit.Actor,
    source: str,
    source_id: str,
    amount: Decimal,
    description: str,
    ref2: str = "",
) -> Bill:
    """Create a bill payable by Thai QR (bill payment); ref1 is generated and unique."""
    amount = money.amount(amount)
    with transaction.atomic():
        for _attempt in range(5):
            ref1 = "".join(secrets.choice(REF_ALPHABET) for _ in range(12))
            try:
                with transaction.atomic():
                    bill = Bill.objects.create(
                        biller_id=settings.ONESTOP_BILLER_ID,
                        ref1=ref1,
                        ref2=ref2.upper()[:20],
                        amount=amount,
                        description=description[:255],
                        source=source,
                        source_id=str(source_id),
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 36^12 references
            raise ConflictError()
        audit.record(
            actor=actor,
            action="payments.bill.create",
            obj=bill,
            after={"ref1": bill.ref1, "amount": amount, "source": f"{source}:{source_id}"},
        )
    return bill


def bill_payload(bill: Bill) -> str:
    """The Thai QR (EMVCo bill payment) payload of a bill."""
    from onestop.payments.domain.promptpay import bill_payment_payload

    return bill_payment_payload(
        biller_id=bill.biller_id, ref1=bill.ref1, ref2=bill.ref2, amount=bill.amount
    )


# The bank's callbacks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    status: int
    outcome: str


def bank_callback_receive(*, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
    """Verify and apply one bank callback; every callback is recorded, applied or refused.

    Acknowledge (200) only after the event is committed. A repeated event changes nothing.
    Raises BadBankSignatureError, UnknownPaymentError or AmountMismatchError when refused.
    """
    try:
        verify(settings.ONESTOP_BANK_WEBHOOK_SECRET, body, headers)
    except SignatureError as exc:
        _refuse(body, {}, f"signature: {exc}")
        raise BadBankSignatureError(params={"reason": str(exc)}) from None
    try:
        event = json.loads(body)
        if not isinstance(event, dict) or not event.get("event_id"):
            raise ValueError("no event_id")
    except ValueError as exc:
        _refuse(body, {}, f"malformed: {exc}")
        raise InputError(_("The callback is not a bank event."), field="body") from None
    try:
        with transaction.atomic():
            if BankEvent.objects.filter(
                event_id=event["event_id"], outcome=BankEvent.Outcome.APPLIED
            ).exists():
                _record(body, event, BankEvent.Outcome.DUPLICATE, "already applied")
                return CallbackResult(200, "duplicate")
            _apply_event(event)
            _record(body, event, BankEvent.Outcome.APPLIED, "")
    except ApplicationError as error:
        _refuse(body, event, f"{error.code}: {error.text('en')}")
        raise
    except IntegrityError:
        # The same event applied concurrently by another request: it is recorded once.
        return CallbackResult(200, "duplicate")
    return CallbackResult(200, "applied")


def _record(body: bytes, event: Mapping[str, Any], outcome: str, detail: str) -> None:
    BankEvent.objects.create(
        event_id=str(event.get("event_id", ""))[:100],
        type=str(event.get("type", ""))[:50],
        bank_reference=str(event.get("bank_reference", ""))[:64],
        outcome=outcome,
        detail=detail[:300],
        body=body.decode("utf-8", "replace")[:20000],
    )


def _refuse(body: bytes, event: Mapping[str, Any], detail: str) -> None:
    with transaction.atomic():
        _record(body, event, BankEvent.Outcome.REFUSED, detail)


def _event_amount(event: Mapping[str, Any]) -> Decimal:
    try:
        return money.amount(event.get("amount"), allow_zero=True)
    except ApplicationError:
        raise InputError(_("The bank event has no valid amount."), field="amount") from None


def _apply_event(event: Mapping[str, Any]) -> None:
    kind = event.get("type")
    if kind in ("payment_order.settled", "payment_order.failed"):
        order = (
            PaymentOrder.objects.select_for_update()
            .filter(idempotency_key=str(event.get("idempotency_key", "")))
            .first()
        )
        if order is None:
            raise UnknownPaymentError()
        found = _event_amount(event)
        if found != order.amount:
            raise AmountMismatchError(params={"found": found, "expected": order.amount})
        _apply_outcome(
            order,
            paid=kind == "payment_order.settled",
            bank_reference=str(event.get("bank_reference", "")),
            reason=str(event.get("reason", "")),
        )
    elif kind == "qr_payment.received":
        _apply_qr_payment(event)
    else:
        raise InputError(
            _("Unknown bank event type %(type)s."), field="type", params={"type": kind}
        )


def _apply_qr_payment(event: Mapping[str, Any]) -> None:
    bill = (
        Bill.objects.select_for_update()
        .filter(
            biller_id=str(event.get("biller_id", "")),
            ref1=str(event.get("ref1", "")),
            ref2=str(event.get("ref2", "") or ""),
        )
        .first()
    )
    if bill is None:
        raise UnknownPaymentError()
    found = _event_amount(event)
    if found != bill.amount:
        raise AmountMismatchError(params={"found": found, "expected": bill.amount})
    if bill.status == Bill.Status.PAID:
        return
    bill.status = Bill.Status.PAID
    bill.paid_at = parse_datetime(str(event.get("occurred_at", ""))) or timezone.now()
    bill.payer_name = str(event.get("payer_name", ""))[:255]
    bill.bank_reference = str(event.get("bank_reference", ""))[:64]
    bill.save(update_fields=["status", "paid_at", "payer_name", "bank_reference"])
    audit.record(
        actor=audit.SYSTEM,
        action="payments.bill.paid",
        obj=bill,
        after={"ref1": bill.ref1, "amount": bill.amount, "bank_reference": bill.bank_reference},
    )
    _notify(Settlement(bill.source, bill.source_id, True, bill.amount, bill.bank_reference))
