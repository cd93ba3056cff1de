"""Thai QR payloads: published vectors, round trips, and every refusal."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.payments.domain.promptpay import (
    MAX_AMOUNT,
    ParsedPayload,
    PayloadError,
    bill_payment_payload,
    checksum,
    crc16_ccitt,
    field,
    parse_payload,
    promptpay_payload,
    read_fields,
    target_type,
)

# Published vectors ------------------------------------------------------------------------------

# Payloads that this builder must reproduce character for character (same field order: ascending
# tags; static without an amount, dynamic with one).
BUILT = [
    # pheerathach/promptpay, src/test/java/com/github/pheerathach/ThaiQRPromptPayTest.java
    # (each test there asserts the payload piece by piece; these are the pieces joined).
    (
        {"target": "0000000000"},
        "00020101021129370016A0000006770101110113006600000000053037645802TH630456EA",
    ),
    (
        {"target": "0000000000", "amount": Decimal("100")},
        "00020101021229370016A0000006770101110113006600000000053037645406100.005802TH630471B5",
    ),
    (
        {"target": "0000000000001"},
        "00020101021129370016A0000006770101110213000000000000153037645802TH630484B2",
    ),
    (
        {"target": "0000000000001", "amount": Decimal("100")},
        "00020101021229370016A0000006770101110213000000000000153037645406100.005802TH6304885F",
    ),
    (
        {"target": "012345678912345"},
        "00020101021129390016A000000677010111031501234567891234553037645802TH6304B443",
    ),
    (
        {"target": "012345678912345", "amount": Decimal("100")},
        "00020101021229390016A000000677010111031501234567891234553037645406100.005802TH6304F2D2",
    ),
    # maythiwat/promptparse, src/index.test.ts ("Generate Any ID")
    (
        {"target": "0812223333"},
        "00020101021129370016A0000006770101110113006681222333353037645802TH63041DCF",
    ),
]

# maythiwat/promptparse, src/index.test.ts ("Convert BOT Barcode to Bill Payment (Valid)")
BILL_BUILT = (
    {"biller_id": "099999999999990", "ref1": "111222333444"},
    "00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7",
)

# Payloads whose fields come in another order (58 before 53, or 54 after 58): they parse to the
# same values as this builder's payload for the same target and amount.
SAME_VALUES = [
    # dtinth/promptpay-qr, index.test.js ("Local phone number")
    (
        {"target": "0801234567"},
        "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
    ),
    # dtinth/promptpay-qr, index.test.js ("Dashed phone number", +66-89-123-4567)
    (
        {"target": "0891234567"},
        "00020101021129370016A000000677010111011300668912345675802TH5303764630429C1",
    ),
    # dtinth/promptpay-qr, index.test.js ("National ID number")
    (
        {"target": "1111111111111"},
        "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A",
    ),
    # dtinth/promptpay-qr, index.test.js ("Tax ID number")
    (
        {"target": "0123456789012"},
        "00020101021129370016A000000677010111021301234567890125802TH530376463040CBD",
    ),
    # dtinth/promptpay-qr, index.test.js ("Amount", 000-000-0000 with 4.22)
    (
        {"target": "0000000000", "amount": Decimal("4.22")},
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
    ),
    # maythiwat/promptparse, src/index.test.ts ("Generate Any ID with amount")
    (
        {"target": "0812223333", "amount": Decimal("30")},
        "00020101021229370016A0000006770101110113006681222333353037645802TH540530.0063043CAD",
    ),
]

# maythiwat/promptparse, src/index.test.ts ("Convert BOT Barcode to Bill Payment (Valid, with
# Ref.2 and amount)")
BILL_SAME_VALUES = (
    {
        "biller_id": "099400016550100",
        "ref1": "123456789012",
        "ref2": "670429",
        "amount": Decimal("3649.22"),
    },
    "00020101021230650016A00000067701011201150994000165501000212123456789012030667042953037645802TH54073649.2263044534",
)


@pytest.mark.parametrize(("arguments", "published"), BUILT)
def test_promptpay_payload_reproduces_published_payloads(arguments, published):
    assert promptpay_payload(**arguments) == published


def test_bill_payment_payload_reproduces_a_published_payload():
    arguments, published = BILL_BUILT

    assert bill_payment_payload(**arguments) == published


@pytest.mark.parametrize(("arguments", "published"), SAME_VALUES)
def test_published_payloads_in_another_field_order_parse_to_the_built_values(arguments, published):
    assert parse_payload(published) == parse_payload(promptpay_payload(**arguments))


def test_published_bill_payment_with_amount_parses_to_the_built_values():
    arguments, published = BILL_SAME_VALUES

    parsed = parse_payload(published)

    assert parsed == parse_payload(bill_payment_payload(**arguments))
    assert parsed == ParsedPayload(
        kind="bill_payment",
        dynamic=True,
        currency="764",
        country="TH",
        amount=Decimal("3649.22"),
        biller_id="099400016550100",
        ref1="123456789012",
        ref2="670429",
    )


def test_parse_reads_a_published_phone_payload_with_amount():
    # maythiwat/promptparse, src/index.test.ts ("Parse payload (strict) with valid checksum")
    published = (
        "00020101021229370016A0000006770101110113006680111111153037645802TH540520.15630442BE"
    )

    assert parse_payload(published) == ParsedPayload(
        kind="promptpay",
        dynamic=True,
        currency="764",
        country="TH",
        amount=Decimal("20.15"),
        target="0801111111",
        target_type="mobile",
    )


def test_parse_refuses_a_published_payload_with_a_wrong_checksum():
    # maythiwat/promptparse, src/index.test.ts ("Parse payload (strict) with invalid checksum")
    published = (
        "00020101021229370016A0000006770101110113006680111111153037645802TH540520.156304FFFF"
    )

    with pytest.raises(PayloadError, match="CRC does not match: the payload says FFFF"):
        parse_payload(published)


@pytest.mark.parametrize(
    ("published", "biller_id", "ref1", "ref2", "amount"),
    [
        # pheerathach/promptpay, ThaiQRPromptPayTest.java (bill payment, static, 13-digit biller)
        (
            "00020101021130530016A000000677010112011300000000000010204123403042345"
            "53037645802TH6304E5DA",
            "0000000000001",
            "1234",
            "2345",
            None,
        ),
        (
            "00020101021130640016A00000067701011201130000000000001020763000020312121214564541"
            "53037645406100.355802TH63043ACE",
            "0000000000001",
            "6300002",
            "121214564541",
            Decimal("100.35"),
        ),
    ],
)
def test_parse_reads_published_bill_payments(published, biller_id, ref1, ref2, amount):
    parsed = parse_payload(published)

    assert (parsed.kind, parsed.biller_id, parsed.ref1, parsed.ref2, parsed.amount) == (
        "bill_payment",
        biller_id,
        ref1,
        ref2,
        amount,
    )
    assert parsed.dynamic is False


def test_crc_check_value():
    # The standard check value of CRC-16/CCITT-FALSE (the CRC catalogue's "check" for
    # poly 0x1021, init 0xFFFF); also in uunw/thai-qr-payment, packages/payload/src/crc.test.ts.
    assert crc16_ccitt(b"123456789") == 0x29B1
    assert checksum("123456789") == "29B1"
    assert checksum("") == "FFFF"
    assert checksum("A") == "B915"


# Round trips --------------------------------------------------------------------------------------

DIGITS = "0123456789"
targets = st.one_of(
    st.text(DIGITS, min_size=9, max_size=9).map(lambda rest: "0" + rest),
    st.text(DIGITS, min_size=13, max_size=13),
    st.text(DIGITS, min_size=15, max_size=15),
)
amounts = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2)
references = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)


@given(target=targets, amount=amounts)
def test_any_valid_promptpay_target_and_amount_parse_back(target, amount):
    payload = promptpay_payload(target=target, amount=amount)

    parsed = parse_payload(payload)

    assert (parsed.kind, parsed.target, parsed.amount, parsed.dynamic) == (
        "promptpay",
        target,
        amount,
        amount is not None,
    )
    assert (parsed.currency, parsed.country) == ("764", "TH")
    assert payload[-4:] == checksum(payload[:-4])


@given(
    biller_id=st.text(DIGITS, min_size=15, max_size=15),
    ref1=references,
    ref2=st.just("") | references,
    amount=amounts,
)
def test_any_valid_bill_payment_parses_back(biller_id, ref1, ref2, amount):
    payload = bill_payment_payload(biller_id=biller_id, ref1=ref1, ref2=ref2, amount=amount)

    parsed = parse_payload(payload)

    assert parsed == ParsedPayload(
        kind="bill_payment",
        dynamic=amount is not None,
        currency="764",
        country="TH",
        amount=amount,
        biller_id=biller_id,
        ref1=ref1,
        ref2=ref2,
    )


@given(
    target=targets,
    amount=amounts,
    position=st.integers(min_value=0),
    replacement=st.characters(min_codepoint=32, max_codepoint=126),
)
def test_changing_any_one_character_is_detected(target, amount, position, replacement):
    payload = promptpay_payload(target=target, amount=amount)
    position %= len(payload)
    if replacement.upper() == payload[position].upper():
        return
    damaged = payload[:position] + replacement + payload[position + 1 :]

    with pytest.raises(PayloadError):
        parse_payload(damaged)


def test_parse_accepts_a_lower_case_crc():
    payload = promptpay_payload(target="0812223333")

    assert parse_payload(payload[:-4] + payload[-4:].lower()).target == "0812223333"


def test_target_type_names_each_kind():
    assert [target_type(t) for t in ("0812345678", "0105545012345", "123456789012345")] == [
        "mobile",
        "national_id",
        "ewallet",
    ]


# Refusals when building --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "A PromptPay target is required"),
        ("08123456789", "has 11 digits"),
        ("081234567", "has 9 digits"),
        ("081234567A", "digits only"),
        ("081-234-5678", "digits only"),
        ("๐๘๑๒๓๔๕๖๗๘", "digits only"),
        ("1812345678", "must start with 0"),
    ],
)
def test_promptpay_payload_refuses_bad_targets(target, message):
    with pytest.raises(PayloadError, match=message):
        promptpay_payload(target=target)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("-1"), "cannot be negative"),
        (Decimal("0"), "must be more than zero"),
        (Decimal("0.00"), "must be more than zero"),
        (Decimal("1.005"), "at most two decimal places"),
        (Decimal("10000000000"), "13-character amount field"),
        (Decimal("1E+30"), "13-character amount field"),
        (Decimal("NaN"), "finite number"),
        (Decimal("Infinity"), "finite number"),
        (1.5, "must be a Decimal"),
        (True, "must be a Decimal"),
        ("100.00", "must be a Decimal"),
    ],
)
def test_payloads_refuse_bad_amounts(amount, message):
    with pytest.raises(PayloadError, match=message):
        promptpay_payload(target="0812345678", amount=amount)
    with pytest.raises(PayloadError, match=message):
        bill_payment_payload(biller_id="099400016550101", ref1="A1", amount=amount)


def test_amounts_at_the_limits_are_written_with_two_decimals():
    largest = parse_payload(promptpay_payload(target="0812345678", amount=MAX_AMOUNT))
    whole = promptpay_payload(target="0812345678", amount=12)
    trailing_zero = promptpay_payload(target="0812345678", amount=Decimal("1.500"))

    assert largest.amount == Decimal("9999999999.99")
    assert "540512.00" in whole
    assert "54041.50" in trailing_zero


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"biller_id": "09940001655010"}, "must be 15 digits"),
        ({"biller_id": "0994000165501011"}, "must be 15 digits"),
        ({"biller_id": "09940001655010X"}, "digits only"),
        ({"ref1": ""}, "ref1 is required"),
        ({"ref1": "inv001"}, "only upper-case letters A-Z and digits"),
        ({"ref1": "INV-001"}, "only upper-case letters A-Z and digits"),
        ({"ref1": "A" * 21}, "ref1 has 21 characters; at most 20"),
        ({"ref2": "ใบแจ้งหนี้"}, "ref2 may contain only"),
        ({"ref2": "B" * 21}, "ref2 has 21 characters"),
    ],
)
def test_bill_payment_payload_refuses_bad_biller_and_references(arguments, message):
    values = {"biller_id": "099400016550101", "ref1": "INV001", "ref2": "", **arguments}

    with pytest.raises(PayloadError, match=message):
        bill_payment_payload(**values)


# Refusals when parsing ---------------------------------------------------------------------------


def _with_crc(body: str) -> str:
    return body + "6304" + checksum(body + "6304")


THB_TH = field("53", "764") + field("58", "TH")
PROMPTPAY_ACCOUNT = field("29", field("00", "A000000677010111") + field("01", "0066812345678"))
BILL_ACCOUNT = field(
    "30", field("00", "A000000677010112") + field("01", "099400016550101") + field("02", "A1")
)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "The QR payload is empty"),
        ("000201010211", "must end with its CRC field"),
        ("000201" + THB_TH + "6304", "must end with its CRC field"),
        ("000201" + PROMPTPAY_ACCOUNT + THB_TH + "6304XYZW", "four hexadecimal digits"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + THB_TH)[:-4] + "0000", "CRC does not match"),
        (_with_crc("0002010"), "field 06 at position 6 declares 30 characters but only 5"),
        (_with_crc("000201" + "5800" + THB_TH), "length as two digits from 01 to 99"),
        (_with_crc("000201" + THB_TH + field("58", "TH")), "field 58 appears twice"),
        (_with_crc("000201" + "9916ABCDEFGH"), "must be the last field"),
        (_with_crc(field("00", "02") + PROMPTPAY_ACCOUNT + THB_TH), "must start with"),
        (_with_crc(field("01", "11") + PROMPTPAY_ACCOUNT + THB_TH), "must start with"),
        (_with_crc("000201010213" + PROMPTPAY_ACCOUNT + THB_TH), "must be 11 .static."),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + field("58", "TH")), "Field 53"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + field("53", "THB") + field("58", "TH")), "53"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + field("53", "764")), "Field 58"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + THB_TH + field("54", "1,000.00")), "Field 54"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + THB_TH + field("54", "1.005")), "Field 54"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + THB_TH + field("54", "1" * 14)), "Field 54"),
        (_with_crc("000201" + PROMPTPAY_ACCOUNT + BILL_ACCOUNT + THB_TH), "both a PromptPay"),
        (_with_crc("000201" + THB_TH), "not a Thai QR payment"),
        (
            _with_crc("000201" + field("29", field("00", "A000000677010114")) + THB_TH),
            "application ID A000000677010111",
        ),
        (
            _with_crc("000201" + field("29", field("00", "A000000677010111")) + THB_TH),
            "exactly one PromptPay target",
        ),
        (
            _with_crc(
                "000201"
                + field(
                    "29",
                    field("00", "A000000677010111")
                    + field("01", "0066812345678")
                    + field("02", "0105545012345"),
                )
                + THB_TH
            ),
            "exactly one PromptPay target",
        ),
        (
            _with_crc(
                "000201"
                + field("29", field("00", "A000000677010111") + field("01", "0812345678"))
                + THB_TH
            ),
            "mobile in tag 29 must be 13 digits",
        ),
        (
            _with_crc(
                "000201"
                + field("29", field("00", "A000000677010111") + field("03", "12345"))
                + THB_TH
            ),
            "ewallet in tag 29 must be 15 digits",
        ),
        (
            _with_crc("000201" + field("29", "0016A00000067701") + THB_TH),
            r"In tag 29 \(PromptPay account\), field 00 at position 0 declares 16",
        ),
        (
            _with_crc("000201" + field("30", field("00", "A000000677010111")) + THB_TH),
            "bill payment application ID",
        ),
        (
            _with_crc(
                "000201" + field("30", field("00", "A000000677010112") + field("02", "A1")) + THB_TH
            ),
            "must hold the biller ID",
        ),
        (
            _with_crc(
                "000201"
                + field("30", field("00", "A000000677010112") + field("01", "099400016550101"))
                + THB_TH
            ),
            "must hold ref1",
        ),
    ],
)
def test_parse_payload_refuses_broken_payloads(payload, message):
    with pytest.raises(PayloadError, match=message):
        parse_payload(payload)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("00020158", "the field at position 6 is cut short: '58'"),
        ("000201AB02TH", "the tag at position 6 must be two digits, not 'AB'"),
        ("00020158X2TH", "field 58 at position 6 must give its length as two digits"),
    ],
)
def test_read_fields_names_the_broken_field(text, message):
    with pytest.raises(PayloadError, match=message):
        read_fields(text, "the payload")


def test_parsed_payload_is_a_value():
    parsed = parse_payload(promptpay_payload(target="0812345678"))

    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.target = "0899999999"
