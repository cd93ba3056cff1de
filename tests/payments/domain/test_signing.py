"""HMAC signatures of the bank protocol: round trip and every refusal."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.payments.domain.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    sign,
    verify,
)

SECRET = "test-secret-0123456789"
NOW = 1_795_000_000
BODY = '{"idempotency_key": "invoice:42", "payee": {"name": "บริษัท สยามกระดาษ จำกัด"}}'.encode()


def test_sign_follows_the_protocol():
    headers = sign(SECRET, BODY, timestamp=NOW)

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"v1={expected}"}


@given(body=st.binary(), secret=st.text(min_size=1), skew=st.integers(-300, 300))
def test_signed_bodies_verify(body, secret, skew):
    headers = sign(secret, body, timestamp=NOW)

    verify(secret, body, headers, now=NOW + skew)


def test_sign_uses_the_clock_by_default():
    headers = sign(SECRET, BODY)

    verify(SECRET, BODY, headers)


def test_header_names_match_without_case():
    headers = {name.lower(): value for name, value in sign(SECRET, BODY, timestamp=NOW).items()}

    verify(SECRET, BODY, headers, now=NOW)


def test_a_get_request_signs_its_path_and_query():
    path = b"/v1/statements?from=2026-11-25T00%3A00%3A00%2B07%3A00"
    headers = sign(SECRET, path, timestamp=NOW)

    verify(SECRET, path, headers, now=NOW)
    with pytest.raises(SignatureError, match="bad signature"):
        verify(SECRET, b"/v1/statements", headers, now=NOW)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"body": BODY + b" "}, "bad signature"),
        ({"body": BODY.replace(b"42", b"43")}, "bad signature"),
        ({"secret": "another-secret"}, "bad signature"),
        ({"secret": ""}, "no secret configured"),
        ({"now": NOW + 301}, "timestamp too old"),
        ({"now": NOW - 301}, "timestamp in the future"),
        ({"headers": {SIGNATURE_HEADER: "v1=00"}}, "missing timestamp"),
        ({"headers": {TIMESTAMP_HEADER: str(NOW)}}, "missing signature"),
        ({"headers": {}}, "missing timestamp"),
        ({"headers": {TIMESTAMP_HEADER: "soon", SIGNATURE_HEADER: "v1=00"}}, "malformed timestamp"),
        ({"headers": {TIMESTAMP_HEADER: "-5", SIGNATURE_HEADER: "v1=00"}}, "malformed timestamp"),
        ({"headers": {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "00"}}, "malformed signature"),
        ({"headers": {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "v1=ก"}}, "bad signature"),
    ],
)
def test_verify_refuses(change, reason):
    arguments = {
        "secret": SECRET,
        "body": BODY,
        "headers": sign(SECRET, BODY, timestamp=NOW),
        "now": NOW,
        **change,
    }

    with pytest.raises(SignatureError, match=f"^{reason}$"):
        verify(**arguments)


def test_a_replayed_signature_with_a_fresh_timestamp_is_refused():
    headers = sign(SECRET, BODY, timestamp=NOW - 3600)
    replayed = {**headers, TIMESTAMP_HEADER: str(NOW)}

    with pytest.raises(SignatureError, match="bad signature"):
        verify(SECRET, BODY, replayed, now=NOW)


def test_tolerance_can_be_narrowed():
    headers = sign(SECRET, BODY, timestamp=NOW)

    with pytest.raises(SignatureError, match="timestamp too old"):
        verify(SECRET, BODY, headers, now=NOW + 11, tolerance=10)


def test_signing_without_a_secret_is_refused():
    with pytest.raises(ValueError, match="secret is required"):
        sign("", BODY)
