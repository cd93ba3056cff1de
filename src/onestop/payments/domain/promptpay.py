"""Thai QR Payment payloads (EMVCo merchant-presented mode): PromptPay and bill payment.

A payload is a run of fields, each a two-digit tag, a two-digit length and the value:

    00 02 01                  payload format indicator, always first
    01 02 11 | 12             point of initiation: 11 static (reusable), 12 dynamic (one amount)
    29 .. <template>          PromptPay credit transfer: 00 AID A000000677010111, then one of
                              01 mobile ("0066" + nine digits), 02 national or tax ID, 03 e-wallet
    30 .. <template>          bill payment: 00 AID A000000677010112, 01 biller ID, 02 ref1, 03 ref2
    53 03 764                 currency (ISO 4217 numeric, THB)
    54 .. 1234.50             amount, two decimals, at most 13 characters
    58 02 TH                  country
    63 04 ABCD                CRC-16/CCITT-FALSE of everything before it, "6304" included

Fields between the first and the CRC may come in any order; this module writes them in
ascending tag order and reads them in any order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

PROMPTPAY_AID = "A000000677010111"
BILL_PAYMENT_AID = "A000000677010112"
CURRENCY_THB = "764"
COUNTRY_TH = "TH"
STATIC = "11"
DYNAMIC = "12"
CRC_HEADER = "6304"
MAX_AMOUNT = Decimal("9999999999.99")  # the longest value the 13-character amount field holds
CENT = Decimal("0.01")

# PromptPay target kinds by length, and the sub-tag of tag 29 each one uses.
TARGET_KINDS = {10: "mobile", 13: "national_id", 15: "ewallet"}
TARGET_SUBTAGS = {"mobile": "01", "national_id": "02", "ewallet": "03"}
# A mobile number is written as "0066" and nine digits: 13 characters.
PROXY_LENGTHS = {"mobile": 13, "national_id": 13, "ewallet": 15}

REFERENCE = re.compile(r"[A-Z0-9]+")
AMOUNT_TEXT = re.compile(r"\d+(\.\d{1,2})?")
HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class PayloadError(ValueError):
    """A Thai QR payload, or a value meant for one, is not valid; the message says what is wrong."""


@dataclass(frozen=True)
class ParsedPayload:
    """What a Thai QR payload says.

    `kind` is "promptpay" (tag 29: `target` and `target_type` are set) or "bill_payment"
    (tag 30: `biller_id`, `ref1` and `ref2` are set). A mobile target is given back in its local
    form ("0812345678"). `currency` is the ISO 4217 numeric code ("764" for THB); `amount` is
    None when the payer types the amount.
    """

    kind: str
    dynamic: bool
    currency: str
    country: str
    amount: Decimal | None = None
    target: str = ""
    target_type: str = ""
    biller_id: str = ""
    ref1: str = ""
    ref2: str = ""


# CRC and fields -------------------------------------------------------------------------------


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def checksum(text: str) -> str:
    """The CRC of a payload's text as four upper-case hexadecimal digits."""
    return f"{crc16_ccitt(text.encode('utf-8')):04X}"


def field(tag: str, value: str) -> str:
    """One TLV field: the tag, the value's length in two digits, the value."""
    if not 1 <= len(value) <= 99:
        raise PayloadError(f"Field {tag} must hold 1 to 99 characters, not {len(value)}.")
    return f"{tag}{len(value):02d}{value}"


# Building -------------------------------------------------------------------------------------


def target_type(target: str) -> str:
    """Say which kind of PromptPay target this is: "mobile", "national_id" or "ewallet".

    A mobile number has 10 digits and starts with 0; a national ID or a tax ID has 13 digits;
    an e-wallet ID has 15. Raises PayloadError for anything else.
    """
    if not isinstance(target, str) or not target:
        raise PayloadError(
            "A PromptPay target is required: a mobile number, a national or tax ID, "
            "or an e-wallet ID."
        )
    if not (target.isascii() and target.isdigit()):
        raise PayloadError(
            f"A PromptPay target must contain digits only (no spaces, dashes or letters): "
            f"{target!r}."
        )
    kind = TARGET_KINDS.get(len(target))
    if kind is None:
        raise PayloadError(
            "A PromptPay target must be a 10-digit mobile number, a 13-digit national or tax ID, "
            f"or a 15-digit e-wallet ID; {target!r} has {len(target)} digits."
        )
    if kind == "mobile" and not target.startswith("0"):
        raise PayloadError(f"A 10-digit PromptPay mobile number must start with 0: {target!r}.")
    return kind


def format_amount(amount: Decimal | int) -> str:
    """The amount as the payload writes it ("1234.50"); raises PayloadError when it cannot be paid."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise PayloadError(
            f"An amount must be a Decimal (or a whole number), not {type(amount).__name__}: "
            f"{amount!r}."
        )
    value = Decimal(amount)
    if not value.is_finite():
        raise PayloadError(f"An amount must be a finite number, not {value}.")
    if value < 0:
        raise PayloadError(f"An amount cannot be negative: {value}.")
    if value == 0:
        raise PayloadError(
            "An amount must be more than zero; leave it out for a QR in which the payer types "
            "the amount."
        )
    if value > MAX_AMOUNT:
        raise PayloadError(
            f"An amount must fit the 13-character amount field (at most {MAX_AMOUNT}): {value}."
        )
    if value != value.quantize(CENT):
        raise PayloadError(f"An amount has at most two decimal places (satang): {value}.")
    return str(value.quantize(CENT))


def promptpay_payload(*, target: str, amount: Decimal | None = None) -> str:
    """The payload of a PromptPay credit transfer QR to a mobile number, national/tax ID or e-wallet.

    Without an amount the QR is static (the payer types the amount); with one it is dynamic.
    Raises PayloadError for a bad target or amount.
    """
    kind = target_type(target)
    proxy = "0066" + target[1:] if kind == "mobile" else target
    account = field("00", PROMPTPAY_AID) + field(TARGET_SUBTAGS[kind], proxy)
    return _assemble(field("29", account), amount)


def bill_payment_payload(
    *, biller_id: str, ref1: str, ref2: str = "", amount: Decimal | None = None
) -> str:
    """The payload of a bill payment QR (tag 30) for a biller and the bill's references.

    `biller_id` is 15 digits (the biller's 13-digit tax ID and a 2-digit suffix); `ref1` (required)
    and `ref2` are upper-case letters and digits, at most 20 each. Raises PayloadError.
    """
    _check_biller_id(biller_id)
    _check_reference("ref1", ref1, required=True)
    _check_reference("ref2", ref2, required=False)
    account = field("00", BILL_PAYMENT_AID) + field("01", biller_id) + field("02", ref1)
    if ref2:
        account += field("03", ref2)
    return _assemble(field("30", account), amount)


def _assemble(merchant_account: str, amount: Decimal | None) -> str:
    amount_text = None if amount is None else format_amount(amount)
    parts = [
        field("00", "01"),
        field("01", STATIC if amount_text is None else DYNAMIC),
        merchant_account,
        field("53", CURRENCY_THB),
    ]
    if amount_text is not None:
        parts.append(field("54", amount_text))
    parts.append(field("58", COUNTRY_TH))
    body = "".join(parts) + CRC_HEADER
    return body + checksum(body)


def _check_biller_id(biller_id: str) -> None:
    if not isinstance(biller_id, str) or not (biller_id.isascii() and biller_id.isdigit()):
        raise PayloadError(f"A biller ID must contain digits only: {biller_id!r}.")
    if len(biller_id) != 15:
        raise PayloadError(
            "A biller ID must be 15 digits (the biller's 13-digit tax ID and a 2-digit suffix); "
            f"{biller_id!r} has {len(biller_id)}."
        )


def _check_reference(name: str, value: str, *, required: bool) -> None:
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text, not {type(value).__name__}.")
    if not value:
        if required:
            raise PayloadError(f"{name} is required: the reference that identifies the bill.")
        return
    if len(value) > 20:
        raise PayloadError(f"{name} has {len(value)} characters; at most 20 fit: {value!r}.")
    if not (value.isascii() and REFERENCE.fullmatch(value)):
        raise PayloadError(
            f"{name} may contain only upper-case letters A-Z and digits 0-9, not {value!r}."
        )


# Parsing --------------------------------------------------------------------------------------


def parse_payload(payload: str) -> ParsedPayload:
    """Read a Thai QR payload (PromptPay or bill payment) after checking its CRC and structure.

    Raises PayloadError naming what is wrong: a damaged or changed payload (CRC), a broken field,
    a missing mandatory field, or a QR that is neither PromptPay nor a bill payment.
    """
    if not isinstance(payload, str) or not payload:
        raise PayloadError("The QR payload is empty.")
    _check_crc(payload)
    fields = read_fields(payload, "the payload")
    _check_envelope(fields)
    common = {
        "dynamic": fields.get("01") == DYNAMIC,
        "currency": fields["53"],
        "country": fields["58"],
        "amount": _parse_amount(fields.get("54")),
    }
    has_promptpay, has_bill = "29" in fields, "30" in fields
    if has_promptpay and has_bill:
        raise PayloadError(
            "The payload has both a PromptPay account (tag 29) and a bill payment account "
            "(tag 30); a Thai QR payment has one."
        )
    if has_promptpay:
        target, kind = _promptpay_account(fields["29"])
        return ParsedPayload(kind="promptpay", target=target, target_type=kind, **common)
    if has_bill:
        biller_id, ref1, ref2 = _bill_payment_account(fields["30"])
        return ParsedPayload(
            kind="bill_payment", biller_id=biller_id, ref1=ref1, ref2=ref2, **common
        )
    raise PayloadError(
        "The payload has no PromptPay account (tag 29) and no bill payment account (tag 30); "
        "it is not a Thai QR payment."
    )


def read_fields(text: str, where: str) -> dict[str, str]:
    """Split TLV text into {tag: value}, in order; raises PayloadError on a broken or repeated field."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4:
            raise PayloadError(
                f"In {where}, the field at position {position} is cut short: {header!r}."
            )
        tag, length = header[:2], header[2:]
        if not (tag.isascii() and tag.isdigit()):
            raise PayloadError(
                f"In {where}, the tag at position {position} must be two digits, not {tag!r}."
            )
        if not (length.isascii() and length.isdigit()) or length == "00":
            raise PayloadError(
                f"In {where}, field {tag} at position {position} must give its length as two "
                f"digits from 01 to 99, not {length!r}."
            )
        value = text[position + 4 : position + 4 + int(length)]
        if len(value) < int(length):
            raise PayloadError(
                f"In {where}, field {tag} at position {position} declares {int(length)} "
                f"characters but only {len(value)} remain."
            )
        if tag in fields:
            raise PayloadError(f"In {where}, field {tag} appears twice.")
        fields[tag] = value
        position += 4 + int(length)
    return fields


def _check_crc(payload: str) -> None:
    crc_field = payload[-8:]
    if len(payload) < 14 or not crc_field.startswith(CRC_HEADER):
        raise PayloadError(
            "The payload must end with its CRC field: '6304' followed by four hexadecimal digits."
        )
    stated = crc_field[4:]
    if not HEX4.fullmatch(stated):
        raise PayloadError(f"The CRC must be four hexadecimal digits, not {stated!r}.")
    computed = checksum(payload[:-4])
    if stated.upper() != computed:
        raise PayloadError(
            f"The CRC does not match: the payload says {stated.upper()} but its content gives "
            f"{computed}; the payload is damaged or was changed."
        )


def _check_envelope(fields: dict[str, str]) -> None:
    tags = list(fields)
    if tags[0] != "00" or fields["00"] != "01":
        raise PayloadError(
            "The payload must start with the payload format indicator '000201' (EMVCo QR)."
        )
    if tags[-1] != "63":
        raise PayloadError("The CRC field (tag 63) must be the last field of the payload.")
    if fields.get("01", STATIC) not in (STATIC, DYNAMIC):
        raise PayloadError(
            "Field 01 (point of initiation) must be 11 (static) or 12 (dynamic), "
            f"not {fields['01']!r}."
        )
    currency = fields.get("53")
    if currency is None or not (len(currency) == 3 and currency.isascii() and currency.isdigit()):
        raise PayloadError(
            "Field 53 (transaction currency) must be a 3-digit ISO 4217 code such as 764 (THB), "
            f"not {currency!r}."
        )
    country = fields.get("58")
    if country is None or not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise PayloadError(
            f"Field 58 (country) must be a 2-letter country code such as TH, not {country!r}."
        )


def _parse_amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    if not (text.isascii() and AMOUNT_TEXT.fullmatch(text)) or len(text) > 13:
        raise PayloadError(
            "Field 54 (amount) must be a number with at most two decimals and 13 characters, "
            f"like 1234.50, not {text!r}."
        )
    return Decimal(text).quantize(CENT)


def _promptpay_account(value: str) -> tuple[str, str]:
    """The target and its kind from the PromptPay template (tag 29)."""
    sub = read_fields(value, "tag 29 (PromptPay account)")
    if sub.get("00") != PROMPTPAY_AID:
        raise PayloadError(
            f"Tag 29 must carry the PromptPay application ID {PROMPTPAY_AID}, "
            f"not {sub.get('00')!r}."
        )
    found = [kind for kind, subtag in TARGET_SUBTAGS.items() if subtag in sub]
    if len(found) != 1:
        raise PayloadError(
            "Tag 29 must hold exactly one PromptPay target: a mobile number (01), a national or "
            "tax ID (02) or an e-wallet ID (03)."
        )
    kind = found[0]
    proxy = sub[TARGET_SUBTAGS[kind]]
    expected = PROXY_LENGTHS[kind]
    if not (proxy.isascii() and proxy.isdigit() and len(proxy) == expected):
        raise PayloadError(
            f"The PromptPay {kind.replace('_', ' ')} in tag 29 must be {expected} digits, "
            f"not {proxy!r}."
        )
    if kind == "mobile" and proxy.startswith("0066"):
        return "0" + proxy[4:], kind
    return proxy, kind


def _bill_payment_account(value: str) -> tuple[str, str, str]:
    """The biller ID, ref1 and ref2 from the bill payment template (tag 30)."""
    sub = read_fields(value, "tag 30 (bill payment account)")
    if sub.get("00") != BILL_PAYMENT_AID:
        raise PayloadError(
            f"Tag 30 must carry the bill payment application ID {BILL_PAYMENT_AID}, "
            f"not {sub.get('00')!r}."
        )
    biller_id = sub.get("01", "")
    if not (biller_id.isascii() and biller_id.isdigit() and len(biller_id) <= 15):
        raise PayloadError(
            f"Tag 30 must hold the biller ID (sub-tag 01, up to 15 digits), not {biller_id!r}."
        )
    if "02" not in sub:
        raise PayloadError("Tag 30 must hold ref1 (sub-tag 02), the reference of the bill.")
    return biller_id, sub["02"], sub.get("03", "")
