"""Detached signatures over small statements (pure: no Django, no database).

A statement signature is ECDSA P-256 with SHA-256, DER-encoded (as X9.62 / RFC 3279 define it),
carried as standard base64 next to the signer's certificate in PEM.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

CURVE = "secp256r1"


@dataclass(frozen=True)
class SignedStatement:
    """A detached signature by the platform: `signature` is standard base64 of a DER ECDSA
    P-256 / SHA-256 signature; `certificate_pem` and `fingerprint` (SHA-256, hex) name the
    platform certificate that made it."""

    signature: str
    certificate_pem: str
    fingerprint: str


def sign(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    """The base64 (standard alphabet) DER ECDSA-SHA256 signature of `data`."""
    der = private_key.sign(bytes(data), ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(der).decode("ascii")


def decode_signature(signature: str) -> bytes | None:
    """The DER bytes of a base64 signature, or None when it is not strict standard base64."""
    if not isinstance(signature, str):
        return None
    try:
        return base64.b64decode(signature.encode("ascii"), validate=True) or None
    except (binascii.Error, ValueError):
        return None


def signature_valid(certificate: x509.Certificate, data: bytes, signature: str) -> bool:
    """True when `signature` (base64 DER) is the P-256 ECDSA-SHA256 signature of `data` by the
    certificate's key. Malformed input is simply not valid."""
    der = decode_signature(signature)
    if der is None or not isinstance(data, bytes | bytearray | memoryview):
        return False
    try:
        public_key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):  # a damaged or unknown kind of key
        return False
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != CURVE:
        return False
    try:
        public_key.verify(der, bytes(data), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        return False
    return True
