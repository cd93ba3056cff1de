"""Money in baht: two decimals at most, never a float, checked where it enters the platform."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from onestop.core.errors import InputError

MAX_AMOUNT = Decimal("9999999999.99")
VAT_RATE = Decimal("0.07")
SATANG = Decimal("0.01")


class InvalidAmountError(InputError):
    code = "invalid_amount"


def amount(value: object, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Parse a baht amount: a number with at most two decimals, positive (or zero if allowed)."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidAmountError(_("Enter an amount in baht, like 1250.50."), field=field) from None
    if not number.is_finite():
        raise InvalidAmountError(_("Enter an amount in baht, like 1250.50."), field=field)
    if number.as_tuple().exponent < -2:
        raise InvalidAmountError(
            _("An amount has at most two decimals (satang); %(value)s has more."),
            field=field,
            params={"value": value},
        )
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidAmountError(
            _("The amount must be more than zero.")
            if not allow_zero
            else _("The amount cannot be negative."),
            field=field,
        )
    if number > MAX_AMOUNT:
        raise InvalidAmountError(
            _("The amount is too large (at most %(max)s baht)."),
            field=field,
            params={"max": f"{MAX_AMOUNT:,}"},
        )
    return number.quantize(SATANG)


def quantity(value: object, *, field: str = "quantity", decimals: int = 3) -> Decimal:
    """Parse a quantity: more than zero, at most `decimals` decimals (3: kilograms, litres)."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidAmountError(_("Enter a quantity, like 10."), field=field) from None
    if not number.is_finite() or number <= 0:
        raise InvalidAmountError(_("The quantity must be more than zero."), field=field)
    if number.as_tuple().exponent < -decimals:
        raise InvalidAmountError(
            _("A quantity has at most %(decimals)s decimals."),
            field=field,
            params={"decimals": decimals},
        )
    if number > Decimal("999999999"):
        raise InvalidAmountError(_("The quantity is too large."), field=field)
    return number


def vat_included(total: Decimal, rate: Decimal = VAT_RATE) -> Decimal:
    """The VAT contained in a VAT-inclusive total (7% in Thailand): total × 7 / 107."""
    return (total * rate / (1 + rate)).quantize(SATANG)
