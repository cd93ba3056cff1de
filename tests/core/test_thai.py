"""Thai-first formatting: Buddhist Era dates, baht amounts and words, fiscal years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from onestop.core import thai

BANGKOK = dt.timezone(dt.timedelta(hours=7))


def test_dates_are_buddhist_era_in_thai_and_common_era_in_english():
    day = dt.date(2026, 11, 25)
    assert thai.format_date(day, "th") == "25 พฤศจิกายน 2569"
    assert thai.format_date(day, "en") == "25 November 2026"
    assert thai.format_short_date(day, "th") == "25 พ.ย. 2569"


def test_datetimes_are_shown_in_bangkok_time():
    moment = dt.datetime(2026, 11, 25, 7, 5, tzinfo=dt.UTC)  # 14:05 in Bangkok
    assert thai.format_datetime(moment, "th") == "25 พฤศจิกายน 2569 เวลา 14:05 น."
    assert thai.format_datetime(moment, "en") == "25 November 2026, 14:05"


def test_the_active_language_is_used_by_default():
    with translation.override("th"):
        assert thai.format_date(dt.date(2027, 1, 1)).endswith("2570")
    with translation.override("en"):
        assert thai.format_date(dt.date(2027, 1, 1)) == "1 January 2027"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "ศูนย์บาทถ้วน"),
        ("1", "หนึ่งบาทถ้วน"),
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("1234.50", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("0.50", "ห้าสิบสตางค์"),
        ("1000000", "หนึ่งล้านบาทถ้วน"),
        ("2500000.25", "สองล้านห้าแสนบาทยี่สิบห้าสตางค์"),
    ],
)
def test_baht_in_words(amount, words):
    assert thai.baht_in_words(Decimal(amount)) == words


def test_amounts_are_rounded_to_satang_half_up():
    assert thai.to_satang("10.005") == Decimal("10.01")
    assert thai.to_satang("10.004") == Decimal("10.00")
    with pytest.raises(ValueError, match="not an amount"):
        thai.to_satang("ten")
    with pytest.raises(ValueError, match="not an amount"):
        thai.to_satang("NaN")


def test_baht_formatting():
    assert thai.format_baht(Decimal("1234567.5"), "th") == "1,234,567.50 บาท"
    assert thai.format_baht(Decimal("1234567.5"), "en") == "THB 1,234,567.50"


@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2))
def test_every_amount_has_words_ending_correctly(amount):
    words = thai.baht_in_words(amount)
    if amount == amount.to_integral_value():
        assert words.endswith("บาทถ้วน")
    else:
        assert words.endswith("สตางค์")
    assert not any(ch.isdigit() for ch in words)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
        (dt.date(2027, 1, 15), 2570),
        (dt.datetime(2026, 9, 30, 18, 0, tzinfo=dt.UTC), 2570),  # 1 October 01:00 in Bangkok
    ],
)
def test_thai_fiscal_year_starts_on_1_october(day, year):
    assert thai.fiscal_year(day) == year
