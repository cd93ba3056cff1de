"""Time-based one-time passwords (RFC 6238) and the sealing of their secrets at rest.

Codes have 6 digits and change every 30 seconds (what authenticator apps expect). A code is
accepted in the step it was made for and one step either side, for clocks that drift. The
step a code matched is returned, so the caller can refuse any step not later than the last one
used (a code works once).

Secrets are stored sealed with AES-256-GCM under a key derived by HKDF-SHA256 from a master key
(the caller passes settings.SECRET_KEY). A key id, derived the same way with another label, is
stored next to each sealed secret so that a changed master key is reported as such, not as a
corrupt row. The associated data binds the ciphertext to its owner, so a sealed secret copied
onto another account's row does not open. Pure functions: no database, no settings.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import os
import re
from dataclasses import dataclass

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DIGITS = 6
STEP_SECONDS = 30
VALID_WINDOW = 1
ISSUER = "OneStop"
MIN_SECRET_BITS = 128

ENCRYPTION_LABEL = b"onestop/identity/totp-secret-encryption/v1"
KEY_ID_LABEL = b"onestop/identity/totp-secret-encryption/key-id/v1"
SALT = b"onestop-identity-totp"
NONCE_BYTES = 12

# The demo committee members' authenticator key (160 bits of base32: A-Z and 2-7 only). Published,
# so it protects nothing: demo data and tests only.
DEMO_TOTP_SECRET = "ONESTOPDEMOTOTPSECRETAAAAAAAAAAA"  # noqa: S105 - published, demo data only

BASE32 = re.compile(r"^[A-Z2-7]+=*$")
SEPARATORS = re.compile(r"[\s\-]")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class SecretUnavailableError(Exception):
    """The sealed secret cannot be opened (another master key, or a damaged or moved row)."""


@dataclass(frozen=True)
class SealedSecret:
    key_id: str
    nonce: bytes
    ciphertext: bytes


def new_secret() -> str:
    """A random base32 secret of 160 bits (the length RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def normalize_secret(secret: str) -> str:
    """The secret in capitals without spaces or dashes; ValueError unless valid base32 of 128
    bits or more."""
    secret = SEPARATORS.sub("", secret or "").upper()
    if not BASE32.match(secret):
        raise ValueError("A TOTP secret is written in base32: the letters A-Z and digits 2-7.")
    try:
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except binascii.Error:
        raise ValueError("This TOTP secret is not valid base32.") from None
    if len(raw) * 8 < MIN_SECRET_BITS:
        raise ValueError(f"A TOTP secret needs at least {MIN_SECRET_BITS} bits.")
    return secret


def normalize_code(code: str) -> str | None:
    """The code's digits (Thai digits and spaces allowed when typed), or None unless 6 digits."""
    code = SEPARATORS.sub("", (code or "").translate(THAI_DIGITS))
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    return code


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def step_at(timestamp: float) -> int:
    """The number of the 30-second step a Unix time falls in."""
    return int(timestamp // STEP_SECONDS)


def code_at(secret: str, timestamp: float) -> str:
    """The code an authenticator app shows at a Unix time (for tests and the demo)."""
    return _totp(secret).generate_otp(step_at(timestamp))


def matching_step(
    secret: str, code: str, *, timestamp: float, window: int = VALID_WINDOW
) -> int | None:
    """The step, within `window` steps of `timestamp`, whose code is `code`; None if none.

    Compares in constant time and checks every step of the window, so the time taken does not
    tell which step matched.
    """
    digits = normalize_code(code)
    if digits is None:
        return None
    totp = _totp(secret)
    current = step_at(timestamp)
    found = None
    for step in range(current - window, current + window + 1):
        if hmac.compare_digest(digits, totp.generate_otp(step)) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[index : index + size] for index in range(0, len(secret), size))


# Sealing ----------------------------------------------------------------------------------------


def _hkdf(master_key: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=label).derive(
        master_key.encode("utf-8")
    )


@functools.lru_cache(maxsize=4)
def _derived(master_key: str) -> tuple[bytes, str]:
    if not master_key:
        raise RuntimeError("The master key of TOTP secrets (settings.SECRET_KEY) is empty.")
    return _hkdf(master_key, ENCRYPTION_LABEL), "v1:" + _hkdf(master_key, KEY_ID_LABEL)[:8].hex()


def seal(secret: str, *, master_key: str, binding: str) -> SealedSecret:
    """Encrypt a secret for storage; `binding` names the row it belongs to."""
    key, key_id = _derived(master_key)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, secret.encode("ascii"), binding.encode("utf-8"))
    return SealedSecret(key_id=key_id, nonce=nonce, ciphertext=ciphertext)


def unseal(sealed: SealedSecret, *, master_key: str, binding: str) -> str:
    """Decrypt a stored secret. Raises SecretUnavailableError if it cannot be opened."""
    key, key_id = _derived(master_key)
    if sealed.key_id != key_id:
        raise SecretUnavailableError("sealed under another master key")
    try:
        plaintext = AESGCM(key).decrypt(
            bytes(sealed.nonce), bytes(sealed.ciphertext), binding.encode("utf-8")
        )
    except InvalidTag:
        raise SecretUnavailableError("damaged, or belongs to another row") from None
    return plaintext.decode("ascii")
