"""Thai-first formatting: Buddhist Era dates, baht amounts and baht in words, fiscal years.

Dates are shown in the Buddhist Era (พ.ศ. = ค.ศ. + 543) when the language is Thai and in the
Common Era in English. pythainlp does the Thai calendar and number words.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, timezone, translation
from pythainlp.util import bahttext, thai_strftime

BUDDHIST_ERA_OFFSET = 543
SATANG = Decimal("0.01")


def _is_thai(language: str | None) -> bool:
    return (language or translation.get_language() or "th").startswith("th")


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _buddhist(value: dt.date | dt.datetime, pattern: str) -> str:
    """pythainlp's Thai strftime (Buddhist Era, Thai month names) for dates too."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return thai_strftime(value, pattern)


def format_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'25 พฤศจิกายน 2569' in Thai, '25 November 2026' in English."""
    if value is None:
        return ""
    value = _local(value)
    if _is_thai(language):
        return _buddhist(value, "%-d %B %Y")
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: dt.datetime | None, language: str | None = None) -> str:
    """'25 พฤศจิกายน 2569 เวลา 14:05 น.' in Thai, '25 November 2026, 14:05' in English."""
    if value is None:
        return ""
    value = _local(value)
    if _is_thai(language):
        return thai_strftime(value, "%-d %B %Y เวลา %H:%M น.")
    return f"{value.day} {value:%B %Y, %H:%M}"


def format_month(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'มีนาคม 2570' in Thai, 'March 2027' in English."""
    if value is None:
        return ""
    value = _local(value)
    if _is_thai(language):
        return _buddhist(value, "%B %Y")
    return f"{value:%B %Y}"


def format_short_date(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'25 พ.ย. 2569' in Thai, '25 Nov 2026' in English."""
    if value is None:
        return ""
    value = _local(value)
    if _is_thai(language):
        return _buddhist(value, "%-d %b %Y")
    return f"{value.day} {value:%b %Y}"


def to_satang(amount: Decimal | int | str | float) -> Decimal:
    """Round an amount to whole satang (two decimals, half up)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount of money")
    return value.quantize(SATANG, rounding=ROUND_HALF_UP)


def format_baht(amount: Decimal | int | str | float | None, language: str | None = None) -> str:
    """'1,234.50 บาท' in Thai, 'THB 1,234.50' in English."""
    if amount is None:
        return ""
    number = formats.number_format(to_satang(amount), decimal_pos=2, force_grouping=True)
    if _is_thai(language):
        return f"{number} บาท"
    return f"THB {number}"


def baht_in_words(amount: Decimal | int | str | float) -> str:
    """Thai words for an amount, as on cheques and official documents: 'หนึ่งร้อยบาทถ้วน'."""
    value = to_satang(amount)
    if value < 0:
        return "ลบ" + baht_in_words(-value)
    words = bahttext(float(value))
    # Below one baht the official form names only the satang: 'ห้าสิบสตางค์'.
    if Decimal(0) < value < 1 and words.startswith("ศูนย์บาท"):
        words = words.removeprefix("ศูนย์บาท")
    return words


def fiscal_year(value: dt.date | dt.datetime) -> int:
    """The Thai government fiscal year (Buddhist Era) of a date; it starts on 1 October."""
    value = _local(value)
    year = value.year + 1 if value.month >= 10 else value.year
    return year + BUDDHIST_ERA_OFFSET


def buddhist_year(value: dt.date | dt.datetime) -> int:
    return _local(value).year + BUDDHIST_ERA_OFFSET
