"""Thai national and juristic IDs: formats, check digits and the messages for each mistake."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.identity.domain import thai_id


@pytest.mark.parametrize(
    "value", ["1101700230708", "1-1017-00230-70-8", "1 1017 00230 70 8", "๑๑๐๑๗๐๐๒๓๐๗๐๘"]
)
def test_a_valid_national_id_in_any_usual_writing_is_accepted(value):
    assert thai_id.validate_national_id(value) == "1101700230708"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Enter your 13-digit"),
        ("11017002307a8", "digits only"),
        ("110170023070", "13 digits; you entered 12"),
        ("11017002307088", "you entered 14"),
        ("0105545012345", "does not start with 0"),
        ("9101700230703", "from 1 to 8"),
        ("1101700230709", "last digit does not match"),
    ],
)
def test_each_wrong_national_id_gets_its_own_message(value, fragment):
    with pytest.raises(thai_id.InvalidNationalIdError) as caught:
        thai_id.validate_national_id(value)
    assert fragment in caught.value.text("en")
    assert caught.value.field == "national_id"
    assert caught.value.code == "invalid_national_id"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1101700230708", "starts with 0"),
        ("010554501234", "you entered 12"),
        ("0105545012346", "last digit does not match"),
    ],
)
def test_each_wrong_juristic_id_gets_its_own_message(value, fragment):
    with pytest.raises(thai_id.InvalidJuristicIdError) as caught:
        thai_id.validate_juristic_id(value)
    assert fragment in caught.value.text("en")


@given(st.from_regex(r"[1-8][0-9]{11}", fullmatch=True))
def test_completed_national_ids_validate_and_any_other_last_digit_does_not(first_twelve):
    full = thai_id.with_check_digit(first_twelve)
    assert thai_id.validate_national_id(full) == full
    for digit in "0123456789":
        if digit != full[-1]:
            with pytest.raises(thai_id.InvalidNationalIdError):
                thai_id.validate_national_id(full[:-1] + digit)


@given(st.from_regex(r"0[0-9]{11}", fullmatch=True))
def test_completed_juristic_ids_validate(first_twelve):
    full = thai_id.with_check_digit(first_twelve)
    assert thai_id.validate_juristic_id(full) == full


def test_formatting_and_masking():
    assert thai_id.formatted("1101700230708") == "1-1017-00230-70-8"
    assert thai_id.masked("1101700230708") == "1-1017-xxxxx-xx-8"
