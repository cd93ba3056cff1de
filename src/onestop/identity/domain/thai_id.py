"""Thai 13-digit identification numbers: the citizen's national ID and the juristic person ID.

Both use the same check digit: with d1..d12 the first twelve digits,
check = (11 - (13*d1 + 12*d2 + ... + 2*d12) mod 11) mod 10.
National IDs start with 1-8 (the person's category); juristic IDs registered with the
Department of Business Development start with 0. Pure functions, no Django models.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import InputError

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
SEPARATORS = re.compile(r"[\s\-–.]")


class InvalidNationalIdError(InputError):
    code = "invalid_national_id"


class InvalidJuristicIdError(InputError):
    code = "invalid_juristic_id"


def normalize(value: str) -> str:
    """Digits only: Thai digits become Arabic; spaces, dashes and dots are dropped."""
    return SEPARATORS.sub("", str(value).translate(THAI_DIGITS))


def check_digit(first_twelve: str) -> int:
    total = sum(
        int(digit) * weight for digit, weight in zip(first_twelve, range(13, 1, -1), strict=True)
    )
    return (11 - total % 11) % 10


def has_valid_check_digit(digits: str) -> bool:
    return len(digits) == 13 and digits.isdigit() and check_digit(digits[:12]) == int(digits[12])


def _thirteen_digits(
    value: str, error: type[InputError], messages: tuple[Promise, Promise, Promise], field: str
) -> str:
    """The shared checks: something entered, digits only, thirteen of them."""
    empty, not_digits, wrong_length = messages
    digits = normalize(value)
    if not digits:
        raise error(empty, field=field)
    if not digits.isdigit():
        raise error(not_digits, field=field)
    if len(digits) != 13:
        raise error(wrong_length, field=field, params={"count": len(digits)})
    return digits


def validate_national_id(value: str, field: str = "national_id") -> str:
    """Return the national ID as 13 digits, or raise InvalidNationalIdError saying what is wrong."""
    messages = (
        _("Enter your 13-digit national ID."),
        _("A national ID has digits only. Remove letters and other characters."),
        _("A national ID has 13 digits; you entered %(count)s."),
    )
    digits = _thirteen_digits(value, InvalidNationalIdError, messages, field)
    if digits[0] == "0":
        raise InvalidNationalIdError(
            _(
                "A national ID does not start with 0. Numbers starting with 0 are juristic IDs of companies."
            ),
            field=field,
        )
    if digits[0] == "9":
        raise InvalidNationalIdError(
            _("A national ID starts with a digit from 1 to 8. Check the first digit."), field=field
        )
    if not has_valid_check_digit(digits):
        raise InvalidNationalIdError(
            _(
                "This national ID is not valid: its last digit does not match. Check each digit against your ID card."
            ),
            field=field,
        )
    return digits


def validate_juristic_id(value: str, field: str = "juristic_id") -> str:
    """Return the juristic ID as 13 digits, or raise InvalidJuristicIdError saying what is wrong."""
    messages = (
        _("Enter the 13-digit juristic ID of the business."),
        _("A juristic ID has digits only. Remove letters and other characters."),
        _("A juristic ID has 13 digits; you entered %(count)s."),
    )
    digits = _thirteen_digits(value, InvalidJuristicIdError, messages, field)
    if digits[0] != "0":
        raise InvalidJuristicIdError(
            _(
                "A juristic ID starts with 0. A number starting with 1 to 8 is a person's national ID."
            ),
            field=field,
        )
    if not has_valid_check_digit(digits):
        raise InvalidJuristicIdError(
            _(
                "This juristic ID is not valid: its last digit does not match. Check it against the company's registration certificate."
            ),
            field=field,
        )
    return digits


def with_check_digit(first_twelve: str) -> str:
    """Complete twelve digits with their check digit (for demo data and tests)."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError("Give exactly twelve digits")
    return first_twelve + str(check_digit(first_twelve))


def formatted(digits: str) -> str:
    """'1-2345-67890-12-1', as printed on Thai ID cards."""
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def masked(digits: str) -> str:
    """'1-2345-xxxxx-xx-1': enough to recognise, not enough to misuse."""
    return f"{digits[0]}-{digits[1:5]}-xxxxx-xx-{digits[12]}"
