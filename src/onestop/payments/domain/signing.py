"""HMAC signatures of the bank protocol (docs/bank-protocol.md), for both directions.

A signed request carries

    X-OneStop-Timestamp: <unix seconds>
    X-OneStop-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>

For a GET request the signed body is the path with its query string. The timestamp is signed
too, so an old request cannot be replayed with a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-OneStop-Timestamp"
SIGNATURE_HEADER = "X-OneStop-Signature"
SCHEME = "v1="
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    """A request's signature does not hold; the message is the reason ("bad signature", ...)."""


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    if not secret:
        raise ValueError("A signing secret is required; it is empty.")
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers that sign `body` now (or at `timestamp`, in unix seconds)."""
    when = int(time.time()) if timestamp is None else int(timestamp)
    return {
        TIMESTAMP_HEADER: str(when),
        SIGNATURE_HEADER: SCHEME + signature(secret, body, when),
    }


def verify(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    now: int | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> None:
    """Check that `headers` sign `body` with the secret, within `tolerance` seconds of `now`.

    Header names are matched without regard to case. Raises SignatureError with the reason:
    "no secret configured", "missing timestamp", "missing signature", "malformed timestamp",
    "malformed signature", "timestamp too old", "timestamp in the future" or "bad signature".
    """
    if not secret:
        raise SignatureError("no secret configured")
    stamp = _header(headers, TIMESTAMP_HEADER)
    given = _header(headers, SIGNATURE_HEADER)
    if not stamp:
        raise SignatureError("missing timestamp")
    if not given:
        raise SignatureError("missing signature")
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        raise SignatureError("malformed timestamp")
    if not given.startswith(SCHEME):
        raise SignatureError("malformed signature")
    current = int(time.time()) if now is None else int(now)
    if current - int(stamp) > tolerance:
        raise SignatureError("timestamp too old")
    if int(stamp) - current > tolerance:
        raise SignatureError("timestamp in the future")
    expected = SCHEME + signature(secret, body, int(stamp))
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace")):
        raise SignatureError("bad signature")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return (value or "").strip()
