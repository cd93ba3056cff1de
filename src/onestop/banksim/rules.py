"""What the sandbox accepts and how it decides: request checks, failure rules, events, statements.

Pure functions over plain data; the ASGI app stores what they return.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from onestop.payments.domain.promptpay import PayloadError, parse_payload, target_type

BANGKOK = timezone(timedelta(hours=7), "ICT")
STRICT_AMOUNT = re.compile(r"\d{1,10}\.\d{2}")
LENIENT_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")
CLOSED_ACCOUNT = "0000000000"
UNREGISTERED_PROMPTPAY_SUFFIX = "0000"


class InvalidRequestError(ValueError):
    """A request the sandbox cannot accept (HTTP 422); `field` names the part at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PaymentOrder:
    """A checked payment order (POST /v1/payment-orders)."""

    idempotency_key: str
    reference: str
    amount: str
    payee_name: str
    payee_method: str
    promptpay_id: str
    bank_code: str
    account_number: str
    callback_url: str


@dataclass(frozen=True)
class QrPayment:
    """A checked QR payment (POST /v1/qr-payments): what the QR asks for and who pays."""

    biller_id: str
    ref1: str
    ref2: str
    amount: str
    payer_name: str


def iso(epoch: float) -> str:
    """A unix time as ISO 8601 in Thai time, e.g. 2026-11-25T14:05:00+07:00."""
    return datetime.fromtimestamp(epoch, BANGKOK).isoformat(timespec="seconds")


def new_bank_reference() -> str:
    """A fresh bank reference, e.g. BSIM-3FA2C19B04DE."""
    return "BSIM-" + secrets.token_hex(6).upper()


def new_event_id() -> str:
    """A fresh callback event ID."""
    return "evt_" + secrets.token_hex(12)


# Requests ------------------------------------------------------------------------------------


def payment_order_from(data: Any, *, default_callback_url: str) -> PaymentOrder:
    """Check a payment order's JSON; raises InvalidRequestError naming the first field at fault."""
    if not isinstance(data, dict):
        raise InvalidRequestError("The body must be a JSON object.", "body")
    key = _text(data, "idempotency_key", max_length=200)
    reference = _text(data, "reference", max_length=100)
    amount = parse_amount(data.get("amount"), "amount")
    if data.get("currency", "THB") != "THB":
        raise InvalidRequestError("The sandbox pays in THB only.", "currency")
    _optional(data, "payer", dict)
    _optional(data, "description", str)
    payee = data.get("payee")
    if not isinstance(payee, dict):
        raise InvalidRequestError("payee must be an object with name and method.", "payee")
    name = _text(payee, "name", max_length=200, prefix="payee.")
    method = payee.get("method")
    promptpay_id = bank_code = account_number = ""
    if method == "promptpay":
        promptpay_id = _promptpay_id(payee.get("promptpay_id"))
    elif method == "bank_account":
        bank_code, account_number = _bank_account(payee)
    else:
        raise InvalidRequestError(
            f"payee.method must be 'promptpay' or 'bank_account', not {method!r}.", "payee.method"
        )
    callback_url = _callback_url(data.get("callback_url"), default_callback_url)
    return PaymentOrder(
        idempotency_key=key,
        reference=reference,
        amount=amount,
        payee_name=name,
        payee_method=method,
        promptpay_id=promptpay_id,
        bank_code=bank_code,
        account_number=account_number,
        callback_url=callback_url,
    )


def qr_payment_from(data: Any) -> QrPayment:
    """Check a QR payment: the payload (CRC included), the amount, the payer's name."""
    if not isinstance(data, dict):
        raise InvalidRequestError("The body must be a JSON object.", "body")
    payload = data.get("payload")
    if not isinstance(payload, str) or not payload.strip():
        raise InvalidRequestError("payload is required: the text of the QR code.", "payload")
    try:
        parsed = parse_payload(payload.strip())
    except PayloadError as error:
        raise InvalidRequestError(str(error), "payload") from None
    if parsed.kind != "bill_payment":
        raise InvalidRequestError(
            "The sandbox pays bill payment QR codes (tag 30) only; this one is a PromptPay "
            "transfer to a person.",
            "payload",
        )
    if parsed.currency != "764":
        raise InvalidRequestError(
            f"The QR asks for currency {parsed.currency}; the sandbox pays THB (764) only.",
            "payload",
        )
    return QrPayment(
        biller_id=parsed.biller_id,
        ref1=parsed.ref1,
        ref2=parsed.ref2,
        amount=_qr_amount(parsed.amount, data.get("amount")),
        payer_name=_payer_name(data.get("payer_name")),
    )


def parse_amount(value: Any, field: str, *, lenient: bool = False) -> str:
    """An amount string with two decimals ("1234.50"), more than zero.

    `lenient` also takes "500" and "500.5" (what a person types) and writes them with two decimals.
    """
    pattern = LENIENT_AMOUNT if lenient else STRICT_AMOUNT
    if not isinstance(value, str) or not value.isascii() or not pattern.fullmatch(value):
        raise InvalidRequestError(
            f'{field} must be a string with two decimals, like "1234.50", not {value!r}.', field
        )
    whole, _, fraction = value.partition(".")
    amount = f"{int(whole)}.{fraction.ljust(2, '0')}"
    if amount == "0.00":
        raise InvalidRequestError(f"{field} must be more than zero.", field)
    return amount


def _qr_amount(from_qr: Any, from_body: Any) -> str:
    if from_qr is not None:
        if from_qr <= 0:
            raise InvalidRequestError("The QR's amount must be more than zero.", "payload")
        return str(from_qr)
    if from_body is None or from_body == "":
        raise InvalidRequestError(
            'This QR has no amount: give the amount to pay, like "500.00".', "amount"
        )
    return parse_amount(from_body, "amount", lenient=True)


def _payer_name(value: Any) -> str:
    if value is None or value == "":
        return "Sandbox customer"
    if not isinstance(value, str) or len(value) > 200:
        raise InvalidRequestError(
            "payer_name must be text of at most 200 characters.", "payer_name"
        )
    return value.strip() or "Sandbox customer"


def _text(data: Mapping[str, Any], name: str, *, max_length: int, prefix: str = "") -> str:
    value = data.get(name)
    field = prefix + name
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{field} is required (a non-empty string).", field)
    if len(value) > max_length:
        raise InvalidRequestError(f"{field} is longer than {max_length} characters.", field)
    return value


def _optional(data: Mapping[str, Any], name: str, kind: type) -> None:
    if name in data and data[name] is not None and not isinstance(data[name], kind):
        expected = "an object" if kind is dict else "a string"
        raise InvalidRequestError(f"{name} must be {expected}.", name)


def _promptpay_id(value: Any) -> str:
    field = "payee.promptpay_id"
    if not isinstance(value, str):
        raise InvalidRequestError(
            f"{field} is required for method promptpay: a phone number, national or tax ID.", field
        )
    try:
        target_type(value)
    except PayloadError as error:
        raise InvalidRequestError(str(error), field) from None
    return value


def _bank_account(payee: Mapping[str, Any]) -> tuple[str, str]:
    bank_code = payee.get("bank_code")
    if not isinstance(bank_code, str) or not re.fullmatch(r"[0-9]{3}", bank_code):
        raise InvalidRequestError(
            f'payee.bank_code must be the 3-digit code of a Thai bank, like "014", not '
            f"{bank_code!r}.",
            "payee.bank_code",
        )
    account = payee.get("account_number")
    if not isinstance(account, str) or not re.fullmatch(r"[0-9]{10,15}", account):
        raise InvalidRequestError(
            f"payee.account_number must be 10 to 15 digits, not {account!r}.",
            "payee.account_number",
        )
    return bank_code, account


def _callback_url(value: Any, default: str) -> str:
    if value is None or value == "":
        return default
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRequestError(
            f"callback_url must be an http(s) URL, not {value!r}.", "callback_url"
        )
    return value


def parse_moment(value: str | None, field: str) -> float | None:
    """A statement bound (ISO 8601 with a time zone) as unix time; None when not given."""
    if value is None or value == "":
        return None
    # An unencoded "+" in a query string arrives as a space: "…14:05:00 07:00".
    repaired = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value)
    try:
        moment = datetime.fromisoformat(repaired)
    except ValueError:
        raise InvalidRequestError(
            f"{field} must be an ISO 8601 date and time, like 2026-11-25T14:05:00+07:00, "
            f"not {value!r}.",
            field,
        ) from None
    if moment.tzinfo is None:
        raise InvalidRequestError(f"{field} must include a time zone, like +07:00.", field)
    return moment.timestamp()


# The bank's decisions and what it reports -----------------------------------------------------


def failure_reason(order: Mapping[str, Any]) -> str:
    """Why the sandbox fails this order, or "" when it settles.

    An account number 0000000000 is a closed account; a PromptPay ID ending in 0000 is not
    registered. Tests use these to exercise failures.
    """
    if order["payee_method"] == "bank_account" and order["account_number"] == CLOSED_ACCOUNT:
        return "account closed"
    if order["payee_method"] == "promptpay" and order["promptpay_id"].endswith(
        UNREGISTERED_PROMPTPAY_SUFFIX
    ):
        return "PromptPay ID not registered"
    return ""


def order_event(order: Mapping[str, Any], *, reason: str, occurred_at: str) -> dict[str, str]:
    """The payment_order.settled (or .failed, with a reason) callback of an order."""
    event = {
        "event_id": new_event_id(),
        "type": "payment_order.failed" if reason else "payment_order.settled",
        "bank_reference": order["bank_reference"],
        "idempotency_key": order["idempotency_key"],
        "amount": order["amount"],
        "occurred_at": occurred_at,
    }
    if reason:
        event["reason"] = reason
    return event


def qr_event(bank_reference: str, payment: QrPayment, *, occurred_at: str) -> dict[str, str]:
    """The qr_payment.received callback of a QR payment."""
    return {
        "event_id": new_event_id(),
        "type": "qr_payment.received",
        "bank_reference": bank_reference,
        "amount": payment.amount,
        "biller_id": payment.biller_id,
        "ref1": payment.ref1,
        "ref2": payment.ref2,
        "payer_name": payment.payer_name,
        "occurred_at": occurred_at,
    }


def statement_entry(row: sqlite3.Row | Mapping[str, Any]) -> dict[str, str]:
    """One transaction as GET /v1/statements lists it."""
    entry = {
        "bank_reference": row["bank_reference"],
        "type": row["type"],
        "status": row["status"],
        "amount": row["amount"],
    }
    if row["type"] == "payment_order":
        entry["idempotency_key"] = row["idempotency_key"]
        entry["reference"] = row["reference"]
        if row["failure_reason"]:
            entry["reason"] = row["failure_reason"]
    else:
        entry.update(biller_id=row["biller_id"], ref1=row["ref1"], ref2=row["ref2"])
    entry["settled_at"] = row["settled_at"]
    return entry


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt: 1, 2, 4, 8 ... at most 60."""
    return float(min(2 ** (attempts - 1), 60))
